"""The object store, behind one interface: any S3-compatible store (boto3, the only module
that imports it) when OBJECT_STORE_BUCKET is set, otherwise local files through Django's
default storage (the embedded `make run`).

Video bytes never pass through Django on S3: clients PUT parts to presigned URLs and
players GET segments from presigned URLs, every one with a short X-Amz-Expires. On the
local store the same URLs point to backend endpoints with a signed token instead.
Workers read objects by streaming them to temporary files, never whole into memory."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

CHUNK = 8 * 1024 * 1024

#: the content type of each kind of file the media app stores, by extension: the store
#: serves these (S3's Content-Type metadata; the local store's responses), players and
#: ffmpeg check them
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    # what an upload may be once its content is checked (media.inspection)
    ".png": "image/png",
    ".webp": "image/webp",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".mka": "audio/x-matroska",
    ".mxf": "application/mxf",
    ".avi": "video/x-msvideo",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
}


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class Part:
    part_number: int
    etag: str
    size: int


@dataclass(frozen=True)
class PendingUpload:
    key: str
    upload_id: str
    initiated: datetime.datetime


class S3Store:
    """An S3-compatible bucket (AWS, MinIO, Garage, moto in the tests)."""

    def __init__(self, *, bucket, endpoint_url, region, access_key, secret_key):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    # --- multipart upload --------------------------------------------------------------
    #: the store checks each part's declared SHA-256 and reports the composite
    checks_part_checksums = True

    def multipart_create(
        self, key: str, content_type: str = "application/octet-stream", *, sha256: bool = False
    ) -> str:
        extra = {"ChecksumAlgorithm": "SHA256"} if sha256 else {}
        answer = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type, **extra
        )
        return answer["UploadId"]

    def part_url(
        self, key: str, upload_id: str, part_number: int, *, expires: int, sha256_b64: str = ""
    ) -> str:
        """Presigned PUT of one part. With `sha256_b64`, x-amz-checksum-sha256 is a signed
        header: the client must send it, and the store refuses bytes that differ."""
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "UploadId": upload_id,
            "PartNumber": part_number,
        }
        if sha256_b64:
            params["ChecksumSHA256"] = sha256_b64
        return self.client.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires)

    def parts_list(self, key: str, upload_id: str) -> list[Part]:
        parts: list[Part] = []
        marker = 0
        while True:
            answer = self.client.list_parts(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker
            )
            parts += [
                Part(p["PartNumber"], p["ETag"].strip('"'), p["Size"])
                for p in answer.get("Parts", [])
            ]
            if not answer.get("IsTruncated"):
                return parts
            marker = answer["NextPartNumberMarker"]

    def multipart_complete(
        self, key: str, upload_id: str, parts: list[Part], *, sha256_b64: list[str] | None = None
    ) -> None:
        entries = [{"PartNumber": p.part_number, "ETag": f'"{p.etag}"'} for p in parts]
        if sha256_b64:
            for entry, checksum in zip(entries, sha256_b64, strict=True):
                entry["ChecksumSHA256"] = checksum
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": entries}
        )

    def composite_sha256(self, key: str) -> str | None:
        """The store's SHA-256 of the parts' SHA-256s (base64, without the `-N` suffix), or
        None when it has none (an upload created without the checksum algorithm)."""
        answer = self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        value = answer.get("ChecksumSHA256")
        return value.split("-", 1)[0] if value else None

    def multipart_abort(self, key: str, upload_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise

    def multipart_pending(self) -> list[PendingUpload]:
        pending: list[PendingUpload] = []
        kwargs: dict = {"Bucket": self.bucket}
        while True:
            answer = self.client.list_multipart_uploads(**kwargs)
            pending += [
                PendingUpload(u["Key"], u["UploadId"], u["Initiated"])
                for u in answer.get("Uploads", [])
            ]
            if not answer.get("IsTruncated"):
                return pending
            kwargs.update(
                KeyMarker=answer["NextKeyMarker"], UploadIdMarker=answer["NextUploadIdMarker"]
            )

    # --- objects -----------------------------------------------------------------------
    def size(self, key: str) -> int | None:
        """The object's size according to the store (HEAD), or None when it is absent."""
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def download_url(self, key: str, *, expires: int, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)

    def chunks(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def download_to(self, key: str, path: Path) -> None:
        self.client.download_file(self.bucket, key, str(path))

    def upload_file(self, path: Path, key: str, content_type: str) -> None:
        self.client.upload_file(
            str(path), self.bucket, key, ExtraArgs={"ContentType": content_type}
        )

    def read_text(self, key: str) -> str:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode()

    def write_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def move(self, key: str, new_key: str, *, content_type: str) -> None:
        """Copy within the store (multipart for large objects) with a new content type,
        then delete the old key."""
        self.client.copy(
            {"Bucket": self.bucket, "Key": key},
            self.bucket,
            new_key,
            ExtraArgs={"ContentType": content_type, "MetadataDirective": "REPLACE"},
        )
        self.delete(key)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


class LocalStore:
    """The same interface on Django's default storage (local files in `make run`). Parts
    are kept under `_multipart/<upload id>/` until completion joins them; the "presigned"
    URLs are backend endpoints carrying a signed token (media.tokens)."""

    PREFIX = "_multipart"
    #: part checksums are not checked here: the verification task reads the file back
    checks_part_checksums = False

    def __init__(self, storage):
        self.storage = storage

    def _dir(self, upload_id: str) -> str:
        return f"{self.PREFIX}/{upload_id}"

    def multipart_create(
        self, key: str, content_type: str = "application/octet-stream", *, sha256: bool = False
    ) -> str:
        upload_id = uuid.uuid4().hex
        meta = {"key": key, "initiated": timezone.now().isoformat()}
        self.storage.save(f"{self._dir(upload_id)}/meta.json", ContentFile(json.dumps(meta)))
        return upload_id

    def part_url(
        self, key: str, upload_id: str, part_number: int, *, expires: int, sha256_b64: str = ""
    ) -> str:
        from media.tokens import token_make

        token = token_make("part", {"u": upload_id, "k": key, "n": part_number}, seconds=expires)
        return reverse("media-local-part", kwargs={"token": token})

    def part_write(self, upload_id: str, part_number: int, stream: BinaryIO) -> str:
        """Store one part (a PUT on the local part URL); its ETag is the MD5, as on S3."""
        digest = hashlib.md5(usedforsecurity=False)
        name = f"{self._dir(upload_id)}/{part_number:05d}.part"
        if not self.storage.exists(f"{self._dir(upload_id)}/meta.json"):
            raise FileNotFoundError(upload_id)
        if self.storage.exists(name):
            self.storage.delete(name)

        class Hashing(File):
            def chunks(self, chunk_size=None):
                while data := self.file.read(CHUNK):
                    digest.update(data)
                    yield data

        self.storage.save(name, Hashing(stream, name=name))
        return digest.hexdigest()

    def parts_list(self, key: str, upload_id: str) -> list[Part]:
        directory = self._dir(upload_id)
        if not self.storage.exists(f"{directory}/meta.json"):
            return []
        parts = []
        for name in sorted(self.storage.listdir(directory)[1]):
            if name.endswith(".part"):
                digest = hashlib.md5(usedforsecurity=False)
                for data in self._chunks(f"{directory}/{name}"):
                    digest.update(data)
                size = self.storage.size(f"{directory}/{name}")
                parts.append(Part(int(name.split(".")[0]), digest.hexdigest(), size))
        return parts

    def multipart_complete(
        self, key: str, upload_id: str, parts: list[Part], *, sha256_b64: list[str] | None = None
    ) -> None:
        directory = self._dir(upload_id)
        names = [f"{directory}/{p.part_number:05d}.part" for p in parts]
        storage = self.storage

        class Joined(File):
            def chunks(self, chunk_size=None):
                for name in names:
                    with storage.open(name, "rb") as handle:
                        while data := handle.read(CHUNK):
                            yield data

        if storage.exists(key):
            storage.delete(key)
        saved = storage.save(key, Joined(None, name=key))
        assert saved == key, (saved, key)
        self.multipart_abort(key, upload_id)

    def multipart_abort(self, key: str, upload_id: str) -> None:
        directory = self._dir(upload_id)
        if self.storage.exists(directory):
            for name in self.storage.listdir(directory)[1]:
                self.storage.delete(f"{directory}/{name}")

    def multipart_pending(self) -> list[PendingUpload]:
        if not self.storage.exists(self.PREFIX):
            return []
        pending = []
        for upload_id in self.storage.listdir(self.PREFIX)[0]:
            meta_name = f"{self._dir(upload_id)}/meta.json"
            if self.storage.exists(meta_name):
                with self.storage.open(meta_name, "rb") as handle:
                    meta = json.loads(handle.read())
                initiated = datetime.datetime.fromisoformat(meta["initiated"])
                pending.append(PendingUpload(meta["key"], upload_id, initiated))
        return pending

    def size(self, key: str) -> int | None:
        return self.storage.size(key) if self.storage.exists(key) else None

    def download_url(self, key: str, *, expires: int, filename: str | None = None) -> str:
        """A backend path ending in the file's own name (players and ffmpeg judge a
        segment by its extension), served with the content type of that extension."""
        from media.tokens import token_make

        token = token_make("get", {"k": key, "f": filename or ""}, seconds=expires)
        name = filename or key.rsplit("/", 1)[-1]
        return reverse("media-local-object", kwargs={"token": token, "name": name})

    def _chunks(self, key: str) -> Iterator[bytes]:
        with self.storage.open(key, "rb") as handle:
            while data := handle.read(CHUNK):
                yield data

    def chunks(self, key: str) -> Iterator[bytes]:
        yield from self._chunks(key)

    def open(self, key: str):
        return self.storage.open(key, "rb")

    def download_to(self, key: str, path: Path) -> None:
        with self.storage.open(key, "rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, CHUNK)

    def upload_file(self, path: Path, key: str, content_type: str) -> None:
        if self.storage.exists(key):
            self.storage.delete(key)
        with path.open("rb") as handle:
            self.storage.save(key, File(handle, name=key))

    def read_text(self, key: str) -> str:
        with self.storage.open(key, "rb") as handle:
            return handle.read().decode()

    def write_bytes(self, key: str, data: bytes, content_type: str) -> None:
        if self.storage.exists(key):
            self.storage.delete(key)
        saved = self.storage.save(key, ContentFile(data))
        assert saved == key, (saved, key)

    def move(self, key: str, new_key: str, *, content_type: str) -> None:
        """Local files are served with the type their name says (the extension)."""
        if self.storage.exists(new_key):
            self.storage.delete(new_key)
        with self.storage.open(key, "rb") as handle:
            saved = self.storage.save(new_key, File(handle, name=new_key))
        assert saved == new_key, (saved, new_key)
        self.storage.delete(key)

    def delete(self, key: str) -> None:
        self.storage.delete(key)


Store = S3Store | LocalStore


@functools.lru_cache(maxsize=4)
def _s3_store(bucket, endpoint_url, region, access_key, secret_key) -> S3Store:
    return S3Store(
        bucket=bucket,
        endpoint_url=endpoint_url,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
    )


def get_store() -> Store:
    """The configured store (the boto3 client is built once per configuration)."""
    if settings.OBJECT_STORE_BUCKET:
        return _s3_store(
            settings.OBJECT_STORE_BUCKET,
            settings.OBJECT_STORE_ENDPOINT_URL,
            settings.OBJECT_STORE_REGION,
            settings.OBJECT_STORE_ACCESS_KEY_ID,
            settings.OBJECT_STORE_SECRET_ACCESS_KEY,
        )
    return LocalStore(storages["default"])


def presign_seconds() -> int:
    """Validity of every presigned store URL (X-Amz-Expires): minutes, never hours."""
    return settings.MEDIA_PRESIGNED_URL_SECONDS
