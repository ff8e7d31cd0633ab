"""What the object store holds for a film (assets), how masters are encoded (profiles, as
data), and the multipart uploads that bring masters in."""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

sha256_validator = RegexValidator(r"^[0-9a-f]{64}$", _("A SHA-256 is 64 lowercase hex digits."))


#: (name, height, video kbit/s, audio kbit/s): the ladder the data migration loads
DEFAULT_LADDER = (
    ("1080p", 1080, 5000, 192),
    ("720p", 720, 2800, 128),
    ("480p", 480, 1400, 128),
    ("360p", 360, 800, 96),
)


class EncodingProfile(models.Model):
    """One rung of the HLS ladder (H.264/AAC). Rows, not code: the ladder is loaded by a
    data migration and can be tuned without a release. Only rungs no taller than the
    source are produced."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    height = models.PositiveSmallIntegerField(_("height (pixels)"))
    video_bitrate_kbps = models.PositiveIntegerField(_("video bitrate (kbit/s)"))
    audio_bitrate_kbps = models.PositiveIntegerField(_("audio bitrate (kbit/s)"), default=128)
    video_codec = models.CharField(_("video codec"), max_length=20, default="libx264")
    audio_codec = models.CharField(_("audio codec"), max_length=20, default="aac")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("encoding profile")
        verbose_name_plural = _("encoding profiles")
        ordering = ["-height"]
        constraints = [
            models.CheckConstraint(name="profile_height_positive", condition=Q(height__gt=0)),
        ]

    def __str__(self):
        return self.name

    @property
    def nominal_bitrate(self) -> int:
        """Bits per second the profile asks of the encoder (what was really encoded is
        measured and stored with each rendition)."""
        return (self.video_bitrate_kbps + self.audio_bitrate_kbps) * 1000


class Asset(models.Model):
    """A file of a film in the object store: the HD master, what transcoding derived from
    it (renditions, master playlist, poster), accessibility tracks, stills and trailers.

    The status only moves forward through services: uploading → uploaded (the store has
    it, size checked) → verified (SHA-256 checked) → transcoding → ready, or failed with
    the reason. Nothing but `ready` (and a verified master, for screenings) is served."""

    class Kind(models.TextChoices):
        MASTER = "master", _("HD master")
        HLS_RENDITION = "hls_rendition", _("HLS rendition")
        HLS_MASTER_PLAYLIST = "hls_master_playlist", _("HLS master playlist")
        SUBTITLES = "subtitles", _("Subtitles (WebVTT)")
        AUDIO_DESCRIPTION = "audio_description", _("Audio description")
        POSTER = "poster", _("Poster")
        STILL = "still", _("Still")
        TRAILER = "trailer", _("Trailer")

    class Status(models.TextChoices):
        UPLOADING = "uploading", _("Uploading")
        UPLOADED = "uploaded", _("Uploaded")
        VERIFIED = "verified", _("Verified")
        TRANSCODING = "transcoding", _("Transcoding")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="assets", verbose_name=_("film")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10, blank=True)
    for_deaf_and_hard_of_hearing = models.BooleanField(
        _("subtitles for the deaf and hard of hearing"), default=False
    )
    storage_key = models.CharField(_("storage key"), max_length=500, unique=True)
    # what the content check found the file to be ("" until then): the stored object's
    # content type, never the client's word
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    duration_seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADING
    )
    error = models.TextField(_("error"), blank=True)
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    source = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("derived from"),
    )
    profile = models.ForeignKey(
        EncodingProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("encoding profile"),
    )
    # What was measured at the end of the transcode (HLS renditions; the master playlist
    # declares these, not the profile's nominal values): RFC 6381 codecs from the
    # sequence parameter set, frame rate, RFC 8216 peak and average segment bit rates, and
    # the MPEG-TS time of the first frame (subtitles are mapped to it: X-TIMESTAMP-MAP).
    codecs = models.CharField(_("codecs"), max_length=100, blank=True)
    frame_rate = models.FloatField(_("frame rate"), null=True, blank=True)
    peak_bitrate = models.PositiveIntegerField(
        _("peak segment bit rate (bit/s)"), null=True, blank=True
    )
    average_bitrate = models.PositiveIntegerField(
        _("average segment bit rate (bit/s)"), null=True, blank=True
    )
    start_pts = models.BigIntegerField(
        _("first presentation time (MPEG-TS, 90 kHz)"), null=True, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("transcoding attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["film_id", "kind", "pk"]
        indexes = [models.Index(fields=["film", "kind", "status"])]
        constraints = [
            models.CheckConstraint(
                name="asset_progress_percent", condition=Q(progress_percent__lte=100)
            ),
            models.CheckConstraint(name="asset_size_not_negative", condition=Q(size__gte=0)),
            # Transcoding the same master twice replaces its outputs, never duplicates them.
            models.UniqueConstraint(
                fields=["source", "kind", "profile"],
                condition=Q(source__isnull=False, profile__isnull=False),
                name="asset_one_output_per_source_kind_profile",
            ),
            models.UniqueConstraint(
                fields=["source", "kind"],
                condition=Q(source__isnull=False, profile__isnull=True),
                name="asset_one_output_per_source_kind",
            ),
            models.CheckConstraint(
                name="asset_rendition_has_profile",
                condition=~Q(kind="hls_rendition") | Q(profile__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.film_id}/{self.kind}/{self.pk}"


class Upload(models.Model):
    """A multipart upload of an asset straight to the object store. The client declared
    the size and the SHA-256; completing checks both before the asset counts."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        ABORTED = "aborted", _("Aborted")
        FAILED = "failed", _("Failed")

    asset = models.OneToOneField(
        Asset, on_delete=models.CASCADE, related_name="upload", verbose_name=_("asset")
    )
    backend_upload_id = models.CharField(_("object store upload id"), max_length=500)
    declared_size = models.BigIntegerField(_("declared size (bytes)"))
    declared_sha256 = models.CharField(
        _("declared SHA-256"), max_length=64, validators=[sha256_validator]
    )
    part_size = models.BigIntegerField(_("part size (bytes)"))
    # Optional: each part's SHA-256 (hex), declared at initiation. The store then checks
    # every part as it arrives (x-amz-checksum-sha256, signed into the part URL) and its
    # checksum of the parts' checksums is compared at completion: no read-back.
    declared_part_sha256 = models.JSONField(
        _("declared SHA-256 of each part"), null=True, blank=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    # The parts list the client sent to `complete`, recorded before it is acted upon.
    completed_parts = models.JSONField(_("parts sent at completion"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="upload_sizes_positive", condition=Q(declared_size__gt=0, part_size__gt=0)
            ),
        ]

    def __str__(self):
        return f"upload {self.pk} of asset {self.asset_id}"

    @property
    def part_count(self) -> int:
        return max(1, -(-self.declared_size // self.part_size))
