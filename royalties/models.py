"""Payment terms of a contract (versioned), the statements drawn from them, and the users
of a rights holder's own space.

Money is Decimal EUR. Rates keep four decimals (a per-minute rate of 0.0125 EUR); every
amount is rounded once, to the cent, half up (`ROUNDING`), where a statement line is
computed — never before (a quantity times a rate) and never again (totals are sums of
rounded lines)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rights.models import Contract, Medium, RightsHolder

ZERO = Decimal("0.00")


class Rounding(models.TextChoices):
    """How a statement line's amount is rounded (once, where the line is computed)."""

    CENTS_HALF_UP = "cents_half_up", _("To the cent, half up")


class FeeSchedule(models.TextChoices):
    """When the flat fee of a terms version falls due."""

    ON_SIGNATURE = "on_signature", _("Once, on the contract's signature")
    YEARLY = "yearly", _("Every year, on the anniversary of the version's start")
    INSTALMENTS = "instalments", _("In instalments, one a quarter from the version's start")


class Unit(models.TextChoices):
    """What a per-use rate is paid for."""

    VIEW = "view", _("per view")
    MINUTE = "minute", _("per viewing minute")
    SCREENING = "screening", _("per public screening held")
    COPY = "copy", _("per DVD copy shipped")


#: which units a medium may be paid by
UNITS_BY_MEDIUM = {
    Medium.STREAM_ONSITE: (Unit.VIEW, Unit.MINUTE),
    Medium.STREAM_HOME: (Unit.VIEW, Unit.MINUTE),
    Medium.PUBLIC_SCREENING: (Unit.SCREENING,),
    Medium.DVD: (Unit.COPY,),
}


