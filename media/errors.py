"""Reason codes of the media app (stable: clients branch on them)."""

from django.db import models


class MediaErrorCode(models.TextChoices):
    INVALID_PART_SIZE = "invalid_part_size"
    TOO_MANY_PARTS = "too_many_parts"
    UPLOAD_NOT_IN_PROGRESS = "upload_not_in_progress"
    MISSING_PARTS = "missing_parts"
    PART_MISMATCH = "part_mismatch"
    SIZE_MISMATCH = "size_mismatch"
    OBJECT_MISSING = "object_missing"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    INVALID_PART_CHECKSUMS = "invalid_part_checksums"
    INVALID_TRANSITION = "invalid_status_transition"
    NOT_A_MASTER = "not_a_master"
    NO_READY_RENDITION = "no_ready_rendition"
    STREAM_LIMIT_REACHED = "stream_limit_reached"
    NOT_A_VIEWER = "not_a_viewer"
    SESSION_ENDED = "session_ended"
    POSITION_BEYOND_END = "position_beyond_end"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (a reason code)
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 (a reason code)
    BOOKING_CANCELLED = "booking_cancelled"
    DOWNLOAD_NOT_YET_OPEN = "download_not_yet_open"
    DOWNLOAD_CLOSED = "download_closed"
    NO_HD_ASSET = "no_hd_asset"
    NO_SD_ASSET = "no_sd_asset"
