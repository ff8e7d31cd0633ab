"""An uploaded file is checked for what it is before it is ready — ffprobe for video and
audio, Pillow for images, a WebVTT parse for subtitles — and stored with the extension
and content type that check found, never those of the client's file name (a "poster"
p.html holding HTML became `ready` and was served as HTML)."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.conf import settings
from PIL import Image

from media.models import Asset
from tests.factories import FilmFactory
from tests.media.conftest import sha256_of


@pytest.fixture
def film(db):
    return FilmFactory()


def upload(api, film, kind, data: bytes, filename: str, callbacks_capture) -> Asset:
    """Initiate, PUT the one part, complete, then run what completion queued: the checksum
    task, then the content check it queues."""
    body = api.post(
        "/api/v1/media/uploads/",
        {
            "film": film.pk,
            "kind": kind,
            "size": len(data),
            "sha256": sha256_of(data),
            "part_size": len(data),
            "filename": filename,
        },
        format="json",
    ).json()
    assert body["asset"]["status"] == "uploading", body
    part = body["part_urls"][0]
    if part["url"].startswith("http://testserver/"):
        put = api.generic("PUT", part["url"], data, content_type="text/html")
        etag = put.headers["ETag"]
    else:
        import requests

        etag = requests.put(part["url"], data=data, timeout=30).headers["ETag"]
    with callbacks_capture(execute=True):
        done = api.post(
            f"/api/v1/media/uploads/{body['id']}/complete/",
            {"parts": [{"part_number": 1, "etag": etag.strip('"')}]},
            format="json",
        )
    assert done.status_code == 200, done.json()
    return Asset.objects.get(pk=body["asset"]["id"])


def png(width=320, height=180) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def media_file(tmp_path, *args, name: str) -> bytes:
    path = tmp_path / name
    subprocess.run(
        [
            settings.MEDIA_FFMPEG,
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            *args,
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path.read_bytes()


WEBVTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBonjour.\n"
SRT = b"1\n00:00:01,000 --> 00:00:03,000\nBonjour.\n"


def test_html_named_like_a_poster_is_refused_and_deleted(
    local_store, editor_api, film, django_capture_on_commit_callbacks
):
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    asset = upload(editor_api, film, "poster", html, "p.html", django_capture_on_commit_callbacks)
    assert asset.status == Asset.Status.FAILED
    assert asset.error == "Ce fichier n'est pas une image lisible."
    assert asset.content_type == ""
    assert local_store.size(asset.storage_key) is None  # never served


def test_an_image_takes_its_real_extension_and_type_whatever_its_name(
    local_store, editor_api, film, django_capture_on_commit_callbacks
):
    asset = upload(
        editor_api, film, "poster", png(), "affiche.html", django_capture_on_commit_callbacks
    )
    assert asset.status == Asset.Status.READY
    assert asset.storage_key.endswith(".png") and asset.content_type == "image/png"
    assert (asset.width, asset.height) == (320, 180)
    assert local_store.size(asset.storage_key) == len(png())
    served = editor_api.get(local_store.download_url(asset.storage_key, expires=60))
    assert served["Content-Type"] == "image/png"


def test_an_image_of_another_format_is_refused(
    local_store, editor_api, film, django_capture_on_commit_callbacks
):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    asset = upload(
        editor_api, film, "still", buffer.getvalue(), "x.jpg", django_capture_on_commit_callbacks
    )
    assert asset.status == Asset.Status.FAILED
    assert asset.error == "Donnez une image JPEG, PNG ou WebP."


def test_a_truncated_image_is_refused(
    local_store, editor_api, film, django_capture_on_commit_callbacks
):
    asset = upload(
        editor_api, film, "poster", png()[:200], "x.png", django_capture_on_commit_callbacks
    )
    assert asset.status == Asset.Status.FAILED


def test_webvtt_subtitles_are_parsed(
    local_store, editor_api, film, django_capture_on_commit_callbacks
):
    good = upload(
        editor_api, film, "subtitles", WEBVTT, "sous-titres.txt", django_capture_on_commit_callbacks
    )
    assert good.status == Asset.Status.READY
    assert good.storage_key.endswith(".vtt") and good.content_type == "text/vtt"
    srt = upload(editor_api, film, "subtitles", SRT, "x.vtt", django_capture_on_commit_callbacks)
    assert srt.status == Asset.Status.FAILED
    assert srt.error == "Ce fichier n'est pas un sous-titrage WebVTT."
    empty = upload(
        editor_api, film, "subtitles", b"WEBVTT\n", "x.vtt", django_capture_on_commit_callbacks
    )
    assert empty.status == Asset.Status.FAILED


def test_video_and_audio_are_probed_in_the_store(
    s3, editor_api, film, tmp_path, django_capture_on_commit_callbacks
):
    """On S3, ffprobe reads the object through a presigned URL; the object is copied to
    its checked key with the checked content type."""
    trailer = media_file(
        tmp_path,
        "-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=25",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        name="t.mp4",
    )  # fmt: skip
    sound = media_file(
        tmp_path, "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", name="ad.m4a"
    )
    video = upload(
        editor_api, film, "trailer", trailer, "bande.html", django_capture_on_commit_callbacks
    )
    assert video.status == Asset.Status.READY, video.error
    assert video.storage_key.endswith(".mp4") and video.content_type == "video/mp4"
    assert (video.width, video.height) == (320, 240) and video.duration_seconds > 0.5
    head = s3.client.head_object(Bucket=s3.bucket, Key=video.storage_key)
    assert head["ContentType"] == "video/mp4"

    description = upload(
        editor_api, film, "audio_description", sound, "ad.mp4", django_capture_on_commit_callbacks
    )
    assert description.status == Asset.Status.READY, description.error
    assert description.content_type == "audio/mp4" and description.storage_key.endswith(".m4a")

    not_audio = upload(
        editor_api, film, "audio_description", trailer, "ad.m4a", django_capture_on_commit_callbacks
    )
    assert not_audio.status == Asset.Status.FAILED
    assert not_audio.error == "Ce fichier n'est pas un fichier uniquement sonore."
    not_video = upload(
        editor_api, film, "master", WEBVTT * 100, "master.mov", django_capture_on_commit_callbacks
    )
    assert not_video.status == Asset.Status.FAILED
    assert s3.size(not_video.storage_key) is None
