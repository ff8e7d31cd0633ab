from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def ean13_check_digit(first_twelve: str) -> int:
    """The GS1 check digit of the first twelve digits of an EAN-13."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return (10 - total % 10) % 10


def validate_ean13(value: str) -> None:
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("An EAN-13 has exactly 13 digits."), code="invalid_ean")
    if ean13_check_digit(value[:12]) != int(value[12]):
        raise ValidationError(_("This EAN-13's check digit is wrong."), code="invalid_ean")


class DvdEdition(models.Model):
    """A DVD edition of a film. Its price per copy includes the institutional lending
    rights (the library may lend and show it on site). Its stock is not a column: it is
    the sum of its `StockMovement` ledger."""

    film = models.ForeignKey(
        "catalogue.Film",
        on_delete=models.PROTECT,
        related_name="dvd_editions",
        verbose_name=_("film"),
    )
    ean = models.CharField(_("EAN-13"), max_length=13, unique=True, validators=[validate_ean13])
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=_("e.g. 2 DVD, bonus, audio description")
    )
    price = models.DecimalField(
        _("price per copy (EUR, lending rights included)"), max_digits=8, decimal_places=2
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("DVD edition")
        verbose_name_plural = _("DVD editions")
        ordering = ["film__title", "pk"]
        constraints = [
            models.CheckConstraint(name="dvd_edition_price_positive", condition=Q(price__gt=0)),
        ]

    def __str__(self):
        return f"{self.film} — {self.ean}"


class StockMovement(models.Model):
    """One line of an edition's stock ledger, with a signed quantity.

    Copies *available* to order are the sum of every movement; copies *on hand* (on the
    shelf) are the sum of all but reservations and releases. A submission reserves
    (negative), a cancellation or a rejected line releases what it reserved (positive),
    and a shipment releases the reservation and takes the copies off the shelf in the
    same transaction.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        RESERVATION = "reservation", _("Reservation")
        RELEASE = "release", _("Release of a reservation")
        SHIPMENT = "shipment", _("Shipment")
        RETURN = "return", _("Return")
        WRITE_OFF = "write_off", _("Write-off")

    #: kinds that add copies; the others take some away
    INCOMING = (Kind.RECEIPT, Kind.RELEASE, Kind.RETURN)
    #: kinds that do not move copies on or off the shelf
    RESERVATION_KINDS = (Kind.RESERVATION, Kind.RELEASE)

    edition = models.ForeignKey(
        DvdEdition, on_delete=models.PROTECT, related_name="movements", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity (signed)"))
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="movements",
        null=True,
        blank=True,
        verbose_name=_("order line"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["edition", "kind"])]
        constraints = [
            models.CheckConstraint(
                name="stock_movement_sign_follows_kind",
                condition=(Q(kind__in=["receipt", "release", "return"]) & Q(quantity__gt=0))
                | (Q(kind__in=["reservation", "shipment", "write_off"]) & Q(quantity__lt=0)),
            ),
            models.CheckConstraint(
                name="stock_movement_order_kinds_have_line",
                condition=~Q(kind__in=["reservation", "release", "shipment"])
                | Q(order_line__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d}"


class Order(models.Model):
    """A library's DVD order. It starts as the library's cart (one at a time), is
    submitted (stock reserved), validated by the cinema staff (wholly or line by line),
    shipped with a carrier reference and a delivery note, and delivered; it may be
    cancelled before shipping, which releases its reservations."""

    class Status(models.TextChoices):
        CART = "cart", _("Cart")
        SUBMITTED = "submitted", _("Submitted")
        VALIDATED = "validated", _("Validated")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    library = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="dvd_orders",
        verbose_name=_("library"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CART
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    carrier_reference = models.CharField(_("carrier reference"), max_length=100, blank=True)
    delivery_note = models.FileField(
        _("delivery note (PDF)"), upload_to="delivery-notes/", blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("DVD order")
        verbose_name_plural = _("DVD orders")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["library", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["library"], condition=Q(status="cart"), name="order_one_cart_per_library"
            ),
            models.CheckConstraint(
                name="order_submitted_has_date",
                condition=Q(status__in=["cart", "cancelled"]) | Q(submitted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="order_shipped_has_carrier",
                condition=~Q(status__in=["shipped", "delivered"]) | ~Q(carrier_reference=""),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.library} ({self.get_status_display()})"


class OrderLine(models.Model):
    """Copies of one edition in an order. `unit_price` is frozen at submission."""

    class Status(models.TextChoices):
        PENDING = "pending", _("In the cart")
        RESERVED = "reserved", _("Reserved (awaiting validation)")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    edition = models.ForeignKey(
        DvdEdition, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("edition")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    unit_price = models.DecimalField(
        _("price per copy"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    rejection_reason = models.CharField(_("reason for the rejection"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "edition"], name="order_line_edition_once"),
            models.CheckConstraint(
                name="order_line_quantity_positive", condition=Q(quantity__gt=0)
            ),
            models.CheckConstraint(
                name="order_line_rejected_has_reason",
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.edition}"


class OrderEvent(models.Model):
    """What happened to an order: each status change, dated and attributed."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Order.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Order.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    emailed_at = models.DateTimeField(_("library e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="order_event_changes_status", condition=~Q(from_status=F("to_status"))
            ),
        ]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class SubmissionKey(models.Model):
    """An `Idempotency-Key` a library used to submit an order, claimed by inserting this
    row (the unique constraint decides who was first): a repeated submission finds it and
    answers with the order it submitted, reserving nothing more."""

    library = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("library"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="submission_keys"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")
        constraints = [
            models.UniqueConstraint(fields=["library", "key"], name="submission_key_once"),
        ]

    def __str__(self):
        return self.key
