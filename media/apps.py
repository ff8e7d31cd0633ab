from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = _("Media")

    def ready(self):
        # what the apps below read of media without importing it (imports here: models
        # are loaded only once apps are ready)
        from backend.revision.counter import bumped_by
        from catalogue.accessibility import register_tracks_provider
        from media.models import Asset
        from media.selectors import film_ids_with_track, viewing_history_export
        from subscriptions import personal_data

        # a ready rendition makes a film streamable, which the playback start remembers
        # (an upload's progress is an update(), which bumps nothing)
        bumped_by(Asset)
        register_tracks_provider(film_ids_with_track)
        # kept after an erasure: the statistics' sessions, no longer linked to a person
        personal_data.register("viewing_history", export=viewing_history_export)
