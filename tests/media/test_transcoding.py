"""Transcoding with the real ffmpeg on a clip it generated itself: the ladder up to the
source's height, the master playlist and the poster in the store; progress; a second run
replaces rather than duplicates; failures end `failed` with ffmpeg's own error."""

from __future__ import annotations

from pathlib import Path

import pytest

from media import transcoding
from media.models import Asset
from media.tasks import transcode_master
from tests.factories import FilmFactory
from tests.media.conftest import stored_master


@pytest.fixture
def film(db):
    return FilmFactory()


def outputs(master):
    return sorted(
        (a.kind, a.profile.name if a.profile else "", a.pk, a.storage_key)
        for a in master.derived.select_related("profile")
    )


def test_ladder_from_a_720p_clip(s3, film, clip, editor_api, django_capture_on_commit_callbacks):
    master = stored_master(film, s3, clip)
    assert transcode_master.delay(master.pk).get() == "ready"

    master.refresh_from_db()
    assert (master.status, master.progress_percent, master.error) == ("ready", 100, "")
    assert (master.width, master.height) == (1280, 720)
    assert 2.5 < master.duration_seconds < 3.5
    renditions = master.derived.filter(kind=Asset.Kind.HLS_RENDITION).select_related("profile")
    assert sorted(r.profile.name for r in renditions) == ["360p", "480p", "720p"]  # ≤ source
    for rendition in renditions:
        assert rendition.status == Asset.Status.READY
        playlist = s3.read_text(rendition.storage_key)
        segments = [line for line in playlist.splitlines() if line and not line.startswith("#")]
        assert segments and playlist.rstrip().endswith("#EXT-X-ENDLIST")
        directory = rendition.storage_key.rsplit("/", 1)[0]
        assert all(s3.size(f"{directory}/{name}") for name in segments)
    master_playlist = master.derived.get(kind=Asset.Kind.HLS_MASTER_PLAYLIST)
    ffmpeg_master = s3.read_text(master_playlist.storage_key)
    assert ffmpeg_master.count("#EXT-X-STREAM-INF") == 3
    # What was encoded, measured: the codecs ffmpeg itself wrote from the stream (Main
    # profile, each rung's own level), the real size and frame rate, the peak above the
    # average, the first frame's MPEG-TS time (ffmpeg's offset, about 1.4 s).
    for rendition in renditions:
        assert f'CODECS="{rendition.codecs}"' in ffmpeg_master
        assert rendition.codecs.startswith("avc1.4d40") and rendition.codecs.endswith(",mp4a.40.2")
        assert f"RESOLUTION={rendition.width}x{rendition.height}" in ffmpeg_master
        assert rendition.frame_rate == 25.0
        assert rendition.peak_bitrate >= rendition.average_bitrate > 0
        assert 90_000 < rendition.start_pts < 180_000
        assert 2.5 < rendition.duration_seconds < 3.5
    levels = {r.profile.name: r.codecs.split(",")[0][-2:] for r in renditions}
    assert levels == {"720p": "1f", "480p": "1e", "360p": "1e"}  # 3.1, 3.0, 3.0
    poster = master.derived.get(kind=Asset.Kind.POSTER)
    head = s3.client.get_object(Bucket=s3.bucket, Key=poster.storage_key)["Body"].read(3)
    assert head == b"\xff\xd8\xff"  # a JPEG

    # The API shows the state; re-running through it replaces the outputs, same rows.
    before = outputs(master)
    listed = editor_api.get(f"/api/v1/media/assets/?film={film.pk}&kind=master").json()
    assert listed["results"][0]["progress_percent"] == 100
    with django_capture_on_commit_callbacks(execute=True):
        again = editor_api.post(f"/api/v1/media/assets/{master.pk}/transcode/")
    assert again.status_code == 202
    master.refresh_from_db()
    assert master.status == Asset.Status.READY and master.attempts == 2
    assert outputs(master) == before
    assert Asset.objects.filter(film=film).count() == 1 + 3 + 2


