from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = _("Media")

    def ready(self):
        from catalogue.accessibility import register_tracks_provider
        from media.selectors import film_ids_with_track

        register_tracks_provider(film_ids_with_track)
