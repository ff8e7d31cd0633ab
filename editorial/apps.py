from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial collections and newsletter")

    def ready(self):
        # what the apps below ask of editorial without importing it (imports here: models
        # are loaded only once apps are ready)
        from editorial import ratings, saved_films
        from editorial.selectors import films_in_library_selections
        from notices.models import UseReason
        from notices.selectors import register_film_use
        from subscriptions import personal_data

        register_film_use(UseReason.IN_SELECTION, films_in_library_selections)

        personal_data.register(
            "ratings", export=ratings.ratings_export, erase=ratings.ratings_erase
        )
        personal_data.register(
            "saved_films",
            export=saved_films.saved_films_export,
            erase=saved_films.saved_films_erase,
        )
