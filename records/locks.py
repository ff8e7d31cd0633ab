"""The row locks the records app takes, named in one place (the order across apps:
backend/locks.py)."""

from __future__ import annotations

from records.models import RecordSettings


def lock_record_settings(institution) -> RecordSettings:
    """A library's record settings (created when missing), locked."""
    found, _ = RecordSettings.objects.select_for_update().get_or_create(institution=institution)
    return found
