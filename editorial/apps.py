from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial collections and newsletter")

    def ready(self):
        from editorial import ratings, saved_films
        from subscriptions import personal_data

        personal_data.register(
            "ratings", export=ratings.ratings_export, erase=ratings.ratings_erase
        )
        personal_data.register(
            "saved_films",
            export=saved_films.saved_films_export,
            erase=saved_films.saved_films_erase,
        )
