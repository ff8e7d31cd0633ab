"""The transcoding of a verified master: states, outputs and idempotence around the
ffmpeg functions of media.transcoding.

verified → transcoding (progress in percent) → ready, or failed with ffmpeg's error.
Outputs go to fixed keys under the master (`films/<film>/hls/<master>/...`) and their
asset rows are unique by (source, kind, profile): running it twice replaces, never
duplicates. The master and its outputs are read and written only through the store."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError
from media import transcoding
from media.errors import MediaErrorCode
from media.locks import lock_asset
from media.models import Asset, EncodingProfile
from media.objectstore import content_type_for, get_store

TRANSCODABLE = {Asset.Status.VERIFIED, Asset.Status.TRANSCODING, Asset.Status.READY}


def output_prefix(master: Asset) -> str:
    return f"films/{master.film_id}/hls/{master.pk}"


def _check_transcodable(asset: Asset) -> None:
    if asset.kind != Asset.Kind.MASTER:
        raise ApplicationError(MediaErrorCode.NOT_A_MASTER, _("Only a master is transcoded."))
    if asset.status not in TRANSCODABLE:
        raise ConflictError(
            MediaErrorCode.INVALID_TRANSITION,
            _("A %(status)s asset cannot be transcoded.") % {"status": asset.get_status_display()},
        )


def asset_transcode_request(*, asset_id: int) -> Asset:
    """Queue the (re)transcoding of a verified or ready master, after commit."""
    from media.tasks import transcode_master

    with transaction.atomic():
        asset = lock_asset(asset_id)
        _check_transcodable(asset)
        transaction.on_commit(lambda: transcode_master.delay(asset_id))
    return asset


def asset_transcode_start(*, asset_id: int) -> Asset:
    """verified (or ready, to re-run; or transcoding, to retry) → transcoding."""
    with transaction.atomic():
        asset = lock_asset(asset_id)
        _check_transcodable(asset)
        asset.status = Asset.Status.TRANSCODING
        asset.progress_percent = 0
        asset.attempts += 1
        asset.error = ""
        asset.save(update_fields=["status", "progress_percent", "attempts", "error", "updated_at"])
    return asset


def _set_progress(asset_id: int, percent: int) -> None:
    Asset.objects.filter(pk=asset_id, status=Asset.Status.TRANSCODING).update(
        progress_percent=percent, updated_at=timezone.now()
    )


def _upload_tree(store, directory: Path, prefix: str) -> int:
    total = 0
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        key = f"{prefix}/{path.relative_to(directory).as_posix()}"
        store.upload_file(path, key, content_type_for(path.name))
        total += path.stat().st_size
    return total


def active_ladder() -> list[transcoding.Rung]:
    return [
        transcoding.Rung(p.name, p.height, p.video_bitrate_kbps, p.audio_bitrate_kbps)
        for p in EncodingProfile.objects.filter(is_active=True)
    ]


def asset_transcode(*, asset_id: int) -> Asset:
    """Encode the master into the ladder, a poster and ffmpeg's master playlist, measure
    every rung, upload them and record them. Raises transcoding.TranscodeError (the task
    retries or fails it)."""
    master = asset_transcode_start(asset_id=asset_id)
    store = get_store()
    with tempfile.TemporaryDirectory(prefix="transcode-") as work:
        work_dir = Path(work)
        source = work_dir / "master"
        store.download_to(master.storage_key, source)
        ladder = transcoding.encode_ladder(
            source,
            work_dir / "hls",
            active_ladder(),
            on_progress=lambda percent: _set_progress(asset_id, percent),
        )
        return ladder_store(asset_id=asset_id, ladder=ladder)


def ladder_store(*, asset_id: int, ladder: transcoding.Ladder) -> Asset:
    """Upload an encoded ladder under the master's prefix and record it: one ready
    rendition per rung with what was measured, the master playlist and the poster; the
    master becomes ready."""
    store = get_store()
    master = Asset.objects.get(pk=asset_id)
    prefix = output_prefix(master)
    out_dir = ladder.directory
    sizes = {
        r.name: _upload_tree(store, out_dir / r.name, f"{prefix}/{r.name}") for r in ladder.rungs
    }
    for name in ("master.m3u8", "poster.jpg"):
        store.upload_file(out_dir / name, f"{prefix}/{name}", content_type_for(name))
    profiles = {p.name: p for p in EncodingProfile.objects.all()}
    info = ladder.source

    with transaction.atomic():
        master = lock_asset(asset_id)
        common = {"film_id": master.film_id, "status": Asset.Status.READY, "error": ""}
        kept = []
        for rung in ladder.rungs:
            output, _created = Asset.objects.update_or_create(
                source=master,
                kind=Asset.Kind.HLS_RENDITION,
                profile=profiles[rung.name],
                defaults={
                    **common,
                    "storage_key": f"{prefix}/{rung.name}/index.m3u8",
                    "size": sizes[rung.name],
                    "width": rung.width,
                    "height": rung.height,
                    "duration_seconds": rung.duration,
                    "frame_rate": rung.frame_rate,
                    "codecs": rung.codecs,
                    "peak_bitrate": rung.peak_bitrate,
                    "average_bitrate": rung.average_bitrate,
                    "start_pts": rung.start_pts,
                    "progress_percent": 100,
                },
            )
            kept.append(output.pk)
        # A rung that a previous run produced and this one did not is no longer served.
        master.derived.filter(kind=Asset.Kind.HLS_RENDITION).exclude(pk__in=kept).delete()
        for kind, name in (
            (Asset.Kind.HLS_MASTER_PLAYLIST, "master.m3u8"),
            (Asset.Kind.POSTER, "poster.jpg"),
        ):
            Asset.objects.update_or_create(
                source=master,
                kind=kind,
                profile=None,
                defaults={
                    **common,
                    "storage_key": f"{prefix}/{name}",
                    "size": (out_dir / name).stat().st_size,
                },
            )
        master.status = Asset.Status.READY
        master.progress_percent = 100
        master.width, master.height = info.width, info.height
        master.duration_seconds = info.duration
        master.save()
    return master


def asset_transcode_fail(*, asset_id: int, error: str) -> Asset:
    """transcoding → failed, with ffmpeg's error (after the bounded retries)."""
    with transaction.atomic():
        asset = lock_asset(asset_id)
        if asset.status == Asset.Status.TRANSCODING:
            asset.status = Asset.Status.FAILED
            asset.error = error
            asset.save(update_fields=["status", "error", "updated_at"])
    return asset


def transcodes_stuck(*, older_than: datetime.timedelta) -> list[int]:
    """Masters left `transcoding` without progress for too long (a worker died)."""
    cutoff = timezone.now() - older_than
    return list(
        Asset.objects.filter(
            kind=Asset.Kind.MASTER, status=Asset.Status.TRANSCODING, updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
