import hashlib
import hmac

from django.conf import settings
from django.db import migrations


def end_duplicate_open_sessions(apps, schema_editor):
    """Before one open session per viewer and film is a constraint: of a viewer's open
    sessions of a film, the latest stays open; the earlier ones end at their last heartbeat
    with their view recorded, as the silent-session sweep would have done."""
    PlaybackSession = apps.get_model("media", "PlaybackSession")
    ViewEvent = apps.get_model("media", "ViewEvent")
    kept = set()
    for session in PlaybackSession.objects.filter(ended_at__isnull=True).order_by(
        "user_id", "film_id", "-started_at"
    ):
        if (session.user_id, session.film_id) not in kept:
            kept.add((session.user_id, session.film_id))
            continue
        session.ended_at = session.last_heartbeat_at
        session.save(update_fields=["ended_at"])
        pseudonym = hmac.new(
            settings.PATRON_CARD_PEPPER.encode(),
            f"viewer:{session.user_id}".encode(),
            hashlib.sha256,
        ).hexdigest()[:32]
        ViewEvent.objects.get_or_create(
            session=session,
            defaults={
                "film_id": session.film_id,
                "institution_id": session.institution_id,
                "viewer_pseudonym": pseudonym,
                "medium": session.medium,
                "seconds_watched": session.seconds_watched,
                "started_at": session.started_at,
            },
        )


class Migration(migrations.Migration):
    # data only: the constraint that needs it is added by the next migration (PostgreSQL
    # refuses to alter a table with pending trigger events in the same transaction)

    dependencies = [
        ('media', '0006_playback_resume_and_measured_renditions'),
    ]

    operations = [
        migrations.RunPython(end_duplicate_open_sessions, migrations.RunPython.noop),
    ]
