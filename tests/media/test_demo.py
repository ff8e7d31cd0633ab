"""The media demo data: real files on the embedded local store, the whole ladder, a few
seconds; with the system's ffmpeg or, on a machine without one, the imageio-ffmpeg
wheel's."""

from __future__ import annotations

import shutil

import pytest

from demo.plan import DemoContext
from media import demo, transcoding
from media.models import Asset
from media.selectors import has_ready_rendition
from tests.factories import FilmFactory

pytestmark = pytest.mark.embedded  # the demo media of `make run`


@pytest.fixture
def without_system_ffmpeg(monkeypatch):
    """A machine with no ffmpeg on PATH: only the wheel's remains."""
    real_which = shutil.which
    monkeypatch.setattr(
        transcoding.shutil,
        "which",
        lambda name, *args, **kwargs: (
            None if name in {"ffmpeg", "ffprobe"} else real_which(name, *args, **kwargs)
        ),
    )


@pytest.mark.embedded
def test_demo_films_stream_the_whole_ladder_without_a_system_ffmpeg(
    local_store, without_system_ffmpeg
):
    assert "imageio_ffmpeg" in transcoding.ffmpeg_executable()  # the wheel's
    films = [FilmFactory(status="in_catalogue") for _ in range(demo.FILMS)]
    demo.seed(DemoContext())
    for film in films:
        assert has_ready_rendition(film.pk)
        renditions = Asset.objects.filter(film=film, kind=Asset.Kind.HLS_RENDITION)
        assert sorted(r.height for r in renditions) == [360, 480, 720, 1080]
        assert all(r.codecs and r.peak_bitrate and r.start_pts for r in renditions)
        for asset in Asset.objects.filter(film=film, status=Asset.Status.READY):
            assert local_store.size(asset.storage_key), asset.storage_key
        subtitles = Asset.objects.filter(film=film, kind=Asset.Kind.SUBTITLES)
        assert sorted(subtitles.values_list("for_deaf_and_hard_of_hearing", flat=True)) == [
            False,
            True,
        ]
    count = Asset.objects.count()
    demo.seed(DemoContext())  # safe to run twice
    assert Asset.objects.count() == count


def test_without_ffmpeg_only_posters_and_subtitles(local_store, settings):
    settings.MEDIA_FFMPEG = "/nonexistent/ffmpeg"
    film = FilmFactory(status="in_catalogue")
    demo.seed(DemoContext())
    kinds = sorted(Asset.objects.filter(film=film).values_list("kind", flat=True))
    assert kinds == ["poster", "subtitles", "subtitles"]
    assert not has_ready_rendition(film.pk)
    assert all(local_store.size(a.storage_key) for a in Asset.objects.all())
