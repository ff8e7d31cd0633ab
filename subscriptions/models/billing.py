from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _


class InvoiceSequence(models.Model):
    """The last invoice number given in a year. Taken under a row lock, so numbers are
    gap-free and never given twice, even with concurrent invoicing."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("invoice numbering")
        verbose_name_plural = _("invoice numberings")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Invoice(models.Model):
    """An administrative invoice for a public-sector subscriber (purchase order, payment
    by bank transfer); the cinema staff mark it paid."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("subscription"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=20, unique=True)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    amount_excl_vat = models.DecimalField(_("amount excl. VAT"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    vat_amount = models.DecimalField(_("VAT"), max_digits=10, decimal_places=2)
    amount_incl_vat = models.DecimalField(_("amount incl. VAT"), max_digits=10, decimal_places=2)
    purchase_order_reference = models.CharField(
        _("purchase order reference"), max_length=100, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ISSUED
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="invoices/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="invoice_number_gap_free"),
            models.CheckConstraint(
                name="invoice_amounts_consistent",
                # rounded to the cent: SQLite (the embedded default) adds decimals as
                # binary floats, where 65.73 + 13.15 is not 78.88
                condition=Q(amount_incl_vat=Round(F("amount_excl_vat") + F("vat_amount"), 2)),
            ),
            models.CheckConstraint(
                name="invoice_due_after_issue", condition=Q(due_on__gte=F("issued_on"))
            ),
            models.CheckConstraint(
                name="invoice_paid_has_date", condition=~Q(status="paid") | Q(paid_on__isnull=False)
            ),
        ]

    def __str__(self):
        return self.number


class WebhookEvent(models.Model):
    """A verified delivery from a payment provider, stored raw before it is processed:
    body, headers, remote address, whether it was processed and the error if processing
    failed — so nothing is lost and failures can be replayed. Deliveries whose signature
    does not verify are refused before anything is stored (rows with `signature_valid`
    false and no `duplicate_of` come from before that rule). A valid event is claimed once
    per provider event id (the unique constraint); later deliveries of the same event
    (Stripe's retries) are kept as duplicates of the first, and change nothing."""

    provider = models.CharField(_("payment provider"), max_length=20, default="stripe")
    event_id = models.CharField(_("provider's event id"), max_length=255, blank=True)
    event_type = models.CharField(_("event type"), max_length=100, blank=True)
    body = models.TextField(_("request body"))
    headers = models.JSONField(_("request headers"), default=dict)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    signature_valid = models.BooleanField(_("valid signature"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        help_text=_("The first delivery of the same event, when this one is a repeat."),
    )
    processed = models.BooleanField(_("processed"), default=False)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=Q(signature_valid=True, duplicate_of__isnull=True),
                name="webhook_event_once",
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.event_id or '?'}"
