"""The media demo data: real files on the embedded local store, a few seconds at most."""

from __future__ import annotations

import shutil

import pytest

from demo.plan import DemoContext
from media import demo
from media.models import Asset
from media.selectors import has_ready_rendition
from tests.factories import FilmFactory

pytestmark = pytest.mark.embedded  # the demo media of `make run`


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_demo_films_stream_from_real_files(local_store):
    films = [FilmFactory(status="in_catalogue") for _ in range(demo.FILMS)]
    demo.seed(DemoContext())
    for film in films:
        assert has_ready_rendition(film.pk)
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
