"""Billing: administrative invoices for public-sector subscribers (gap-free numbering per
year, PDF with the legal mentions, marked paid by the staff) and payment by Stripe
(through the gateway module, the only one that talks to Stripe)."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from backend.errors import ApplicationError
from subscriptions.errors import BillingErrorCode, SubscriptionErrorCode
from subscriptions.gateways import stripe as stripe_gateway
from subscriptions.locks import lock_invoice, lock_invoice_sequence, lock_subscriptions
from subscriptions.models import Invoice, Subscription

logger = logging.getLogger(__name__)

#: Payment methods paid through Stripe Checkout.
STRIPE_METHODS = frozenset({Subscription.PaymentMethod.CARD, Subscription.PaymentMethod.SEPA_DEBIT})


def _next_invoice_number(year: int) -> int:
    """Take the year's sequence under a row lock: numbers are gap-free and unique."""
    sequence = lock_invoice_sequence(year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


@transaction.atomic
def invoice_issue(*, subscription: Subscription, issued_on: datetime.date | None = None) -> Invoice:
    """Issue the administrative invoice of a subscription (payment within the legal
    public-sector delay, by bank transfer)."""
    if subscription.payment_method != Subscription.PaymentMethod.ADMINISTRATIVE_INVOICE:
        raise ApplicationError(
            BillingErrorCode.NOT_AN_INVOICE_SUBSCRIPTION,
            _("This subscription is not paid by administrative invoice."),
        )
    issued_on = issued_on or timezone.localdate()
    year = issued_on.year
    number = _next_invoice_number(year)
    vat = subscription.price_incl_vat - subscription.price_excl_vat
    invoice = Invoice(
        subscription=subscription,
        year=year,
        sequence=number,
        number=f"{year}-{number:05d}",
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=settings.INVOICE_PAYMENT_DAYS),
        amount_excl_vat=subscription.price_excl_vat,
        vat_rate=subscription.vat_rate,
        vat_amount=vat,
        amount_incl_vat=subscription.price_incl_vat,
        purchase_order_reference=subscription.purchase_order_reference,
    )
    invoice.full_clean(exclude=["pdf"])
    invoice.save()
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(invoice_pdf(invoice)), save=True)
    return invoice