class PaymentTerms(models.Model):
    """One version of what a contract pays, valid from a day to a day (inclusive; an open
    end runs until the next version). A contract's versions never overlap (the service
    checks it under the contract's lock); a statement prices each use with the version in
    force on the day of the use. Every change is recorded (who, what, when)."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="payment_terms",
        verbose_name=_("contract"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day included; empty: open end.")
    )
    flat_fee = models.DecimalField(
        _("flat fee (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    fee_schedule = models.CharField(
        _("flat fee schedule"),
        max_length=20,
        choices=FeeSchedule.choices,
        default=FeeSchedule.ON_SIGNATURE,
    )
    instalments = models.PositiveSmallIntegerField(
        _("number of instalments"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    minimum_guarantee = models.DecimalField(
        _("minimum guarantee per year (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("A quarter's statement guarantees a quarter of it."),
    )
    advance = models.DecimalField(
        _("advance recouped (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Paid beforehand; recouped from per-use amounts before more is owed."),
    )
    rounding = models.CharField(
        _("rounding"), max_length=20, choices=Rounding.choices, default=Rounding.CENTS_HALF_UP
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment terms")
        verbose_name_plural = _("payment terms")
        ordering = ["contract", "valid_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "valid_from"], name="payment_terms_one_start_per_contract"
            ),
            models.CheckConstraint(
                name="payment_terms_window_ordered",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
            models.CheckConstraint(
                name="payment_terms_amounts_not_negative",
                condition=Q(flat_fee__gte=0, minimum_guarantee__gte=0, advance__gte=0),
            ),
            models.CheckConstraint(
                name="payment_terms_instalments_counted",
                condition=~Q(fee_schedule="instalments") | Q(instalments__gte=1),
            ),
        ]

    def __str__(self):
        return f"{self.contract_id} {self.valid_from}–{self.valid_to or '…'}"


class PerUseRate(models.Model):
    """A per-use rate of a terms version: so much per view, per viewing minute, per public
    screening held or per DVD copy shipped, on one medium."""

    terms = models.ForeignKey(
        PaymentTerms, on_delete=models.CASCADE, related_name="rates", verbose_name=_("terms")
    )
    medium = models.CharField(_("medium"), max_length=20, choices=Medium.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    rate = models.DecimalField(
        _("rate (EUR)"), max_digits=12, decimal_places=4, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("per-use rate")
        verbose_name_plural = _("per-use rates")
        ordering = ["terms", "medium", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["terms", "medium", "unit"], name="per_use_rate_once_per_unit"
            ),
            models.CheckConstraint(name="per_use_rate_not_negative", condition=Q(rate__gte=0)),
            models.CheckConstraint(
                name="per_use_rate_unit_fits_medium",
                condition=Q(
                    medium__in=[Medium.STREAM_ONSITE, Medium.STREAM_HOME],
                    unit__in=["view", "minute"],
                )
                | Q(medium=Medium.PUBLIC_SCREENING, unit="screening")
                | Q(medium=Medium.DVD, unit="copy"),
            ),
        ]

    def __str__(self):
        return f"{self.medium} {self.rate} {self.unit}"


class Statement(models.Model):
    """What a contract's films did in a period (a quarter or a year, in Paris dates) and
    what the contract's terms make of it.

    draft (computed, recomputable) → approved by the cinema staff (frozen: its lines and
    usage rows stay as they were, with the digest of the inputs they came from) → sent to
    the rights holder's contacts with its PDF → paid (date, reference)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")

    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="statements", verbose_name=_("contract")
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    due_on = models.DateField(_("due on"))
    per_use_amount = models.DecimalField(
        _("per-use amounts (EUR)"), max_digits=14, decimal_places=2, default=ZERO
    )
    minimum_guarantee = models.DecimalField(
        _("minimum guarantee (EUR)"), max_digits=14, decimal_places=2, default=ZERO
    )
    guarantee_top_up = models.DecimalField(
        _("guarantee top-up (EUR)"), max_digits=14, decimal_places=2, default=ZERO
    )
    advance_balance = models.DecimalField(
        _("advance left to recoup before (EUR)"), max_digits=14, decimal_places=2, default=ZERO
    )
    advance_recouped = models.DecimalField(
        _("advance recouped (EUR)"), max_digits=14, decimal_places=2, default=ZERO
    )
    flat_fee_amount = models.DecimalField(
        _("flat fee due (EUR)"), max_digits=14, decimal_places=2, default=ZERO
    )
    total = models.DecimalField(_("total (EUR)"), max_digits=14, decimal_places=2, default=ZERO)
    inputs_digest = models.CharField(_("digest of the inputs"), max_length=64)
    computed_at = models.DateTimeField(_("computed at"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.JSONField(_("sent to"), default=list, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
        help_text=_("The approved statement of the same period that this one restates."),
    )
    previously_stated = models.DecimalField(
        _("total of the corrected statement (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["inputs_digest", "computed_at"])

    class Meta:
        verbose_name = _("royalty statement")
        verbose_name_plural = _("royalty statements")
        ordering = ["-period_start", "contract", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            # one statement per contract and period, besides the corrections of it
            models.UniqueConstraint(
                fields=["contract", "period_start", "period_end"],
                condition=Q(corrects__isnull=True),
                name="statement_once_per_contract_period",
            ),
            models.CheckConstraint(
                name="statement_correction_knows_previous_total",
                condition=Q(corrects__isnull=True) | Q(previously_stated__isnull=False),
            ),
            models.CheckConstraint(
                name="statement_period_ordered", condition=Q(period_end__gte=F("period_start"))
            ),
            models.CheckConstraint(name="statement_total_not_negative", condition=Q(total__gte=0)),
            models.CheckConstraint(
                name="statement_paid_has_date",
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
            ),
            models.CheckConstraint(
                name="statement_approved_has_date",
                condition=Q(status="draft") | Q(approved_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.contract_id} {self.period_start}–{self.period_end} ({self.status})"

    @property
    def balance(self):
        """What this statement adds to what was stated before for its period: its total,
        or for a correction the difference with the statement it corrects (negative when
        the rights holder was paid too much)."""
        if self.previously_stated is None:
            return self.total
        return self.total - self.previously_stated

    @property
    def period_label(self) -> str:
        if self.period_kind == self.PeriodKind.YEAR:
            return str(self.period_start.year)
        return f"{self.period_start.year}-Q{(self.period_start.month - 1) // 3 + 1}"


class StatementUsageQuerySet(models.QuerySet):
    def over_period(self):
        return self.filter(month__isnull=True, department_code="")

    def by_month(self):
        return self.filter(month__isnull=False, department_code="")

    def by_department(self):
        return self.filter(month__isnull=True).exclude(department_code="")


class StatementUsage(models.Model):
    """A statement's usage of one film on one medium, in three breakdowns: over the whole
    period (no month, no department), in one month (no department), in one department
    with its region (no month) — never finer: no library, no patron. `viewers` are the
    distinct viewers of that row (they do not add up across rows)."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="usage", verbose_name=_("statement")
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    medium = models.CharField(_("medium"), max_length=20, choices=Medium.choices)
    month = models.DateField(
        _("month"),
        null=True,
        blank=True,
        help_text=_("Empty: the whole period's figures, or a department's."),
    )
    department_code = models.CharField(
        _("department"),
        max_length=3,
        blank=True,
        help_text=_("Empty: the whole period's figures, or a month's."),
    )
    region_code = models.CharField(_("region"), max_length=3, blank=True)
    views = models.PositiveIntegerField(_("views"), default=0)
    seconds = models.PositiveBigIntegerField(_("seconds watched"), default=0)
    viewers = models.PositiveIntegerField(_("distinct viewers"), default=0)
    screenings = models.PositiveIntegerField(_("screenings held"), default=0)
    attendance = models.PositiveIntegerField(_("attendance"), default=0)
    copies = models.PositiveIntegerField(_("DVD copies shipped"), default=0)

    objects = StatementUsageQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement usage")
        verbose_name_plural = _("statement usage")
        ordering = ["statement", "film", "medium", "month", "department_code"]

    def __str__(self):
        where = f"{self.month:%Y-%m}" if self.month else self.department_code or "period"
        return f"{self.film_id} {self.medium} {where}"

    @property
    def breakdown(self) -> str:
        """Which of the statement's tables the row is in: "period", "month" or
        "department" — or "cell" (a month and a department at once): statements drafted
        before 8 December 2026 kept that cross product, and an approved one keeps its rows
        as they were approved."""
        if self.month is not None:
            return "cell" if self.department_code else "month"
        return "department" if self.department_code else "period"


class StatementLine(models.Model):
    """One term applied to one film's use on one medium: the quantity (views, seconds
    watched for a per-minute rate, screenings held, copies shipped), the rate of the terms
    version in force on the days of that use, and the amount, rounded once here."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    medium = models.CharField(_("medium"), max_length=20, choices=Medium.choices)
    terms = models.ForeignKey(
        PaymentTerms,
        on_delete=models.PROTECT,
        related_name="statement_lines",
        verbose_name=_("terms version"),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    quantity = models.PositiveBigIntegerField(
        _("quantity"), help_text=_("Seconds watched for a per-minute rate.")
    )
    rate = models.DecimalField(_("rate (EUR)"), max_digits=12, decimal_places=4)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "film", "medium", "terms", "unit"]

    def __str__(self):
        return f"{self.film_id} {self.medium} {self.unit} {self.amount}"


class FlatFeeLine(models.Model):
    """A flat-fee payment that falls due in a statement's period."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="fee_lines", verbose_name=_("statement")
    )
    terms = models.ForeignKey(
        PaymentTerms, on_delete=models.PROTECT, related_name="+", verbose_name=_("terms version")
    )
    due_on = models.DateField(_("falls due on"))
    label = models.CharField(_("label"), max_length=100)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("flat fee line")
        verbose_name_plural = _("flat fee lines")
        ordering = ["statement", "due_on", "pk"]

    def __str__(self):
        return f"{self.due_on} {self.amount}"


class RightsHolderMember(models.Model):
    """A user of a rights holder's own space (role `rights_holder`), invited by the cinema
    staff: they read that holder's contracts, grants, films, usage and statements."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rights_holder_membership",
        verbose_name=_("user"),
    )
    rights_holder = models.ForeignKey(
        RightsHolder,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("rights holder"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rights holder's user")
        verbose_name_plural = _("rights holder's users")
        ordering = ["rights_holder", "user"]

    def __str__(self):
        return f"{self.user_id} @ {self.rights_holder_id}"
