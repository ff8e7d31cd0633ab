"""Direct multipart uploads of masters: presigned part URLs PUT over HTTP to a real S3
endpoint (moto), resume, completion checks (ownership, parts, size, SHA-256), abort and
the stale-upload sweep; the same states on the embedded local store."""

from __future__ import annotations

import datetime
import os

import pytest
import requests
from django.utils import timezone

from media.models import Asset, Upload
from media.services.uploads import uploads_abort_stale
from tests.conftest import client_for
from tests.factories import CinemaStaffFactory, FilmFactory
from tests.media.conftest import assert_short_presigned, sha256_of

MIB = 1024 * 1024
PART = 5 * MIB


@pytest.fixture
def film(db):
    return FilmFactory()


@pytest.fixture
def master_bytes():
    return os.urandom(2 * PART + MIB)  # three parts: 5 MiB, 5 MiB, 1 MiB


def initiate(api, film, data, *, sha256=None, part_size=PART, kind="master", parts=None):
    body = {
        "film": film.pk,
        "kind": kind,
        "size": len(data),
        "sha256": sha256 or sha256_of(data),
        "part_size": part_size,
        "filename": "master.mov",
    }
    if parts is not None:
        body["part_sha256"] = parts
    return api.post("/api/v1/media/uploads/", body, format="json")


def part_sha256s(data, part_size=PART):
    return [sha256_of(data[i : i + part_size]) for i in range(0, len(data), part_size)]


