"""Uploads of assets straight to the object store (presigned multipart), and the checks
that decide whether what arrived is what the client declared.

initiate → parts PUT by the client → complete (the caller owns the upload; every part is
there; the store's HEAD gives the declared size) → `uploaded`, then a task streams the
object through SHA-256 → `verified` or `failed` ("checksum mismatch"), then a task checks
what the file is (media.inspection: ffprobe, Pillow, a WebVTT parse) → the object takes
the extension and content type found (never the client's file name) and the asset is
`ready` (a master: transcoded), or `failed` and the object deleted. Nothing but an asset
checked both ways is ever transcoded or served."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError
from media import inspection
from media.errors import MediaErrorCode
from media.locks import lock_asset, lock_upload
from media.models import Asset, Upload
from media.objectstore import Part, S3Store, get_store, presign_seconds

UPLOADABLE_KINDS = (
    Asset.Kind.MASTER,
    Asset.Kind.SUBTITLES,
    Asset.Kind.AUDIO_DESCRIPTION,
    Asset.Kind.POSTER,
    Asset.Kind.STILL,
    Asset.Kind.TRAILER,
)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
#: what an object is stored as until its content is checked
UNCHECKED_CONTENT_TYPE = "application/octet-stream"
MAX_OBJECT_SIZE = 5 * 1024**4  # S3's largest object: 5 TiB


def _refuse(code: str, message: str, *, status: int = 400, **extra) -> ApplicationError:
    return ApplicationError(code, message, status=status, extra=extra)


def storage_key_for(*, film_id: int, kind: str) -> str:
    """Where an upload lands: no extension until the content check gives one."""
    return f"films/{film_id}/{kind}/{uuid.uuid4().hex}"


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def composite_sha256(part_sha256: list[str]) -> str:
    """S3's checksum of a multipart object uploaded with SHA-256 part checksums: the
    SHA-256 of the parts' raw SHA-256 digests, in base64."""
    joined = b"".join(bytes.fromhex(h) for h in part_sha256)
    return base64.b64encode(hashlib.sha256(joined).digest()).decode()


def _part_checksums(upload: Upload) -> list[str] | None:
    """The declared part checksums, when the store checks them (else the task verifies)."""
    if upload.declared_part_sha256 and get_store().checks_part_checksums:
        return upload.declared_part_sha256
    return None


def part_urls(upload: Upload, part_numbers) -> list[dict]:
    """A presigned URL per part; with declared part checksums, the header to send with it
    (x-amz-checksum-sha256, signed into the URL: the store refuses other bytes)."""
    store = get_store()
    expires = presign_seconds()
    checksums = _part_checksums(upload)
    urls = []
    for n in part_numbers:
        checksum = _b64(checksums[n - 1]) if checksums else ""
        url = store.part_url(
            upload.asset.storage_key,
            upload.backend_upload_id,
            n,
            expires=expires,
            sha256_b64=checksum,
        )
        headers = {"x-amz-checksum-sha256": checksum} if checksum else {}
        urls.append({"part_number": n, "url": url, "headers": headers})
    return urls


