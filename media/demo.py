"""Demo media: a few films the demo patron can actually play in `make run`, with the
whole ladder.

Files must exist for a ready stream to be realistic: one short clip (4 s of ffmpeg's
`testsrc2` in 1080p with a tone) is generated and encoded once by the real transcoding
functions (probe, the HLS ladder from 1080p down to 360p, poster, measurements), then
stored and recorded as each demo film's master and renditions (`ladder_store`, as the
transcoding task does); French subtitles (one SDH track) are stored beside them. The
ffmpeg is the system's, or where there is none the `imageio-ffmpeg` wheel's (pinned in
requirements.lock), so a fresh machine can press play. Only without any ffmpeg are just
subtitle tracks and a poster stored (no film is then streamable). A few seconds: the clip
is encoded once, with x264's fastest preset.

Safe to run twice: nothing is done when demo assets exist."""

from __future__ import annotations

import base64
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from django.utils import timezone

from accounts.demo import DEMO_LIBRARY_CODE
from catalogue.models import Film
from institutions.models import Institution
from media import transcoding
from media.models import Asset, EncodingProfile
from media.models.assets import DEFAULT_LADDER
from media.objectstore import get_store
from rights.decisions import decide_many
from rights.models import Medium

FILMS = 3
CLIP_SECONDS = 4
DEMO_PREFIX = "demo"

SUBTITLES = """WEBVTT

00:00:00.000 --> 00:00:02.000
Bonjour, et bienvenue.

00:00:02.000 --> 00:00:04.000
Ceci est un film de démonstration.
"""
SUBTITLES_SDH = """WEBVTT

00:00:00.000 --> 00:00:02.000
[Musique douce]

00:00:02.000 --> 00:00:04.000
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
    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    candidates = list(Film.objects.filter(status=Film.Status.IN_CATALOGUE).order_by("pk")[:200])
    if library is None:
        return candidates[:FILMS]
    decisions = decide_many(library, candidates, [Medium.STREAM_HOME], on=today)
    allowed = [f for f in candidates if decisions[f.pk][Medium.STREAM_HOME].allowed]
    return allowed[:FILMS]


def _clip(work: Path) -> Path | None:
    """The demo master: a 1080p clip (the whole ladder fits under it), or None without
    ffmpeg."""
    ffmpeg = transcoding.ffmpeg_executable()
    if ffmpeg is None:
        return None
    clip = work / "clip.mp4"
    try:
        subprocess.run(
            [ffmpeg, "-hide_banner", "-nostdin", "-y",
             "-f", "lavfi", "-i", f"testsrc2=duration={CLIP_SECONDS}:size=1920x1080:rate=25",
             "-f", "lavfi", "-i", f"sine=duration={CLIP_SECONDS}:frequency=440",
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-shortest", str(clip)],
            check=True, capture_output=True, timeout=120,
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
    from media.services.transcoding import active_ladder, asset_transcode_fail, ladder_store

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
        ladder, error = None, ""
        if clip is not None:
            try:  # once for every demo film: they share the clip
                ladder = transcoding.encode_ladder(
                    clip, work / "hls", active_ladder(), preset="ultrafast"
                )
            except transcoding.TranscodeError as exc:  # the demo goes on; the assets say why
                error = str(exc)
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
                film=film, kind=Asset.Kind.MASTER, storage_key=key, size=clip.stat().st_size,
                status=Asset.Status.TRANSCODING if ladder is None else Asset.Status.VERIFIED,
            )  # fmt: skip
            if ladder is None:
                asset_transcode_fail(asset_id=master.pk, error=error)
                continue
            ladder_store(asset_id=master.pk, ladder=ladder)
            streamable += 1
    rungs = ", ".join(r.name for r in ladder.rungs) if ladder else ""
    ctx.say(
        f"media: {len(films)} films with French subtitles, {streamable} with a ready HLS"
        f" stream{f' ({rungs})' if rungs else ''}"
        f"{'' if clip is not None else ' (ffmpeg not found: no clip made)'}"
        f" ({time.monotonic() - started:.1f} s)"
    )
