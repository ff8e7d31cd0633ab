"""Demo media: a few films the demo patron can actually play in `make run`.

Files must exist for a ready stream to be realistic, so when ffmpeg is installed one tiny
clip (2 s of ffmpeg's `testsrc` at 640x360 with a tone) is generated and each demo film's
master goes through the real transcoding service (probe, HLS ladder, poster) on the
configured store; French subtitles (one SDH track) are stored beside it. Without ffmpeg,
only subtitle tracks and a poster are stored (no film is then streamable). A few seconds
at most: the clip is generated once, and only `FILMS` films get one.

Safe to run twice: nothing is done when demo assets exist."""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.demo import DEMO_LIBRARY_CODE
from catalogue.models import Film
from media.models import Asset, EncodingProfile
from media.models.assets import DEFAULT_LADDER
from media.objectstore import get_store

FILMS = 3
CLIP_SECONDS = 2
DEMO_PREFIX = "demo"

SUBTITLES = """WEBVTT

00:00:00.000 --> 00:00:01.000
Bonjour, et bienvenue.

00:00:01.000 --> 00:00:02.000
Ceci est un film de démonstration.
"""
SUBTITLES_SDH = """WEBVTT

00:00:00.000 --> 00:00:01.000
[Musique douce]

00:00:01.000 --> 00:00:02.000
NARRATRICE : Ceci est un film de démonstration.
"""
#: a 1x1 grey JPEG, the poster when ffmpeg cannot make one
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4n"
    "ICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/E"
    "ABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q=="
)


def _films(today) -> list[Film]:
    """The first films the demo library may stream at home today."""
    from institutions.models import Institution
    from rights.decisions import decide_many

    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    candidates = list(Film.objects.filter(status=Film.Status.IN_CATALOGUE).order_by("pk")[:200])
    if library is None:
        return candidates[:FILMS]
    decisions = decide_many(library, candidates, ["stream_home"], on=today)
    allowed = [f for f in candidates if decisions[f.pk]["stream_home"].allowed]
    return allowed[:FILMS]


def _clip(work: Path) -> Path | None:
    ffmpeg = shutil.which(settings.MEDIA_FFMPEG)
    if ffmpeg is None or shutil.which(settings.MEDIA_FFPROBE) is None:
        return None
    clip = work / "clip.mp4"
    try:
        subprocess.run(
            [ffmpeg, "-hide_banner", "-nostdin", "-y",
             "-f", "lavfi", "-i", f"testsrc=duration={CLIP_SECONDS}:size=640x360:rate=25",
             "-f", "lavfi", "-i", f"sine=duration={CLIP_SECONDS}",
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-shortest", str(clip)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return clip


def _store_file(store, work: Path, key: str, data: bytes, content_type: str) -> int:
    local = work / uuid.uuid4().hex
    local.write_bytes(data)
    store.upload_file(local, key, content_type)
    return len(data)


def _ensure_ladder() -> None:
    """The ladder the data migration loads (a `flush` empties the table)."""
    for name, height, video, audio in DEFAULT_LADDER:
        EncodingProfile.objects.get_or_create(
            name=name,
            defaults={"height": height, "video_bitrate_kbps": video, "audio_bitrate_kbps": audio},
        )


def seed(ctx) -> None:
    from media.services.transcoding import asset_transcode, asset_transcode_fail
    from media.transcoding import TranscodeError

    if Asset.objects.filter(storage_key__startswith=f"{DEMO_PREFIX}/").exists():
        return
    _ensure_ladder()
    started = time.monotonic()
    films = _films(timezone.localdate())
    if not films:
        return
    store = get_store()
    streamable = 0
    with tempfile.TemporaryDirectory(prefix="demo-media-") as work_dir:
        work = Path(work_dir)
        clip = _clip(work)
        for film in films:
            base = f"{DEMO_PREFIX}/films/{film.pk}"
            for language_text, sdh in ((SUBTITLES, False), (SUBTITLES_SDH, True)):
                key = f"{base}/subtitles/fr{'-sdh' if sdh else ''}.vtt"
                size = _store_file(store, work, key, language_text.encode(), "text/vtt")
                Asset.objects.create(
                    film=film, kind=Asset.Kind.SUBTITLES, language="fr",
                    for_deaf_and_hard_of_hearing=sdh, storage_key=key, size=size,
                    duration_seconds=CLIP_SECONDS, status=Asset.Status.READY,
                )  # fmt: skip
            if clip is None:
                key = f"{base}/poster.jpg"
                size = _store_file(store, work, key, TINY_JPEG, "image/jpeg")
                Asset.objects.create(
                    film=film, kind=Asset.Kind.POSTER, storage_key=key, size=size,
                    status=Asset.Status.READY,
                )  # fmt: skip
                continue
            key = f"{base}/master/demo.mp4"
            store.upload_file(clip, key, "video/mp4")
            master = Asset.objects.create(
                film=film, kind=Asset.Kind.MASTER, storage_key=key,
                size=clip.stat().st_size, status=Asset.Status.VERIFIED,
            )  # fmt: skip
            try:
                asset_transcode(asset_id=master.pk)
            except TranscodeError as exc:  # the demo goes on; the asset says why
                asset_transcode_fail(asset_id=master.pk, error=str(exc))
                continue
            streamable += 1
    ctx.say(
        f"media: {len(films)} films with French subtitles, {streamable} with a ready HLS"
        f" stream{'' if clip is not None else ' (ffmpeg not found: no clip made)'}"
        f" ({time.monotonic() - started:.1f} s)"
    )
