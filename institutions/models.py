import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.geography import DEPARTMENT_REGION, REGIONS


def validate_department_code(value: str) -> None:
    if value not in DEPARTMENT_REGION:
        raise ValidationError(_("Unknown French department code."), code="unknown_department")


def validate_region_code(value: str) -> None:
    if value not in REGIONS:
        raise ValidationError(_("Unknown French region code."), code="unknown_region")


def validate_cidr(value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValidationError(
            _("Not a network in CIDR notation (for example 192.0.2.0/24)."), code="invalid_cidr"
        ) from exc


class Institution(models.Model):
    """A library open to the public, or a network that groups member libraries.

    Eligibility for rights is a property of the institution's kind (a library run by an
    association is a library open to the public too). A network subscribes for all its
    members; membership is dated (`NetworkMembership`) so coverage can start mid-year.
    """

    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal library")
        INTERCOMMUNAL = "intercommunal", _("Intercommunal library")
        DEPARTMENTAL = "departmental", _("Departmental library")
        ASSOCIATION = "association", _("Association-run library")
        OTHER_PUBLIC = "other_public", _("Other establishment open to the public")

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Stable identifier, e.g. BM-69123.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_network = models.BooleanField(
        _("network"),
        default=False,
        help_text=_("A network or local authority that groups member libraries."),
    )
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    department_code = models.CharField(
        _("department"), max_length=3, validators=[validate_department_code]
    )
    region_code = models.CharField(_("region"), max_length=2, validators=[validate_region_code])
    population_served = models.PositiveIntegerField(_("population served"), default=0)
    email = models.EmailField(_("contact e-mail"), blank=True)
    dvd_authorised_since = models.DateField(
        _("authorised to order DVDs since"), null=True, blank=True
    )
    dvd_suspended = models.BooleanField(_("DVD ordering suspended"), default=False)
    dvd_suspension_reason = models.CharField(
        _("reason for the suspension"), max_length=200, blank=True
    )
    members = models.ManyToManyField(
        "self",
        through="NetworkMembership",
        through_fields=("network", "library"),
        symmetrical=False,
        related_name="networks",
        blank=True,
        verbose_name=_("member libraries"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["department_code"]),
            models.Index(fields=["region_code"]),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        region = DEPARTMENT_REGION.get(self.department_code)
        if region and self.region_code and region != self.region_code:
            raise ValidationError(
                {"region_code": _("This department is not in this region.")},
                code="region_mismatch",
            )

    @property
    def is_dvd_authorised(self) -> bool:
        return self.dvd_authorised_since is not None and not self.dvd_suspended


class NetworkMembership(models.Model):
    """A library belongs to a network from `joined_on` (inclusive) to `left_on` (exclusive)."""

    network = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    library = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="network_memberships",
        verbose_name=_("library"),
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.CheckConstraint(name="membership_not_self", condition=~Q(network=F("library"))),
            models.CheckConstraint(
                name="membership_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gt=F("joined_on")),
            ),
            models.UniqueConstraint(
                fields=["network", "library", "joined_on"], name="membership_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.library} ∈ {self.network}"


class OnSiteIPRange(models.Model):
    """A network (CIDR) from which requests count as made inside the library: streaming
    from there uses the on-site right rather than the at-home one."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="ip_ranges",
        verbose_name=_("institution"),
    )
    cidr = models.CharField(_("network (CIDR)"), max_length=43, validators=[validate_cidr])
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("on-site IP range")
        verbose_name_plural = _("on-site IP ranges")
        constraints = [
            models.UniqueConstraint(fields=["institution", "cidr"], name="ip_range_unique"),
        ]

    def __str__(self):
        return self.cidr

    @property
    def network(self):
        return ipaddress.ip_network(self.cidr)
