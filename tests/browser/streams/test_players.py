"""A whole film in real players, on a scale model: a 24 s film in 2 s segments, encoded
once per test session by the real transcoding functions (ladder, measurements) and stored
for each test by `ladder_store`; store URLs that live 2 s.

- hls.js in chromium, on a page of another origin than the API: the film plays past the
  store URLs' lifetime to its end; the level list is the ladder as encoded, starting with
  the start rung; the French subtitles are selected (a film in English) and their cues
  show at their times ±100 ms; the same from the S3 store (moto) through the bucket's CORS
  rules; a reload keeps one open session and resumes within one segment of the last
  heartbeat.
- ffprobe and ffmpeg over HTTP on every rung: the master playlist's values are the
  encodes'; ffmpeg, reading the playlists once, reads the film to its end at 8x.

Each browser test lasts as long as the film needs to outlast the URL lifetime in wall-clock
time (a few seconds at 4x)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from urllib.parse import urljoin

import pytest

from media import transcoding
from media.models import Asset, PlaybackSession
from tests.browser.conftest import unavailable
from tests.browser.streams.conftest import (
    CUES,
    FILM_SECONDS,
    SCALE_LADDER,
    SEGMENT_SECONDS,
    URL_SECONDS,
    compose_bucket_cors,
)


def play(page, live_server, film, token, *, rate=4, **hls):
    """Start a session from the page and play it with hls.js (small buffer: segments are
    fetched as the film goes, not all at once)."""
    config = {"maxBufferLength": 2, "maxMaxBufferLength": 3, **hls}
    return page.evaluate(
        "options => playback(options)",
        {"api": live_server.url, "film": film.pk, "token": token, "rate": rate, "hls": config},
    )


def journal(page, kind=None) -> list[dict]:
    entries = page.evaluate("window.journal")
    return [e for e in entries if kind is None or e["type"] == kind]


def network_or_fatal(errors: list[dict]) -> list[dict]:
    """hls.js's network errors (a playlist or segment refused, even if it recovered by
    switching level) and fatal ones; a media error it recovers from is no refusal."""
    return [e for e in errors if e["fatal"] or e["kind"] == "networkError"]


def wait_for(page, condition: str, timeout: float = 30_000):
    page.wait_for_function(condition, timeout=timeout, polling=50)


@pytest.mark.slow
def test_a_film_longer_than_the_url_lifetime_plays_to_its_end(
    hls_page, live_server, local_store, film, viewer_token
):
    """Slow: the film must play (at 4x: 6 s) longer than the store URLs live (2 s) in
    wall-clock time; then the subtitles are checked by seeking."""
    page = hls_page
    play(page, live_server, film, viewer_token)
    wait_for(page, "window.journal.some(e => e.type === 'ended')")

    assert not network_or_fatal(journal(page, "error"))  # not even one refused segment
    fragments = [e for e in journal(page, "fragment") if e["kind"] == "main"]
    assert sorted({e["sn"] for e in fragments}) == list(range(FILM_SECONDS // SEGMENT_SECONDS))
    # the last segments were fetched well after the first ones' store URLs had expired
    assert fragments[-1]["wall"] - fragments[0]["wall"] > 2 * URL_SECONDS * 1000
    [ended] = journal(page, "ended")
    assert ended["at"] == pytest.approx(FILM_SECONDS, abs=0.2)

    # the levels are the ladder as encoded; the first listed (where playback starts) is
    # the start rung
    levels = page.evaluate(
        "hls.levels.map(l => [l.width, l.height, l.bitrate, l.videoCodec, l.audioCodec])"
    )
    renditions = Asset.objects.filter(film=film, kind=Asset.Kind.HLS_RENDITION)
    assert sorted(levels) == sorted(
        [r.width, r.height, r.peak_bitrate, *r.codecs.split(",")] for r in renditions
    )
    assert page.evaluate("hls.levels[hls.firstLevel].height") == 360

    # French subtitles were selected (a film in English), each cue placed at its time
    tracks = page.evaluate("""() => Array.from(document.getElementById('video').textTracks)
        .map(t => ({language: t.language, mode: t.mode,
                    cues: Array.from(t.cues || []).map(c => [c.text, c.startTime])}))""")
    [shown] = [t for t in tracks if t["mode"] == "showing"]
    assert shown["language"] == "fr"
    assert {text: start for text, start in shown["cues"]} == {
        text: pytest.approx(start, abs=0.1) for text, start in CUES.items()
    }
    # ... and shown then: not 80 ms before its time, shown 80 ms after (paused there)
    for text, start in CUES.items():
        assert text not in shown_at(page, start - 0.08)
        assert text in shown_at(page, start + 0.08)
    assert not [line for line in page.console_lines if "CORS" in line]


def shown_at(page, seconds: float) -> list[str]:
    """The subtitle cues on screen with the film paused at `seconds`."""
    return page.evaluate(
        """async seconds => {
            const video = document.getElementById("video");
            video.pause();
            const seeked = new Promise(resolve =>
                video.addEventListener("seeked", resolve, {once: true}));
            video.currentTime = seconds;
            await seeked;
            const track = Array.from(video.textTracks).find(t => t.mode === "showing");
            return Array.from(track.activeCues).map(cue => cue.text);
        }""",
        seconds,
    )


def test_the_s3_store_serves_the_stream_to_another_origin(
    hls_page, page_origin, live_server, s3, film, viewer_token
):
    """The segment links redirect to the bucket (another origin again, and the request's
    origin becomes `null` after a cross-origin redirect): its CORS rules, as
    docker-compose's createbucket sets them (GET and HEAD from any origin: the presigned
    URL is the credential), let the page read the segments; without them it cannot."""
    page = hls_page
    segment = Asset.objects.filter(film=film, kind=Asset.Kind.HLS_RENDITION).first()
    url = s3.download_url(segment.storage_key.replace("index.m3u8", "seg_00000.ts"), expires=60)
    readable = "url => fetch(url).then(answer => answer.ok, () => false)"
    assert page.evaluate(readable, url) is False  # no rule: the browser refuses
    rules = compose_bucket_cors(f"{page_origin}/app/,https://other.example.org")
    assert rules["CORSRules"][1]["AllowedOrigins"] == [page_origin, "https://other.example.org"]
    s3.client.put_bucket_cors(Bucket=s3.bucket, CORSConfiguration=rules)
    assert page.evaluate(readable, url) is True
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    play(page, live_server, film, viewer_token)
    wait_for(page, "document.getElementById('video').currentTime > 6")
    assert not network_or_fatal(journal(page, "error"))
    store = s3.client.meta.endpoint_url
    from_store = [u for u in requested if u.startswith(f"{store}/{s3.bucket}/") and ".ts?" in u]
    assert len(from_store) >= 3  # the segments came from the bucket


def test_a_reload_keeps_one_session_and_resumes(
    hls_page, live_server, local_store, film, patron, viewer_token
):
    page = hls_page
    first = play(page, live_server, film, viewer_token)
    wait_for(page, "document.getElementById('video').currentTime > 9")
    assert page.evaluate("heartbeat()") == 200
    position = PlaybackSession.objects.get(pk=first["session"]).position_seconds
    assert 9 < position < FILM_SECONDS

    page.reload()  # no end sent: the player just went away
    page.wait_for_function("window.playback !== undefined")
    second = play(page, live_server, film, viewer_token)
    assert second["resume_from"] == pytest.approx(position)
    wait_for(page, "window.journal.some(e => e.type === 'playing')")
    [playing] = journal(page, "playing")
    assert abs(playing["at"] - position) <= SEGMENT_SECONDS
    sessions = PlaybackSession.objects.filter(user=patron, film=film)
    assert sessions.count() == 2
    assert list(sessions.filter(ended_at__isnull=True).values_list("pk", flat=True)) == [
        uuid.UUID(second["session"])
    ]


# --- ffprobe and ffmpeg -----------------------------------------------------------------
def _ffprobe(url: str) -> dict:
    proc = subprocess.run(
        [shutil.which("ffprobe"), "-v", "error", "-print_format", "json", "-show_streams", url],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _attributes(line: str) -> dict[str, str]:
    """The attributes of an #EXT-X-STREAM-INF line (quoted values may hold commas)."""
    return {
        key: value.strip('"')
        for key, value in re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1])
    }


