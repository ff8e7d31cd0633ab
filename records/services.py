"""Changes to a library's catalogue-record settings."""

from __future__ import annotations

from django.db import transaction

from records.models import RecordSettings


@transaction.atomic
def record_settings_set(*, institution, proxy_prefix: str) -> RecordSettings:
    """Set the proxy prefix put before the playback link (856) of the library's records."""
    found, _ = RecordSettings.objects.select_for_update().get_or_create(institution=institution)
    found.proxy_prefix = proxy_prefix
    found.full_clean()
    found.save()
    return found