def put_parts(answer, data, *, only=None):
    etags = {}
    for part in answer["part_urls"]:
        n = part["part_number"]
        if only is not None and n not in only:
            continue
        response = requests.put(
            part["url"],
            data=data[(n - 1) * PART : n * PART],
            headers=part.get("headers") or {},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        etags[n] = response.headers["ETag"].strip('"')
    return etags


def complete(api, upload_id, etags):
    parts = [{"part_number": n, "etag": e} for n, e in sorted(etags.items())]
    return api.post(f"/api/v1/media/uploads/{upload_id}/complete/", {"parts": parts}, format="json")


def run_verification(callbacks):
    """Run the verification queued on commit (only it: transcoding is tested elsewhere)."""
    assert len(callbacks) == 1
    callbacks[0]()


def test_multipart_upload_through_presigned_urls(
    s3, editor_api, film, master_bytes, django_capture_on_commit_callbacks
):
    answer = initiate(editor_api, film, master_bytes)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["part_count"] == 3 and body["asset"]["status"] == "uploading"
    for part in body["part_urls"]:
        assert_short_presigned(part["url"])
    etags = put_parts(body, master_bytes)

    with django_capture_on_commit_callbacks() as callbacks:
        done = complete(editor_api, body["id"], etags)
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "completed"
    asset = Asset.objects.get(pk=body["asset"]["id"])
    assert asset.status == Asset.Status.UPLOADED and asset.size == len(master_bytes)

    run_verification(callbacks)
    asset.refresh_from_db()
    assert asset.status == Asset.Status.VERIFIED
    assert asset.sha256 == sha256_of(master_bytes)
    stored = s3.client.get_object(Bucket=s3.bucket, Key=asset.storage_key)["Body"].read()
    assert stored == master_bytes


def test_checksum_mismatch_fails_the_asset(
    s3, editor_api, film, master_bytes, django_capture_on_commit_callbacks
):
    body = initiate(editor_api, film, master_bytes, sha256="0" * 64).json()
    etags = put_parts(body, master_bytes)
    with django_capture_on_commit_callbacks() as callbacks:
        assert complete(editor_api, body["id"], etags).status_code == 200
    run_verification(callbacks)
    asset = Asset.objects.get(pk=body["asset"]["id"])
    assert asset.status == Asset.Status.FAILED
    assert asset.error == "checksum mismatch"
    assert s3.size(asset.storage_key) is None  # never served


def test_resume_lists_parts_already_there(s3, editor_api, film, master_bytes):
    body = initiate(editor_api, film, master_bytes).json()
    first = put_parts(body, master_bytes, only={1, 3})

    resumed = editor_api.get(f"/api/v1/media/uploads/{body['id']}/").json()
    assert [(p["part_number"], p["etag"]) for p in resumed["parts"]] == sorted(first.items())
    assert [p["part_number"] for p in resumed["part_urls"]] == [2]
    assert_short_presigned(resumed["part_urls"][0]["url"])
    rest = put_parts(resumed, master_bytes)

    assert complete(editor_api, body["id"], {**first, **rest}).status_code == 200
    assert Asset.objects.get(pk=body["asset"]["id"]).status == Asset.Status.UPLOADED


def test_complete_refusals_change_nothing(s3, editor_api, film, master_bytes):
    body = initiate(editor_api, film, master_bytes).json()
    etags = put_parts(body, master_bytes, only={1, 2})

    missing = complete(editor_api, body["id"], etags)
    assert missing.status_code == 400
    assert missing.json()["code"] == "missing_parts" and missing.json()["missing"] == [3]

    etags.update(put_parts(body, master_bytes, only={3}))
    wrong = complete(editor_api, body["id"], {**etags, 2: "0" * 32})
    assert wrong.status_code == 400 and wrong.json()["code"] == "part_mismatch"

    other = client_for(CinemaStaffFactory())
    assert complete(other, body["id"], etags).status_code == 404
    assert other.post(f"/api/v1/media/uploads/{body['id']}/abort/").status_code == 404

    upload = Upload.objects.get(pk=body["id"])
    assert upload.status == Upload.Status.IN_PROGRESS
    assert upload.asset.status == Asset.Status.UPLOADING
    # ...and the upload can still be completed by its owner.
    assert complete(editor_api, body["id"], etags).status_code == 200


def test_wrong_declared_size_fails(s3, editor_api, film, master_bytes):
    # Declares one more byte than it sends: the parts add up to less than declared.
    declared = master_bytes + b"x"
    body = initiate(editor_api, film, declared, sha256=sha256_of(master_bytes)).json()
    etags = put_parts(body, master_bytes)
    answer = complete(editor_api, body["id"], etags)
    assert answer.status_code == 400
    assert answer.json()["code"] == "size_mismatch" and answer.json()["upload_status"] == "failed"
    upload = Upload.objects.select_related("asset").get(pk=body["id"])
    assert upload.status == Upload.Status.FAILED and upload.error == "size_mismatch"
    assert upload.asset.status == Asset.Status.FAILED
    assert s3.size(upload.asset.storage_key) is None
    assert not s3.multipart_pending()


def test_initiate_refusals(s3, editor_api, library_api, film, master_bytes):
    small = initiate(editor_api, film, master_bytes, part_size=MIB)
    assert small.status_code == 400 and small.json()["code"] == "invalid_part_size"
    bad_sum = initiate(editor_api, film, master_bytes, sha256="xyz")
    assert bad_sum.status_code == 400 and "sha256" in bad_sum.json()["fields"]
    assert initiate(library_api, film, master_bytes).status_code == 403
    transcoded_kind = initiate(editor_api, film, master_bytes, kind="hls_rendition")
    assert transcoded_kind.status_code == 400
    assert not Asset.objects.exists() and not s3.multipart_pending()


def test_abort_and_stale_sweep(s3, editor_api, film, master_bytes):
    kept = initiate(editor_api, film, master_bytes).json()
    aborted = initiate(editor_api, film, master_bytes).json()
    put_parts(aborted, master_bytes, only={1})
    answer = editor_api.post(f"/api/v1/media/uploads/{aborted['id']}/abort/")
    assert answer.status_code == 200 and answer.json()["status"] == "aborted"
    assert Asset.objects.get(pk=aborted["asset"]["id"]).status == Asset.Status.FAILED
    assert [p.upload_id for p in s3.multipart_pending()] == [
        Upload.objects.get(pk=kept["id"]).backend_upload_id
    ]
    again = editor_api.post(f"/api/v1/media/uploads/{aborted['id']}/abort/")
    assert again.status_code == 409

    # A stray the store holds without any record of ours: aged by the store's date, which
    # moto reports as 2010-11-10 for every upload, so the first sweep takes it.
    s3.multipart_create("films/0/master/stray.mov")
    assert uploads_abort_stale() == 1
    assert [p.upload_id for p in s3.multipart_pending()] == [
        Upload.objects.get(pk=kept["id"]).backend_upload_id
    ]  # ours is aged by its record: not a day old yet

    swept = uploads_abort_stale(now=timezone.now() + datetime.timedelta(hours=25))
    assert swept == 1
    assert s3.multipart_pending() == []
    upload = Upload.objects.select_related("asset").get(pk=kept["id"])
    assert upload.status == Upload.Status.ABORTED
    assert upload.asset.status == Asset.Status.FAILED


@pytest.mark.embedded
def test_local_store_same_flow(
    local_store, editor_api, film, master_bytes, django_capture_on_commit_callbacks
):
    """The embedded default: part URLs point to the backend (signed token), same states."""
    body = initiate(editor_api, film, master_bytes).json()
    etags = {}
    for part in body["part_urls"]:
        n = part["part_number"]
        assert part["url"].startswith("http://testserver/api/v1/media/local-store/parts/")
        answer = editor_api.generic(
            "PUT",
            part["url"],
            master_bytes[(n - 1) * PART : n * PART],
            content_type="application/octet-stream",
        )
        assert answer.status_code == 200
        etags[n] = answer.headers["ETag"].strip('"')
    resumed = editor_api.get(f"/api/v1/media/uploads/{body['id']}/").json()
    assert len(resumed["parts"]) == 3 and resumed["part_urls"] == []

    with django_capture_on_commit_callbacks() as callbacks:
        assert complete(editor_api, body["id"], etags).status_code == 200
    run_verification(callbacks)
    asset = Asset.objects.get(pk=body["asset"]["id"])
    assert asset.status == Asset.Status.VERIFIED
    assert local_store.size(asset.storage_key) == len(master_bytes)
    assert local_store.multipart_pending() == []

    forged = part["url"].replace("/parts/", "/parts/x")
    assert editor_api.generic("PUT", forged, b"x").status_code == 403


def test_lost_verification_is_replayed(s3, editor_api, film, master_bytes):
    """The checksum task never ran (the completion's on-commit task was lost): the replay
    command finds the asset still `uploaded` and verifies it, once; then its lost content
    check, once."""
    from io import StringIO

    from django.core.management import call_command

    body = initiate(editor_api, film, master_bytes).json()
    assert complete(editor_api, body["id"], put_parts(body, master_bytes)).status_code == 200
    asset = Asset.objects.get(pk=body["asset"]["id"])
    assert asset.status == Asset.Status.UPLOADED  # on-commit callbacks never run here
    out = StringIO()
    call_command("media_replay", "--older-than-minutes", "60", stdout=out)
    assert "re-queued 0 verification(s)" in out.getvalue()  # too recent to be lost
    Asset.objects.filter(pk=asset.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=2)
    )
    call_command("media_replay", stdout=out)
    asset.refresh_from_db()
    assert asset.status == Asset.Status.VERIFIED
    # Its content check, queued on commit, was lost too: the replay runs it (random bytes
    # are no video), once.
    out = StringIO()
    call_command("media_replay", "--older-than-minutes", "0", stdout=out)
    assert "re-queued 0 verification(s), 1 content check(s)" in out.getvalue()
    asset.refresh_from_db()
    assert asset.status == Asset.Status.FAILED
    assert asset.error == "Ce fichier n'est pas un fichier vidéo ou sonore lisible."
    out = StringIO()
    call_command("media_replay", "--older-than-minutes", "0", stdout=out)  # harmless again
    assert "re-queued 0 verification(s), 0 content check(s)" in out.getvalue()


