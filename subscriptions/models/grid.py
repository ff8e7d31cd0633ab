from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class TariffGrid(models.Model):
    """The prices of one year. The grid pools the technical costs (storage, hosting,
    bandwidth, transcoding) and is tiered by population served so that small
    establishments can afford the platform."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    vat_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.2000"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("tariff grid")
        verbose_name_plural = _("tariff grids")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class Plan(models.Model):
    """What can be bought in a year: the annual platform subscription (streaming on site
    and at home, plus an allowance of public screenings) or a discovery pack (3, 5 or 8
    public screenings a year, no streaming)."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Platform subscription")
        DISCOVERY = "discovery", _("Discovery pack")

    grid = models.ForeignKey(
        TariffGrid, on_delete=models.CASCADE, related_name="plans", verbose_name=_("tariff grid")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    screenings_per_year = models.PositiveSmallIntegerField(_("public screenings per year"))
    includes_streaming = models.BooleanField(_("includes streaming"), default=False)
    max_concurrent_streams = models.PositiveSmallIntegerField(
        _("concurrent streams"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["grid", "kind", "screenings_per_year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="plan_code_unique_per_grid"),
            models.CheckConstraint(
                name="discovery_pack_sizes",
                condition=~Q(kind="discovery")
                | (Q(screenings_per_year__in=[3, 5, 8]) & Q(includes_streaming=False)),
            ),
            models.CheckConstraint(
                name="plan_stream_cap_positive",
                condition=Q(max_concurrent_streams__isnull=True) | Q(max_concurrent_streams__gt=0),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.grid.year})"


class PriceTier(models.Model):
    """The price of a plan for subscribers serving a population between two bounds
    (inclusive; no upper bound on the last tier)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("plan")
    )
    population_from = models.PositiveIntegerField(_("population from"))
    population_to = models.PositiveIntegerField(_("population up to"), null=True, blank=True)
    price_excl_vat = models.DecimalField(
        _("price excl. VAT (EUR)"), max_digits=10, decimal_places=2
    )

    class Meta:
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        ordering = ["plan", "population_from"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "population_from"], name="tier_unique_start"),
            models.CheckConstraint(
                name="tier_bounds_ordered",
                condition=Q(population_to__isnull=True)
                | Q(population_to__gte=F("population_from")),
            ),
            models.CheckConstraint(
                name="tier_price_not_negative", condition=Q(price_excl_vat__gte=0)
            ),
        ]

    def __str__(self):
        upper = self.population_to if self.population_to is not None else "∞"
        return f"{self.population_from}–{upper}: {self.price_excl_vat} €"