@pytest.mark.slow
def test_ffprobe_finds_what_the_master_playlist_declares(
    live_server, local_store, film, patron, viewer_token
):
    """Slow: ffprobe on three rungs over HTTP, and ffmpeg reading the film at 8x (3 s:
    longer than the store URLs live)."""
    if shutil.which("ffprobe") is None or shutil.which("ffmpeg") is None:
        unavailable("ffmpeg and ffprobe are not installed")
    import requests

    headers = {"Authorization": f"Token {viewer_token}"}
    body = requests.post(
        f"{live_server.url}/api/v1/films/{film.pk}/playback/", headers=headers, timeout=10
    ).json()
    master_url = body["master_playlist_url"]
    master = requests.get(master_url, timeout=10).text
    lines = master.splitlines()
    variants = [
        (_attributes(line), urljoin(master_url, lines[i + 1]))
        for i, line in enumerate(lines)
        if line.startswith("#EXT-X-STREAM-INF:")
    ]
    assert len(variants) == len(SCALE_LADDER)
    for declared, url in variants:
        streams = _ffprobe(url)["streams"]
        video = next(s for s in streams if s["codec_type"] == "video")
        audio = next(s for s in streams if s["codec_type"] == "audio")
        assert declared["RESOLUTION"] == f"{video['width']}x{video['height']}"
        numerator, denominator = video["r_frame_rate"].split("/")
        assert float(declared["FRAME-RATE"]) == pytest.approx(int(numerator) / int(denominator))
        video_codec, audio_codec = declared["CODECS"].split(",")
        profile_idc = {"Main": "4d", "High": "64", "Constrained Baseline": "42"}[video["profile"]]
        assert video_codec.startswith(f"avc1.{profile_idc}")
        assert int(video_codec[-2:], 16) == video["level"]
        assert (audio["codec_name"], audio["profile"], audio_codec) == ("aac", "LC", "mp4a.40.2")
        # the bit rates, from the segments as served: peak of RFC 8216 and average
        playlist = requests.get(url, timeout=10).text
        target, segments = transcoding.media_playlist(playlist)
        sizes = []
        for duration, uri in segments:
            answer = requests.get(urljoin(url, uri), timeout=10)
            assert answer.status_code == 200 and answer.headers["Content-Type"] == "video/mp2t"
            sizes.append((duration, len(answer.content)))
        total = sum(d for d, _ in sizes)
        assert int(declared["AVERAGE-BANDWIDTH"]) == pytest.approx(
            sum(s for _, s in sizes) * 8 / total, abs=1
        )
        peaks = [
            sum(s for _, s in run) * 8 / sum(d for d, _ in run)
            for i in range(len(sizes))
            for run in (sizes[i : i + 1], sizes[i : i + 2])
            if 0.5 * target <= sum(d for d, _ in run) <= 1.5 * target
        ]
        assert int(declared["BANDWIDTH"]) == pytest.approx(max(peaks), abs=1)

    # ffmpeg reads the playlists once and the film to its end at 8x (3 s: longer than the
    # store URLs' lifetime), every segment through its link
    start_rung = variants[0][1]
    proc = subprocess.run(
        [shutil.which("ffmpeg"), "-hide_banner", "-nostdin", "-v", "error", "-readrate", "8",
         "-i", start_rung, "-map", "0", "-c", "copy", "-f", "null", "-"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
