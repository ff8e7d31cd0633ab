from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class ScreeningBooking(models.Model):
    """A public screening booked by a library: a film, a date and time, a venue and an
    expected audience; after the screening the library reports the actual attendance."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    library = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="screening_bookings",
        verbose_name=_("library"),
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("subscription"),
    )
    film = models.ForeignKey(
        "catalogue.Film",
        on_delete=models.PROTECT,
        related_name="screening_bookings",
        verbose_name=_("film"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    venue = models.CharField(_("venue"), max_length=200)
    expected_audience = models.PositiveIntegerField(_("expected audience"))
    actual_attendance = models.PositiveIntegerField(_("actual attendance"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening booking")
        verbose_name_plural = _("screening bookings")
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["library", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                name="attendance_only_when_held",
                condition=Q(actual_attendance__isnull=True) | Q(status="held"),
            )
        ]

    def __str__(self):
        return f"{self.film} @ {self.library} ({self.starts_at:%Y-%m-%d})"


class ScreeningCreditEntry(models.Model):
    """The screening-credit ledger of a subscription: the yearly allowance, each booking
    (−1) and each refund (+1) is a row; a balance is always the sum, taken under the
    subscription's row lock."""

    class Kind(models.TextChoices):
        ALLOWANCE = "allowance", _("Allowance")
        BOOKING = "booking", _("Booking")
        REFUND = "refund", _("Refund")
        ADJUSTMENT = "adjustment", _("Adjustment")

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.CASCADE,
        related_name="credit_entries",
        verbose_name=_("subscription"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.SmallIntegerField(_("quantity"))
    booking = models.ForeignKey(
        ScreeningBooking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_entries",
        verbose_name=_("screening booking"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        # "mouvement" is masculine in French: not the feminine « créée par » of campaigns
        verbose_name=pgettext_lazy("masculine", "created by"),
    )

    class Meta:
        verbose_name = _("screening credit entry")
        verbose_name_plural = _("screening credit entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="credit_sign_matches_kind",
                condition=(
                    Q(kind__in=["allowance", "refund"], quantity__gt=0)
                    | Q(kind="booking", quantity__lt=0)
                    | Q(kind="adjustment")
                ),
            ),
            models.UniqueConstraint(
                fields=["booking", "kind"],
                condition=Q(booking__isnull=False),
                name="credit_once_per_booking_and_kind",
            ),
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(kind="allowance"),
                name="credit_one_allowance_per_subscription",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.quantity:+d}"
