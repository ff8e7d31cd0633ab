from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from backend.revision.counter import bumped_by
        from catalogue.models import Country, FestivalSelection, Film, Language, Person, Theme

        # what a page of films shows, and the film the playback start remembers
        bumped_by(
            Film,
            Person,
            Theme,
            Country,
            Language,
            FestivalSelection,
            m2m=[
                Film.directors.through,
                Film.themes.through,
                Film.countries.through,
                Film.original_languages.through,
            ],
        )
