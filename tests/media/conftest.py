"""A real S3 endpoint (moto_server over HTTP) for the media tests, a short test clip made
by ffmpeg, and the data a playback needs (rights, a streaming subscription).

moto does not check presigned signatures nor their expiry: the tests check that every
presigned URL carries a short X-Amz-Expires, and test expiry on the backend's own
signed URLs."""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.utils import timezone

from media.models import Asset, EncodingProfile
from media.models.assets import DEFAULT_LADDER
from media.objectstore import get_store
from rights.models import Medium
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.factories import FilmFactory
from tests.rights.conftest import GrantFactory
from tests.subscriptions.conftest import make_grid

MOTO_SERVER = Path(sys.executable).parent / "moto_server"


@pytest.fixture(autouse=True)
def encoding_ladder(db):
    """The ladder the data migration loads (transactional tests elsewhere flush it)."""
    for name, height, video, audio in DEFAULT_LADDER:
        EncodingProfile.objects.get_or_create(
            name=name,
            defaults={"height": height, "video_bitrate_kbps": video, "audio_bitrate_kbps": audio},
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(message: str):
    # Under CI a missing S3 endpoint is a failure, never a silent skip.
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """`moto_server` on a free loopback port, for the whole session."""
    if not MOTO_SERVER.exists():
        _unavailable(f"{MOTO_SERVER} is missing (pip install 'moto[server]')")
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    proc = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        # CORS as the bucket's own rules say (moto_server otherwise allows every origin)
        env={
            **os.environ,
            "MOTO_ALLOW_NONEXISTENT_REGION": "true",
            "MOTO_DISABLE_GLOBAL_CORS": "true",
        },
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if proc.poll() is not None:
                _unavailable(f"moto_server exited with {proc.returncode}")
            try:
                requests.get(f"{url}/moto-api/", timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    _unavailable("moto_server did not answer within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def s3(settings, moto_endpoint):
    """The object store pointed at moto, on a fresh bucket (STORAGES follows too)."""
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    settings.OBJECT_STORE_BUCKET = bucket
    settings.OBJECT_STORE_ENDPOINT_URL = moto_endpoint
    settings.OBJECT_STORE_REGION = "us-east-1"
    settings.OBJECT_STORE_ACCESS_KEY_ID = "testing"
    settings.OBJECT_STORE_SECRET_ACCESS_KEY = "testing"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
            },
        },
    }
    store = get_store()
    store.client.create_bucket(Bucket=bucket)
    return store


@pytest.fixture
def local_store(settings, tmp_path):
    """The embedded default: local files through Django's storage."""
    settings.OBJECT_STORE_BUCKET = ""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return get_store()


def expires_of(url: str) -> int:
    """X-Amz-Expires of a presigned URL (fails when there is none)."""
    values = parse_qs(urlparse(url).query).get("X-Amz-Expires")
    assert values, f"no X-Amz-Expires in {url}"
    return int(values[0])


def assert_short_presigned(url: str) -> None:
    assert 0 < expires_of(url) <= 900, url


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    """3 s of 1280x720 test pattern with a tone, made by ffmpeg itself."""
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        _unavailable("ffmpeg is not installed")
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-y",
         "-f", "lavfi", "-i", "testsrc=duration=3:size=1280x720:rate=25",
         "-f", "lavfi", "-i", "sine=duration=3",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_master(film, store, path: Path, *, status=Asset.Status.VERIFIED) -> Asset:
    """A master already in the store (as if uploaded and verified)."""
    key = f"films/{film.pk}/master/{uuid.uuid4().hex}{path.suffix}"
    store.upload_file(path, key, "video/mp4")
    return Asset.objects.create(
        film=film, kind=Asset.Kind.MASTER, storage_key=key, size=path.stat().st_size, status=status
    )


PLAYLIST = (
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
    "#EXTINF:6.0,\nseg_00000.ts\n#EXTINF:4.0,\nseg_00001.ts\n#EXT-X-ENDLIST\n"
)


def ready_rendition(film, store, tmp_path, *, profile="720p", **measured) -> Asset:
    """A ready master with one ready rendition whose playlist and segments are in the
    store, with the values a transcode would have measured (no transcoding: the playback
    tests are about access, not encoding). `measured` overrides them."""
    master = Asset.objects.create(
        film=film,
        kind=Asset.Kind.MASTER,
        storage_key=f"films/{film.pk}/master/{uuid.uuid4().hex}.mov",
        status=Asset.Status.READY,
        size=1,
    )
    prefix = f"films/{film.pk}/hls/{master.pk}/{profile}"
    for name, body in (
        ("index.m3u8", PLAYLIST.encode()),
        ("seg_00000.ts", b"segment-0"),
        ("seg_00001.ts", b"segment-1"),
    ):
        local = tmp_path / f"{master.pk}-{name}"
        local.write_bytes(body)
        store.upload_file(local, f"{prefix}/{name}", "application/octet-stream")
    encoding = EncodingProfile.objects.get(name=profile)
    values = {
        "width": encoding.height * 16 // 9,
        "height": encoding.height,
        "duration_seconds": 10.0,
        "codecs": "avc1.4d401f,mp4a.40.2",
        "frame_rate": 25.0,
        "peak_bitrate": encoding.nominal_bitrate * 11 // 10,
        "average_bitrate": encoding.nominal_bitrate * 95 // 100,
        "start_pts": 133_200,
        **measured,
    }
    return Asset.objects.create(
        film=film,
        kind=Asset.Kind.HLS_RENDITION,
        source=master,
        profile=encoding,
        storage_key=f"{prefix}/index.m3u8",
        status=Asset.Status.READY,
        **values,
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def streamable_film(db, today):
    """A film with on-site and at-home streaming rights in force."""
    film = FilmFactory()
    for medium in (Medium.STREAM_ONSITE, Medium.STREAM_HOME):
        GrantFactory(
            film=film, medium=medium, starts_on=today - datetime.timedelta(days=30), ends_on=None
        )
    return film


@pytest.fixture
def grid(db, today):
    return make_grid(today.year, streams=2)


@pytest.fixture
def streaming_subscription(grid, network, today):
    """The library's network subscribes to the platform (2 concurrent streams)."""
    plan = grid.plans.get(code="platform")
    quote = subscription_quote_create(subscriber=network, plan=plan, starts_on=today)
    return subscription_activate(subscription=quote)
