"""The row locks this app takes, named in one place (the order across apps:
backend/locks.py): the playback start takes the viewer's sessions after the subscription's
lock (`subscriptions.locks.lock_streaming_subscription`)."""

from __future__ import annotations

from django.db.models import F

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


def lock_viewer_session(*, session_id, user_id) -> PlaybackSession | None:
    """A session of this viewer, locked (None when it is not theirs or does not exist)."""
    return (
        PlaybackSession.objects.select_for_update().filter(pk=session_id, user_id=user_id).first()
    )


def lock_viewer_sessions_of(*, user_id, film_id) -> PlaybackSession | None:
    """The viewer's last session of a film, locked: the open one (at most one), else the
    one that ended last. (Not simply the latest started: concurrent starts take their
    start times before they wait for the subscription's lock, so a later start time may
    commit first.) Taken after the subscription's lock by the playback start; heartbeats
    and ends lock only their own session."""
    return (
        PlaybackSession.objects.select_for_update(of=("self",))
        .filter(user_id=user_id, film_id=film_id)
        .order_by(F("ended_at").desc(nulls_first=True), "-started_at")
        .first()
    )
