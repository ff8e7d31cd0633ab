"""The row locks the stats app takes, named in one place (the order across apps:
backend/locks.py)."""

from __future__ import annotations

from stats.models import SushiCredential


def lock_sushi_credential(credential_id: int) -> SushiCredential:
    return SushiCredential.objects.select_for_update().get(pk=credential_id)
