"""Billing: administrative invoices for public-sector subscribers (gap-free numbering per
year, PDF with the legal mentions, marked paid by the staff) and payment by Stripe
(through the gateway module, the only one that talks to Stripe)."""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from backend.errors import ApplicationError
from subscriptions.errors import BillingErrorCode
from subscriptions.models import Invoice, InvoiceSequence, Subscription


def _next_invoice_number(year: int) -> int:
    """Take the year's sequence under a row lock: numbers are gap-free and unique."""
    InvoiceSequence.objects.get_or_create(year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
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
    """The staff record the bank transfer: the invoice is paid and the subscription active."""
    from subscriptions.services.subscriptions import subscription_activate

    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        raise ApplicationError(
            BillingErrorCode.INVOICE_NOT_PAYABLE,
            _("This invoice is not awaiting payment."),
            status=409,
        )
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on"])
    if invoice.subscription.status == Subscription.Status.AWAITING_PAYMENT:
        subscription_activate(subscription=invoice.subscription, by=by)
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
