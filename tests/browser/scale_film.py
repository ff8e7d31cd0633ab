"""The scale film every browser test plays: 24 s in 2 s segments, encoded once per test
session by the real transcoding functions (ladder, measurements), stored for a test by
`store_scale_film` with French subtitles (and, when asked, SDH ones); store URLs that
live 2 s, a fraction of the film."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import override_settings

from media import transcoding
from media.models import Asset, EncodingProfile
from media.objectstore import get_store
from media.services.transcoding import ladder_store
from tests.browser.support import unavailable

FILM_SECONDS = 24
SEGMENT_SECONDS = 2
URL_SECONDS = 2  # the store's URLs: a fraction of the film
#: the scale model's ladder (heights under the 360p source)
SCALE_LADDER = [
    transcoding.Rung("360p", 360, 700, 64),
    transcoding.Rung("240p", 240, 350, 64),
    transcoding.Rung("144p", 144, 150, 48),
]
#: cue start times (s) of the French subtitles; the first is near the very start
CUES = {"Bonjour": 0.5, "Trois": 3.0, "Onze": 11.0}
SUBTITLES = """WEBVTT

00:00:00.500 --> 00:00:02.000
Bonjour

00:00:03.000 --> 00:00:05.000
Trois

00:00:11.000 --> 00:00:13.000
Onze
"""

SUBTITLES_SDH = SUBTITLES.replace("Bonjour", "[Musique] Bonjour")


@pytest.fixture(scope="session")
def scale_ladder(tmp_path_factory) -> transcoding.Ladder:
    """The scale film, encoded once per session: 24 s of 640x360 at 25 fps with a tone,
    into three rungs of 2 s segments, with the production preset (B-frames: the first
    frame is not at MPEG-TS 0)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        unavailable("ffmpeg is not installed")
    work = tmp_path_factory.mktemp("scale-film")
    source = work / "master.mp4"
    subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"testsrc2=duration={FILM_SECONDS}:size=640x360:rate=25",
         "-f", "lavfi", "-i", f"sine=duration={FILM_SECONDS}:frequency=330",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with override_settings(MEDIA_HLS_SEGMENT_SECONDS=SEGMENT_SECONDS):
        return transcoding.encode_ladder(source, work / "hls", SCALE_LADDER)


def store_scale_film(streamable_film, scale_ladder, settings, *, sdh=False):
    """The scale film in the configured store for this film: ready renditions as
    measured, French subtitles (and SDH ones when asked); its original language is
    English; store URLs live 2 s."""
    from catalogue.models import Language

    settings.MEDIA_SEGMENT_URL_SECONDS = URL_SECONDS
    settings.MEDIA_PRESIGNED_URL_SECONDS = URL_SECONDS
    english, _ = Language.objects.get_or_create(code="en", defaults={"name": "anglais"})
    streamable_film.original_languages.set([english])
    for rung in SCALE_LADDER:
        EncodingProfile.objects.update_or_create(
            name=rung.name,
            defaults={
                "height": rung.height,
                "video_bitrate_kbps": rung.video_kbps,
                "audio_bitrate_kbps": rung.audio_kbps,
            },
        )
    master = Asset.objects.create(
        film=streamable_film,
        kind=Asset.Kind.MASTER,
        storage_key=f"films/{streamable_film.pk}/master/scale.mp4",
        status=Asset.Status.VERIFIED,
    )
    ladder_store(asset_id=master.pk, ladder=scale_ladder)
    key = f"films/{streamable_film.pk}/subtitles/fr.vtt"
    get_store().write_bytes(key, SUBTITLES.encode(), "text/vtt")
    Asset.objects.create(
        film=streamable_film, kind=Asset.Kind.SUBTITLES, language="fr", storage_key=key,
        duration_seconds=FILM_SECONDS, status=Asset.Status.READY,
    )  # fmt: skip
    if sdh:
        key = f"films/{streamable_film.pk}/subtitles/fr-sdh.vtt"
        get_store().write_bytes(key, SUBTITLES_SDH.encode(), "text/vtt")
        Asset.objects.create(
            film=streamable_film, kind=Asset.Kind.SUBTITLES, language="fr", storage_key=key,
            for_deaf_and_hard_of_hearing=True, duration_seconds=FILM_SECONDS,
            status=Asset.Status.READY,
        )  # fmt: skip
    return streamable_film
