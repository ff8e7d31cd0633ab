from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Subscription(models.Model):
    """One period (a year) of a plan bought by a subscriber: a library, or a network that
    subscribes for all its members (a library that joins the network mid-period is covered
    from the day it joins). Prices are a snapshot of the quote."""

    class Status(models.TextChoices):
        QUOTE = "quote", _("Quote")
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        # "abonnement" is masculine in French: not the feminine "Annulée" of orders etc.
        CANCELLED = "cancelled", pgettext_lazy("subscription status", "Cancelled")

    class PaymentMethod(models.TextChoices):
        CARD = "card", _("Card (Stripe)")
        SEPA_DEBIT = "sepa_debit", _("SEPA direct debit (Stripe)")
        ADMINISTRATIVE_INVOICE = "administrative_invoice", _("Administrative invoice")

    subscriber = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("subscriber"),
    )
    plan = models.ForeignKey(
        "subscriptions.Plan",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("plan"),
    )
    tier = models.ForeignKey(
        "subscriptions.PriceTier",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("price tier"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on (inclusive)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUOTE
    )
    population_served = models.PositiveIntegerField(_("population served"))
    price_excl_vat = models.DecimalField(_("price excl. VAT"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    price_incl_vat = models.DecimalField(_("price incl. VAT"), max_digits=10, decimal_places=2)
    payment_method = models.CharField(
        _("payment method"), max_length=30, choices=PaymentMethod.choices, blank=True
    )
    purchase_order_reference = models.CharField(
        _("purchase order reference"), max_length=100, blank=True
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renewal of"),
    )
    stripe_checkout_session_id = models.CharField(
        _("Stripe Checkout session id"), max_length=255, blank=True, db_index=True
    )
    stripe_customer_id = models.CharField(_("Stripe customer id"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("masculine", "created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Fair use of streaming, set by the subscriber (a network for all its members); empty:
    # no limit. A film counts once per patron per viewing window, however often restarted.
    patron_monthly_films = models.PositiveIntegerField(
        _("films per patron per month"), null=True, blank=True
    )
    library_daily_films = models.PositiveIntegerField(
        _("films per library per day"), null=True, blank=True
    )
    library_annual_films = models.PositiveIntegerField(
        _("films per library per subscription year"), null=True, blank=True
    )
    viewing_window_hours = models.PositiveIntegerField(_("viewing window (hours)"), default=72)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["status", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                name="subscription_period_ordered", condition=Q(ends_on__gte=F("starts_on"))
            ),
            models.CheckConstraint(
                name="subscription_prices_not_negative",
                condition=Q(price_excl_vat__gte=0) & Q(price_incl_vat__gte=F("price_excl_vat")),
            ),
            models.UniqueConstraint(
                fields=["previous"],
                condition=Q(previous__isnull=False),
                name="subscription_renewed_once",
            ),
        ]

    def __str__(self):
        return f"{self.subscriber} — {self.plan.name} ({self.starts_on}–{self.ends_on})"


class RenewalReminder(models.Model):
    """A renewal reminder sent 60, 30 or 7 days before the end: one row each, so a reminder
    is never sent twice (the unique constraint claims it)."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("subscription"),
    )
    days_before = models.PositiveSmallIntegerField(_("days before the end"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "days_before"], name="renewal_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.subscription_id} J-{self.days_before}"
