from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.geography import TERRITORIES
from institutions.models import Institution


class RightsHolder(models.Model):
    """A producer or distributor who holds the rights of films. Libraries never deal with
    them: the cinema service negotiates on their behalf."""

    class Kind(models.TextChoices):
        PRODUCER = "producer", _("Producer")
        DISTRIBUTOR = "distributor", _("Distributor")
        DIRECTOR = "director", _("Director (self-produced)")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, default="FR")
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rights holder")
        verbose_name_plural = _("rights holders")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RightsHolderContact(models.Model):
    rights_holder = models.ForeignKey(
        RightsHolder,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("rights holder"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("rights holder contact")
        verbose_name_plural = _("rights holder contacts")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


# --- contracts and grants ---------------------------------------------------------------


class Medium(models.TextChoices):
    """The ways a film is used; each needs its own right."""

    DVD = "dvd", _("DVD (loan and on-site consultation of copies)")
    STREAM_ONSITE = "stream_onsite", _("Streaming in the library")
    STREAM_HOME = "stream_home", _("Streaming at home")
    PUBLIC_SCREENING = "public_screening", _("Public screening")


#: the media of the streaming platform (a film left without any of them leaves it)
PLATFORM_MEDIA = (Medium.STREAM_ONSITE, Medium.STREAM_HOME, Medium.PUBLIC_SCREENING)


def default_territories() -> list[str]:
    return sorted(TERRITORIES)


def default_eligible_kinds() -> list[str]:
    return list(Institution.Kind.values)


def validate_territories(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give a non-empty list of territory codes."), code="invalid")
    unknown = [code for code in value if code not in TERRITORIES]
    if unknown:
        raise ValidationError(
            _("Unknown territory: %(codes)s.") % {"codes": ", ".join(map(str, unknown))},
            code="unknown_territory",
        )


def validate_eligible_kinds(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give a non-empty list of institution kinds."), code="invalid")
    unknown = [kind for kind in value if kind not in Institution.Kind.values]
    if unknown:
        raise ValidationError(
            _("Unknown institution kind: %(kinds)s.") % {"kinds": ", ".join(map(str, unknown))},
            code="unknown_institution_kind",
        )


class CodeListField(models.JSONField):
    """A JSON list of short codes (territories, institution kinds), queryable with the
    `has_code` lookup on every database the project runs on."""


@CodeListField.register_lookup
class HasCode(models.Lookup):
    """`field__has_code="FR-MET"`: the JSON list contains this code."""

    lookup_name = "has_code"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # SQLite (JSON1)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # lhs and rhs are SQL the compiler built; the code itself is a query parameter
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) AS codes WHERE codes.value = {rhs})"  # noqa: S608
        return sql, [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} ? {rhs})", [*lhs_params, *rhs_params]


def contract_document_path(instance, filename: str) -> str:
    return f"contracts/{instance.reference or 'draft'}/{filename}"


class Contract(models.Model):
    """A contract with a rights holder: the grants under it say what may be done with
    which film, on which medium, where and when — once it is signed.

    Its life: draft → in negotiation → signed → terminated from a date, with the reason.
    Only a signed contract gives rights; a terminated one gave them until the day before
    `terminated_on`. The grants keep what was negotiated: the rights engine reads the
    contract (`rights.decisions`). Each step is a service (`rights.services.contracts`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_NEGOTIATION = "in_negotiation", _("In negotiation")
        SIGNED = "signed", _("Signed")
        TERMINATED = "terminated", _("Terminated")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    rights_holder = models.ForeignKey(
        RightsHolder,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("rights holder"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    terminated_on = models.DateField(
        _("terminated from"),
        null=True,
        blank=True,
        help_text=_("First day without rights: the contract gave them until the day before."),
    )
    termination_reason = models.TextField(_("reason for the termination"), blank=True)
    fee = models.DecimalField(
        _("fee (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    document = models.FileField(
        _("signed document"), upload_to=contract_document_path, blank=True, max_length=255
    )
    notes = models.TextField(_("notes"), blank=True)
    in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rights_contracts",
        verbose_name=_("staff member in charge"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="contract_fee_not_negative", condition=Q(fee__gte=0)),
            models.CheckConstraint(
                name="contract_signed_has_date",
                condition=~Q(status__in=["signed", "terminated"]) | Q(signed_on__isnull=False),
            ),
            models.CheckConstraint(
                name="contract_terminated_has_date",
                condition=Q(status="terminated", terminated_on__isnull=False)
                | (~Q(status="terminated") & Q(terminated_on__isnull=True)),
            ),
            models.CheckConstraint(
                name="contract_terminated_after_signature",
                condition=Q(terminated_on__isnull=True) | Q(terminated_on__gte=F("signed_on")),
            ),
        ]

    def __str__(self):
        return self.reference


class RightsGrant(models.Model):
    """One film × one medium × one window (inclusive; an open end runs until further
    notice), for some territories and institution kinds, under a contract."""

    Medium = Medium

    class Quality(models.TextChoices):
        HD = "hd", _("HD")
        SD = "sd", _("SD")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="grants", verbose_name=_("contract")
    )
    film = models.ForeignKey(
        "catalogue.Film",
        on_delete=models.PROTECT,
        related_name="rights_grants",
        verbose_name=_("film"),
    )
    medium = models.CharField(_("medium"), max_length=20, choices=Medium.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Last day included; empty: open end.")
    )
    territories = CodeListField(
        _("territories"), default=default_territories, validators=[validate_territories]
    )
    eligible_kinds = CodeListField(
        _("eligible institution kinds"),
        default=default_eligible_kinds,
        validators=[validate_eligible_kinds],
    )
    screening_quality = models.CharField(
        _("screening quality"), max_length=2, choices=Quality.choices, default=Quality.HD
    )
    max_screenings_per_year = models.PositiveIntegerField(
        _("screenings per institution per year (cap)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    max_concurrent_streams = models.PositiveIntegerField(
        _("concurrent streams (cap)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    holdback_until = models.DateField(
        _("not before"), null=True, blank=True, help_text=_("Holdback: usable from this day.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rights grant")
        verbose_name_plural = _("rights grants")
        ordering = ["film", "medium", "starts_on", "pk"]
        indexes = [
            models.Index(fields=["film", "medium", "starts_on"]),
            models.Index(fields=["ends_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="grant_window_ordered",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
            models.CheckConstraint(
                name="grant_screening_cap_positive",
                condition=Q(max_screenings_per_year__isnull=True)
                | Q(max_screenings_per_year__gt=0),
            ),
            models.CheckConstraint(
                name="grant_stream_cap_positive",
                condition=Q(max_concurrent_streams__isnull=True) | Q(max_concurrent_streams__gt=0),
            ),
        ]

    def __str__(self):
        return f"{self.film_id} {self.medium} {self.starts_on}–{self.ends_on or '…'}"

    def clean(self):
        if self.ends_on is not None and self.starts_on is not None:
            if self.ends_on < self.starts_on:
                raise ValidationError(
                    {"ends_on": _("The window ends before it starts.")}, code="window_reversed"
                )

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