@transaction.atomic
def invoice_mark_paid(
    *, invoice: Invoice, paid_on: datetime.date, by: User | None = None
) -> Invoice:
    """The staff record the bank transfer: the invoice is paid and the subscription active
    — unless its period is already over: the payment is recorded all the same, the
    subscription is not activated (the staff settle it with the subscriber)."""
    from subscriptions.selectors import period_ended
    from subscriptions.services.subscriptions import subscription_activate

    invoice = lock_invoice(invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        raise ApplicationError(
            BillingErrorCode.INVOICE_NOT_PAYABLE,
            _("This invoice is not awaiting payment."),
            status=409,
        )
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on"])
    subscription = invoice.subscription
    if subscription.status == Subscription.Status.AWAITING_PAYMENT and not period_ended(
        subscription, timezone.localdate()
    ):
        subscription_activate(subscription=subscription, by=by)
    return invoice


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as a PDF, with the mentions French public-sector invoices carry."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    subscription = invoice.subscription
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _width, height = A4
    y = height - 25 * mm

    def line(text: str, size: int = 10, gap: float = 6) -> None:
        nonlocal y
        pdf.setFont("Helvetica", size)
        pdf.drawString(20 * mm, y, text)
        y -= gap * mm

    line(settings.INVOICE_ISSUER_NAME, 14, 8)
    for part in settings.INVOICE_ISSUER_ADDRESS.split("\n"):
        line(part)
    line(f"SIRET {settings.INVOICE_ISSUER_SIRET}", gap=10)
    line(f"Facture n° {invoice.number}", 13, 8)
    line(f"Date d'émission : {invoice.issued_on:%d/%m/%Y}")
    line(f"Date d'échéance : {invoice.due_on:%d/%m/%Y}")
    if invoice.purchase_order_reference:
        line(f"Bon de commande : {invoice.purchase_order_reference}")
    line(f"Destinataire : {subscription.subscriber.name}", gap=10)
    line(
        f"{subscription.plan.name} — du {subscription.starts_on:%d/%m/%Y} "
        f"au {subscription.ends_on:%d/%m/%Y}"
    )
    line(f"Population desservie : {subscription.population_served}", gap=10)
    line(f"Montant HT : {invoice.amount_excl_vat} EUR")
    line(f"TVA ({invoice.vat_rate * 100:.2f} %) : {invoice.vat_amount} EUR")
    line(f"Montant TTC : {invoice.amount_incl_vat} EUR", 12, 10)
    line("Paiement par virement au comptable public assignataire.", 9, 5)
    line(f"IBAN : {settings.INVOICE_ISSUER_IBAN}", 9, 5)
    line(
        "Délai de paiement : 30 jours (art. R2192-10 du code de la commande publique). "
        "Retard : intérêts moratoires",
        8,
        4,
    )
    line("et indemnité forfaitaire pour frais de recouvrement de 40 EUR.", 8, 4)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- payment by Stripe (card, SEPA debit) -----------------------------------------------
@dataclass(frozen=True)
class PaymentStart:
    subscription: Subscription
    #: where to send the payer (Stripe Checkout); None for an administrative invoice
    checkout_url: str | None


def subscription_payment_start(
    *, subscription: Subscription, payment_method: str, purchase_order_reference: str = ""
) -> PaymentStart:
    """The subscriber accepts the quote and chooses how to pay. By card or SEPA debit, a
    Stripe Checkout Session is opened and its URL returned. Asking again while the
    payment is awaited gives the session already open (never two payable at once: both
    could be paid); once it expired (after a day), a fresh one; once it is complete (paid,
    or a SEPA debit under way, its webhook still to come) it is refused, 409
    `already_paid`. The subscription's status does not change.

    Stripe is called first, outside any transaction, and the subscription written only
    once it answered: the move to awaiting payment, the payment method and both Stripe
    ids in one transaction. A failed call (Stripe unreachable or refusing: 502
    `payment_provider_error`) leaves the quote exactly as it was, to be paid again."""
    from subscriptions.services.subscriptions import subscription_payment_request

    pays_by_stripe = payment_method in STRIPE_METHODS
    if not pays_by_stripe:
        subscription = subscription_payment_request(
            subscription=subscription,
            payment_method=payment_method,
            purchase_order_reference=purchase_order_reference,
        )
        return PaymentStart(subscription=subscription, checkout_url=None)
    if not stripe_gateway.is_configured():
        # refused before anything changes: the quote stays a quote, payable otherwise
        raise ApplicationError(
            BillingErrorCode.STRIPE_NOT_CONFIGURED,
            _("Payments by Stripe are not enabled on this service."),
            status=400,
        )
    # a wrong state is refused before Stripe is asked for anything
    again = _check_payable_by_stripe(subscription, payment_method)
    if again and subscription.stripe_checkout_session_id:
        earlier = _checkout_session_now(subscription.stripe_checkout_session_id)
        if earlier.status == "open":
            return PaymentStart(subscription=subscription, checkout_url=earlier.url)
        if earlier.status == "complete":
            raise ApplicationError(
                BillingErrorCode.ALREADY_PAID,
                _("This payment has been made; its confirmation is on its way."),
                status=409,
            )
    customer_id = _stripe_customer_for(subscription)
    session = _checkout_session_open(subscription, customer_id, payment_method)
    try:
        with transaction.atomic():
            locked = lock_subscriptions([subscription.pk])[subscription.pk]
            # checked again under the lock: the subscription may have moved meanwhile, or
            # another request opened a session meanwhile (one payable session at a time)
            if locked.stripe_checkout_session_id != subscription.stripe_checkout_session_id:
                raise ApplicationError(
                    SubscriptionErrorCode.INVALID_TRANSITION,
                    _("A payment page was opened for this subscription meanwhile; ask again."),
                    status=409,
                )
            if not _check_payable_by_stripe(locked, payment_method):
                locked = subscription_payment_request(
                    subscription=locked,
                    payment_method=payment_method,
                    purchase_order_reference=purchase_order_reference,
                )
            locked.stripe_customer_id = customer_id
            locked.stripe_checkout_session_id = session.id
            locked.save(update_fields=["stripe_customer_id", "stripe_checkout_session_id"])
    except ApplicationError:
        # nobody has its URL: unpaid, it expires at Stripe within a day
        logger.warning(
            "Checkout Session %s left unused: subscription %s moved meanwhile",
            session.id,
            subscription.pk,
        )
        raise
    return PaymentStart(subscription=locked, checkout_url=session.url)


def _check_payable_by_stripe(subscription: Subscription, payment_method: str) -> bool:
    """Whether the payment by Stripe is asked again (the subscription already awaits it
    by that method); False for a quote; refused (409) otherwise."""
    if subscription.status == Subscription.Status.QUOTE:
        return False
    if (
        subscription.status == Subscription.Status.AWAITING_PAYMENT
        and subscription.payment_method == payment_method
    ):
        return True
    raise ApplicationError(
        SubscriptionErrorCode.INVALID_TRANSITION,
        _("Only a quote, or a subscription awaiting payment by this method, can be paid."),
        status=409,
    )


def _provider_error(exc: Exception) -> ApplicationError:
    # Stripe's own message is for us (it may speak of keys), not for the client.
    logger.warning("Stripe refused or failed: %s", exc)
    return ApplicationError(
        BillingErrorCode.PAYMENT_PROVIDER,
        _("The payment provider could not be reached; try again later."),
        status=502,
    )


def _stripe_customer_for(subscription: Subscription) -> str:
    """The subscriber's Stripe Customer: the one an earlier subscription of the same
    subscriber already uses, or a new one. Stripe is called outside any transaction and
    nothing is written here: the id is kept with the Checkout Session's, once that one is
    open too. A customer created for a checkout that then failed is not lost: its
    creation carries an idempotency key made of the subscriber and what is sent, so the
    next attempt (within Stripe's 24 hours of keys) is answered the same customer."""
    if subscription.stripe_customer_id:
        return subscription.stripe_customer_id
    known = (
        Subscription.objects.filter(subscriber_id=subscription.subscriber_id)
        .exclude(stripe_customer_id="")
        .order_by("pk")
        .values_list("stripe_customer_id", flat=True)
        .first()
    )
    if known:
        return known
    subscriber = subscription.subscriber
    params = {
        "name": subscriber.name,
        "email": subscriber.email,
        "metadata": {"institution_id": str(subscriber.pk), "institution_code": subscriber.code},
    }
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:32]
    try:
        return stripe_gateway.customer_create(
            **params, idempotency_key=f"customer-{subscriber.pk}-{digest}"
        )
    except stripe_gateway.PaymentProviderError as exc:
        raise _provider_error(exc) from exc


def _checkout_session_now(session_id: str) -> stripe_gateway.CheckoutSession:
    try:
        return stripe_gateway.checkout_session_retrieve(session_id)
    except stripe_gateway.PaymentProviderError as exc:
        raise _provider_error(exc) from exc


def _checkout_session_open(
    subscription: Subscription, customer_id: str, payment_method: str
) -> stripe_gateway.CheckoutSession:
    """A Stripe Checkout Session for the price of the subscription (VAT included, in euro
    cents); its metadata carries the subscription id back in webhooks."""
    try:
        return stripe_gateway.checkout_session_create(
            customer_id=customer_id,
            amount=subscription.price_incl_vat,
            product_name=f"{subscription.plan.name} "
            f"({subscription.starts_on:%d/%m/%Y}–{subscription.ends_on:%d/%m/%Y})",
            payment_method_type=payment_method,
            metadata={"subscription_id": str(subscription.pk)},
            client_reference_id=str(subscription.pk),
        )
    except stripe_gateway.PaymentProviderError as exc:
        raise _provider_error(exc) from exc