def test_part_checksums_verify_at_completion_without_reading_back(
    s3, editor_api, film, master_bytes, django_capture_on_commit_callbacks, monkeypatch
):
    """Declared part SHA-256s are signed into the part URLs (the store checks each part)
    and the store's checksum of them is compared at completion: the asset is verified
    there, and nothing reads the object back."""
    body = initiate(editor_api, film, master_bytes, parts=part_sha256s(master_bytes)).json()
    for part in body["part_urls"]:
        assert "x-amz-checksum-sha256" in part["url"]  # a signed header
        assert part["headers"]["x-amz-checksum-sha256"]
        assert_short_presigned(part["url"])
    etags = put_parts(body, master_bytes)
    monkeypatch.setattr(type(s3), "chunks", lambda *a: pytest.fail("read back"))
    with django_capture_on_commit_callbacks() as callbacks:
        answer = complete(editor_api, body["id"], etags)
    assert answer.status_code == 200, answer.json()
    asset = Asset.objects.get(pk=body["asset"]["id"])
    assert asset.status == Asset.Status.VERIFIED and asset.sha256 == sha256_of(master_bytes)
    assert len(callbacks) == 1  # the content check (the transcoding follows), no read-back


def test_wrong_part_checksum_is_refused_and_nothing_counts(s3, editor_api, film, master_bytes):
    declared = part_sha256s(master_bytes)
    declared[1] = sha256_of(b"something else")
    body = initiate(editor_api, film, master_bytes, parts=declared).json()
    # S3 refuses a part whose bytes differ from its signed checksum; moto accepts it, so
    # the store's checksum of the parts is what catches it here.
    etags = put_parts(body, master_bytes)
    answer = complete(editor_api, body["id"], etags)
    assert answer.status_code == 400
    assert answer.json()["code"] == "checksum_mismatch"
    upload = Upload.objects.select_related("asset").get(pk=body["id"])
    assert upload.status == Upload.Status.FAILED and upload.error == "checksum_mismatch"
    assert upload.asset.status == Asset.Status.FAILED
    assert s3.size(upload.asset.storage_key) is None


def test_part_checksums_must_match_the_parts(s3, editor_api, film, master_bytes):
    too_few = initiate(editor_api, film, master_bytes, parts=part_sha256s(master_bytes)[:2])
    assert too_few.status_code == 400 and too_few.json()["code"] == "invalid_part_checksums"
    not_hex = initiate(editor_api, film, master_bytes, parts=["x" * 64] * 3)
    assert not_hex.status_code == 400 and not_hex.json()["code"] == "invalid_part_checksums"
    assert not Upload.objects.exists()