def upload_initiate(
    *,
    film,
    kind: str,
    size: int,
    sha256: str,
    part_size: int,
    started_by,
    language: str = "",
    for_deaf_and_hard_of_hearing: bool = False,
    part_sha256: list[str] | None = None,
) -> Upload:
    """Open a multipart upload in the store and record it with what the client declared.
    `part_sha256` (optional, one hex SHA-256 per part): the store checks each part and
    completion compares its checksum of them, instead of a task reading the object back."""
    if kind not in UPLOADABLE_KINDS:
        raise _refuse("invalid_kind", _("This kind of asset is produced by transcoding."))
    last_part_alone = part_size >= size
    if part_size > settings.MEDIA_MAX_PART_SIZE or (
        part_size < settings.MEDIA_MIN_PART_SIZE and not last_part_alone
    ):
        raise _refuse(
            MediaErrorCode.INVALID_PART_SIZE,
            _("Parts must be between %(low)s and %(high)s bytes.")
            % {"low": settings.MEDIA_MIN_PART_SIZE, "high": settings.MEDIA_MAX_PART_SIZE},
        )
    if -(-size // part_size) > settings.MEDIA_MAX_PARTS:
        raise _refuse(MediaErrorCode.TOO_MANY_PARTS, _("Too many parts: use larger parts."))
    part_count = -(-size // part_size)
    if part_sha256 is not None:
        part_sha256 = [str(h).lower() for h in part_sha256]
        if len(part_sha256) != part_count or not all(SHA256_HEX.match(h) for h in part_sha256):
            raise _refuse(
                MediaErrorCode.INVALID_PART_CHECKSUMS,
                _("Declare one SHA-256 (64 hex digits) for each of the %(count)s parts.")
                % {"count": part_count},
            )
    key = storage_key_for(film_id=film.pk, kind=kind)
    backend_upload_id = get_store().multipart_create(
        key, UNCHECKED_CONTENT_TYPE, sha256=part_sha256 is not None
    )
    with transaction.atomic():
        asset = Asset(
            film=film,
            kind=kind,
            language=language,
            for_deaf_and_hard_of_hearing=for_deaf_and_hard_of_hearing,
            storage_key=key,
        )
        asset.full_clean()
        asset.save()
        upload = Upload(
            asset=asset,
            backend_upload_id=backend_upload_id,
            declared_size=size,
            declared_sha256=sha256.lower(),
            declared_part_sha256=part_sha256,
            part_size=part_size,
            started_by=started_by,
        )
        upload.full_clean()
        upload.save()
    return upload


def upload_parts(upload: Upload) -> list[Part]:
    """The parts the store already holds (to resume an interrupted upload)."""
    if upload.status != Upload.Status.IN_PROGRESS:
        return []
    return get_store().parts_list(upload.asset.storage_key, upload.backend_upload_id)


def _fail(upload: Upload, *, code: str, message: str, abort: bool) -> None:
    """Mark upload and asset failed (caller holds their locks) and drop the store's copy."""
    store = get_store()
    if abort:
        store.multipart_abort(upload.asset.storage_key, upload.backend_upload_id)
    else:
        store.delete(upload.asset.storage_key)
    upload.status = Upload.Status.FAILED
    upload.error = code
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "error", "finished_at"])
    upload.asset.status = Asset.Status.FAILED
    upload.asset.error = message
    upload.asset.save(update_fields=["status", "error", "updated_at"])


def upload_complete(*, upload: Upload, parts: list[dict], by) -> Upload:
    """Join the parts. Refused (4xx, nothing changed) when the caller did not start the
    upload, a part is missing, or a part's ETag differs from the store's. When the parts
    or the stored object (HEAD) do not have the declared size, the upload and its asset
    are recorded `failed`, the bytes dropped, and the answer is a 400 `size_mismatch`.
    On success the checksum is verified by a task after commit."""
    if upload.started_by_id != by.pk:
        # Same answer as an unknown id: ids reveal nothing.
        raise ApplicationError("not_found", _("No such upload."), status=404)
    from media.tasks import verify_asset

    with transaction.atomic():
        upload = lock_upload(upload.pk)
        if upload.status != Upload.Status.IN_PROGRESS:
            raise ConflictError(
                MediaErrorCode.UPLOAD_NOT_IN_PROGRESS,
                _("This upload is %(status)s.") % {"status": upload.get_status_display()},
            )
    expected = list(range(1, upload.part_count + 1))
    sent = {int(p["part_number"]): str(p["etag"]).strip('"') for p in parts}
    missing = [n for n in expected if n not in sent]
    if missing or set(sent) - set(expected):
        raise _refuse(
            MediaErrorCode.MISSING_PARTS,
            _("The upload has %(count)s parts; some are missing or unknown.")
            % {"count": upload.part_count},
            missing=missing,
        )
    store = get_store()
    key = upload.asset.storage_key
    held = {p.part_number: p for p in store.parts_list(key, upload.backend_upload_id)}
    absent = [n for n in expected if n not in held]
    if absent:
        raise _refuse(
            MediaErrorCode.MISSING_PARTS,
            _("The store does not hold every part yet."),
            missing=absent,
        )
    wrong = [n for n in expected if held[n].etag != sent[n]]
    if wrong:
        raise _refuse(
            MediaErrorCode.PART_MISMATCH,
            _("Some parts' ETags differ from those the store holds."),
            parts=wrong,
        )
    refusal = None
    refusal_code = MediaErrorCode.SIZE_MISMATCH
    with transaction.atomic():
        upload = lock_upload(upload.pk)
        if upload.status != Upload.Status.IN_PROGRESS:
            raise ConflictError(MediaErrorCode.UPLOAD_NOT_IN_PROGRESS, _("This upload is over."))
        # the parts sent are kept with the outcome (completed or failed), not on a refusal
        upload.completed_parts = parts
        upload.save(update_fields=["completed_parts"])
        if sum(held[n].size for n in expected) != upload.declared_size:
            refusal = _("The parts do not add up to the declared size.")
            _fail(upload, code=MediaErrorCode.SIZE_MISMATCH, message=refusal, abort=True)
        else:
            checksums = _part_checksums(upload)
            store.multipart_complete(
                key,
                upload.backend_upload_id,
                [held[n] for n in expected],
                sha256_b64=[_b64(h) for h in checksums] if checksums else None,
            )
            stored_size = store.size(key)
            stored_checksum = store.composite_sha256(key) if checksums else None
            if (
                checksums
                and stored_checksum is not None
                and (stored_checksum != composite_sha256(checksums))
            ):
                refusal = _("The stored parts do not have the declared SHA-256 checksums.")
                refusal_code = MediaErrorCode.CHECKSUM_MISMATCH
                _fail(upload, code=refusal_code, message=refusal, abort=False)
            elif stored_size != upload.declared_size:
                refusal = _("The stored object has %(got)s bytes, %(declared)s were declared.") % {
                    "got": stored_size,
                    "declared": upload.declared_size,
                }
                _fail(upload, code=MediaErrorCode.SIZE_MISMATCH, message=refusal, abort=False)
            else:
                upload.status = Upload.Status.COMPLETED
                upload.finished_at = timezone.now()
                upload.save(update_fields=["status", "finished_at"])
                asset = upload.asset
                asset.status = Asset.Status.UPLOADED
                asset.size = stored_size
                asset.save(update_fields=["status", "size", "updated_at"])
                asset_id = asset.pk
                if stored_checksum is not None:
                    # The store checked every part against its declared SHA-256, and its
                    # checksum of them is the declared one: verified without a read-back.
                    _verified(asset, upload.declared_sha256)
                else:
                    transaction.on_commit(lambda: verify_asset.delay(asset_id))
    if refusal is not None:
        # The failure is recorded (committed above); the caller gets a 400 with the reason.
        raise _refuse(refusal_code, refusal, upload_status=upload.status)
    return upload


