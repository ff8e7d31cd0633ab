"""The row locks this app takes, named in one place."""

from __future__ import annotations

from media.models import Asset, PlaybackSession, Upload


def lock_upload(upload_id: int) -> Upload:
    """The upload and its asset, locked (upload first, then asset: always this order)."""
    upload = Upload.objects.select_for_update().get(pk=upload_id)
    upload.asset = Asset.objects.select_for_update().get(pk=upload.asset_id)
    return upload


def lock_asset(asset_id: int) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset_id)


def lock_session(session_id) -> PlaybackSession:
    return PlaybackSession.objects.select_for_update().get(pk=session_id)