def test_progress_is_reported_in_percent(settings, clip, tmp_path):
    seen = []
    info = transcoding.probe(clip)
    rung = transcoding.Rung("360p", 360, 800, 96)
    transcoding.run_with_progress(
        transcoding.ladder_command(clip, tmp_path, [rung], has_audio=info.has_audio),
        duration=info.duration,
        on_progress=seen.append,
    )
    assert seen and seen == sorted(seen) and all(0 <= p <= 99 for p in seen)
    assert (tmp_path / "360p" / "index.m3u8").exists()


def test_a_master_that_is_not_a_video_fails_with_ffmpegs_error(s3, film, tmp_path):
    bogus = tmp_path / "notes.mov"
    bogus.write_text("this is not a film\n" * 100)
    master = stored_master(film, s3, bogus)
    assert transcode_master.delay(master.pk).get() == "failed"
    master.refresh_from_db()
    assert master.status == Asset.Status.FAILED
    assert "Invalid data found when processing input" in master.error
    assert master.attempts == 1  # the input will not change: no retry
    assert not master.derived.exists()


def test_ffmpeg_failures_are_retried_a_bounded_number_of_times(s3, film, clip, settings, tmp_path):
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'encoder exploded' >&2\nexit 3\n")
    broken.chmod(0o755)
    settings.MEDIA_FFMPEG = str(broken)
    settings.MEDIA_TRANSCODE_MAX_RETRIES = 2
    master = stored_master(film, s3, clip)
    assert transcode_master.delay(master.pk).get() == "failed"
    master.refresh_from_db()
    assert master.attempts == 1 + transcode_master.max_retries
    assert master.error.startswith("ffmpeg exited with 3") and "encoder exploded" in master.error
    assert not master.derived.exists()


def test_only_masters_in_a_transcodable_state(s3, film, clip, editor_api):
    failed = stored_master(film, s3, clip, status=Asset.Status.FAILED)
    answer = editor_api.post(f"/api/v1/media/assets/{failed.pk}/transcode/")
    assert answer.status_code == 409 and answer.json()["code"] == "invalid_status_transition"
    failed.refresh_from_db()
    assert failed.status == Asset.Status.FAILED and failed.attempts == 0


def test_peak_segment_bitrate_follows_rfc_8216():
    """The largest rate over runs of consecutive segments lasting 0.5 to 1.5 target
    durations (a short last segment counts with its neighbour, not alone)."""
    target = 6
    segments = [(6.0, 750_000), (6.0, 1_500_000), (6.0, 900_000), (0.5, 200_000)]
    # 1.5 MB in 6 s = 2 Mbit/s; the 0.5 s tail alone (3.2 Mbit/s) is too short to count,
    # with its neighbour it is 1.1 MB in 6.5 s
    assert transcoding.peak_segment_bitrate(segments, target) == 2_000_000
    assert transcoding.peak_segment_bitrate([(2.0, 250_000)], 6) == 1_000_000  # too short: all


def test_codecs_from_the_sequence_parameter_set():
    # an access unit delimiter, the SPS (Main, constraint flags 0x40, level 3.1), a PPS
    annex_b = bytes.fromhex("000000010910" + "00000001674d401fec" + "00000168ee")
    assert transcoding.avc_codec(annex_b) == "avc1.4d401f"
    assert transcoding.avc_codec(bytes.fromhex("01640028ffe1")) == "avc1.640028"  # avcC
    with pytest.raises(transcoding.TranscodeError):
        transcoding.avc_codec(bytes.fromhex("0000000168ee"))  # no SPS


def test_rungs_never_taller_than_the_source():
    ladder = [transcoding.Rung(f"{h}p", h, 1, 1) for h in (1080, 720, 480, 360)]
    assert [r.height for r in transcoding.rungs_for(1080, ladder)] == [1080, 720, 480, 360]
    assert [r.height for r in transcoding.rungs_for(600, ladder)] == [480, 360]
    assert [r.height for r in transcoding.rungs_for(240, ladder)] == [360]


def test_clip_fixture_is_a_video(clip: Path):
    info = transcoding.probe(clip)
    assert (info.width, info.height, info.has_audio) == (1280, 720, True)