def upload_abort(*, upload: Upload, by=None, reason: str = "") -> Upload:
    """Abort: the store drops the parts, the upload is `aborted`, its asset `failed`."""
    if by is not None and upload.started_by_id != by.pk and not by.is_cinema_staff:
        raise ApplicationError("not_found", _("No such upload."), status=404)
    with transaction.atomic():
        upload = lock_upload(upload.pk)
        if upload.status != Upload.Status.IN_PROGRESS:
            raise ConflictError(MediaErrorCode.UPLOAD_NOT_IN_PROGRESS, _("This upload is over."))
        get_store().multipart_abort(upload.asset.storage_key, upload.backend_upload_id)
        upload.status = Upload.Status.ABORTED
        upload.error = reason
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "error", "finished_at"])
        upload.asset.status = Asset.Status.FAILED
        upload.asset.error = reason or _("upload aborted")
        upload.asset.save(update_fields=["status", "error", "updated_at"])
    return upload


def uploads_abort_stale(*, now: datetime.datetime | None = None) -> int:
    """Abort every multipart upload the store holds that started more than
    MEDIA_STALE_UPLOAD_HOURS ago: ours, aged by our record (their records follow), and
    strays the store knows of and we do not, aged by the store's initiation date."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.MEDIA_STALE_UPLOAD_HOURS)
    store = get_store()
    pending = store.multipart_pending()
    ours = {
        u.backend_upload_id: u
        for u in Upload.objects.filter(backend_upload_id__in=[p.upload_id for p in pending])
    }
    aborted = 0
    for item in pending:
        upload = ours.get(item.upload_id)
        started = upload.created_at if upload is not None else item.initiated
        if started >= cutoff:
            continue
        if upload is not None and upload.status == Upload.Status.IN_PROGRESS:
            try:
                upload_abort(upload=upload, reason="stale: unfinished for more than a day")
            except ConflictError:
                continue
        else:
            store.multipart_abort(item.key, item.upload_id)
        aborted += 1
    return aborted


def asset_verify(*, asset_id: int) -> Asset:
    """Stream the stored object through SHA-256 (never whole in memory) and compare with
    the declared checksum: `verified`, or `failed` with "checksum mismatch" (the object is
    deleted). Idempotent: an asset no longer `uploaded` is left alone."""
    asset = Asset.objects.select_related("upload").get(pk=asset_id)
    if asset.status != Asset.Status.UPLOADED:
        return asset
    digest = hashlib.sha256()
    for chunk in get_store().chunks(asset.storage_key):
        digest.update(chunk)
    computed = digest.hexdigest()
    with transaction.atomic():
        asset = lock_asset(asset_id)
        if asset.status != Asset.Status.UPLOADED:
            return asset
        declared = asset.upload.declared_sha256
        asset.sha256 = computed
        if computed != declared:
            asset.status = Asset.Status.FAILED
            asset.error = "checksum mismatch"
            asset.save(update_fields=["sha256", "status", "error", "updated_at"])
            get_store().delete(asset.storage_key)
            return asset
        _verified(asset, computed)
    return asset


def _verified(asset: Asset, sha256: str) -> None:
    """uploaded → verified; what the file is gets checked next, after commit. The caller
    holds the asset's lock."""
    asset.sha256 = sha256
    asset.status = Asset.Status.VERIFIED
    asset.save(update_fields=["sha256", "status", "updated_at"])
    from media.tasks import inspect_asset

    asset_id = asset.pk
    transaction.on_commit(lambda: inspect_asset.delay(asset_id))


