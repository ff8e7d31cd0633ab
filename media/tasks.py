"""Celery tasks of the media app: each takes ids, calls one service, and can run twice
without harm. Transcoding runs on its own `transcoding` queue (CELERY_TASK_ROUTES)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings

from media.services import playback, transcoding, uploads
from media.transcoding import TranscodeError


@shared_task(acks_late=True)
def verify_asset(asset_id: int) -> str:
    """Checksum of an uploaded asset (streamed from the store)."""
    return uploads.asset_verify(asset_id=asset_id).status


@shared_task(acks_late=True)
def inspect_asset(asset_id: int) -> str:
    """What a verified asset's file is (ffprobe, Pillow, WebVTT), before it is served."""
    return uploads.asset_inspect(asset_id=asset_id).status


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=settings.MEDIA_TRANSCODE_MAX_RETRIES,
    soft_time_limit=settings.MEDIA_TRANSCODE_TIME_LIMIT,
    time_limit=settings.MEDIA_TRANSCODE_TIME_LIMIT + 300,
)
def transcode_master(self, asset_id: int) -> str:
    """Transcode a verified master; retried up to MEDIA_TRANSCODE_MAX_RETRIES times when
    ffmpeg fails, then `failed` with ffmpeg's error. An input that is not a video fails
    at once (retrying cannot help)."""
    try:
        return transcoding.asset_transcode(asset_id=asset_id).status
    except TranscodeError as exc:
        if exc.retryable and self.request.retries < self.max_retries:
            if self.request.is_eager:
                # In-process (make run, tests): the retry runs now, counted the same way.
                return self.apply(args=(asset_id,), retries=self.request.retries + 1).result
            raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
        return transcoding.asset_transcode_fail(asset_id=asset_id, error=str(exc)).status


@shared_task
def repair_stuck_transcodes() -> int:
    """Requeue masters stuck in `transcoding` (their worker died) and checksums never run
    (their task was lost); both tasks are idempotent."""
    stuck = transcoding.transcodes_stuck(
        older_than=datetime.timedelta(seconds=settings.MEDIA_TRANSCODE_TIME_LIMIT + 600)
    )
    for asset_id in stuck:
        transcode_master.delay(asset_id)
    lost = uploads.assets_awaiting_verification(older_than=datetime.timedelta(hours=1))
    for asset_id in lost:
        verify_asset.delay(asset_id)
    unchecked = uploads.assets_awaiting_inspection(older_than=datetime.timedelta(hours=1))
    for asset_id in unchecked:
        inspect_asset.delay(asset_id)
    return len(stuck) + len(lost) + len(unchecked)


@shared_task
def abort_stale_uploads() -> int:
    """Abort multipart uploads left unfinished for more than a day."""
    return uploads.uploads_abort_stale()


@shared_task
def expire_silent_sessions() -> int:
    """End the playback sessions without heartbeat (frees their stream slot, records the
    view)."""
    return playback.sessions_expire_silent()
