"""The cinema staff record a bank transfer from the admin's invoice list (the action calls
`billing.invoice_mark_paid`): the invoice paid, the pack active with its credits; an
invoice already paid is refused with the service's reason and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from subscriptions.models import Invoice, Subscription
from subscriptions.services.subscriptions import (
    subscription_payment_request,
    subscription_quote_create,
)

pytestmark = pytest.mark.django_db

URL = "/admin/subscriptions/invoice/"


@pytest.fixture
def staff_admin(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-Root-2026"))
    return client


def awaiting_transfer(library, pack3) -> Invoice:
    quote = subscription_quote_create(
        subscriber=library,
        plan=pack3,
        starts_on=timezone.localdate(),
        created_by=None,
    )
    subscription = subscription_payment_request(
        subscription=quote,
        payment_method=Subscription.PaymentMethod.ADMINISTRATIVE_INVOICE,
        purchase_order_reference="BC-1",
    )
    return subscription.invoices.get()


def record(client, invoice):
    return client.post(
        URL,
        {"action": "record_transfer_today", "_selected_action": [invoice.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="fr",
    )


def test_recording_the_transfer_pays_the_invoice_and_starts_the_pack(staff_admin, library, pack3):
    invoice = awaiting_transfer(library, pack3)
    assert invoice.subscription.status == Subscription.Status.AWAITING_PAYMENT
    response = record(staff_admin, invoice)
    assert response.status_code == 200
    assert f"Facture {invoice.number} enregistrée comme payée." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.paid_on == timezone.localdate()
    subscription = invoice.subscription
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_an_invoice_already_paid_is_refused_with_the_reason(staff_admin, library, pack3):
    invoice = awaiting_transfer(library, pack3)
    record(staff_admin, invoice)
    invoice.refresh_from_db()
    paid_on = invoice.paid_on
    response = record(staff_admin, invoice)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{invoice.number}: Cette facture n&#x27;est pas en attente de paiement." in page
    assert "enregistrée comme payée" not in page
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_on == paid_on