def _inspect_stored(asset: Asset, store, workdir: Path) -> inspection.Inspected:
    """Check the stored object: read whole (images, subtitles: small, capped) or probed in
    place through a presigned URL (video and audio on S3; a copy on the local store)."""
    limit = inspection.max_bytes(asset.kind)
    if limit is not None and (asset.size or 0) > limit:
        raise inspection.NotWhatItClaims(
            _("This file is larger than %(limit)s bytes.") % {"limit": limit}
        )
    if limit is None and isinstance(store, S3Store):
        return inspection.inspect(
            asset.kind, store.download_url(asset.storage_key, expires=presign_seconds())
        )
    local = workdir / "file"
    store.download_to(asset.storage_key, local)
    return inspection.inspect(asset.kind, local)


def asset_inspect(*, asset_id: int) -> Asset:
    """Check what a verified asset's file is (media.inspection) before it is served or
    transcoded. Found what its kind needs: the object moves to a key with the extension
    found, stored with the content type found, and the asset records them (with its
    size in pixels or its duration) → `ready` (a master stays `verified` and is
    transcoded). Otherwise → `failed` with the reason, the object deleted. Idempotent:
    an asset already checked, or no longer `verified`, is left alone."""
    asset = Asset.objects.get(pk=asset_id)
    if asset.status != Asset.Status.VERIFIED or asset.content_type:
        return asset
    store = get_store()
    try:
        with tempfile.TemporaryDirectory(prefix="inspect-") as workdir:
            found = _inspect_stored(asset, store, Path(workdir))
    except inspection.NotWhatItClaims as refusal:
        with transaction.atomic():
            asset = lock_asset(asset_id)
            if asset.status != Asset.Status.VERIFIED or asset.content_type:
                return asset
            asset.status = Asset.Status.FAILED
            asset.error = str(refusal)
            asset.save(update_fields=["status", "error", "updated_at"])
            store.delete(asset.storage_key)
        return asset
    checked_key = f"{asset.storage_key}{found.extension}"
    store.move(asset.storage_key, checked_key, content_type=found.content_type)
    with transaction.atomic():
        asset = lock_asset(asset_id)
        if asset.status != Asset.Status.VERIFIED or asset.content_type:
            return asset
        asset.storage_key = checked_key
        asset.content_type = found.content_type
        asset.width, asset.height = found.width, found.height
        asset.duration_seconds = found.duration_seconds
        is_master = asset.kind == Asset.Kind.MASTER
        if not is_master:
            asset.status = Asset.Status.READY
        asset.save(
            update_fields=[
                "storage_key",
                "content_type",
                "width",
                "height",
                "duration_seconds",
                "status",
                "updated_at",
            ]
        )
        if is_master:
            from media.tasks import transcode_master

            transaction.on_commit(lambda: transcode_master.delay(asset_id))
    return asset


def assets_awaiting_verification(*, older_than: datetime.timedelta) -> list[int]:
    """Assets `uploaded` for longer than `older_than`: their checksum task was lost."""
    cutoff = timezone.now() - older_than
    return list(
        Asset.objects.filter(status=Asset.Status.UPLOADED, updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )


def assets_awaiting_inspection(*, older_than: datetime.timedelta) -> list[int]:
    """Assets `verified` but never checked for what they are, for longer than
    `older_than`: their inspection task was lost."""
    cutoff = timezone.now() - older_than
    return list(
        Asset.objects.filter(
            status=Asset.Status.VERIFIED, content_type="", updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
