"""Payment by card and SEPA debit through Stripe, driven over HTTP with the real `stripe`
library against localstripe (started by these tests; Checkout Sessions, which localstripe
lacks, are answered with Stripe's documented body), and Stripe webhooks signed exactly as
Stripe signs them: `t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>" with the secret>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import logging
import os
import re
import secrets
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from subscriptions.gateways.stripe import eur_to_cents
from subscriptions.models import Invoice, ScreeningCreditEntry, Subscription, WebhookEvent
from subscriptions.services.subscriptions import subscription_activate, subscription_payment_request
from subscriptions.services.webhooks import stripe_webhook_refusals_today
from tests.subscriptions.localstripe_server import LocalStripe

pytestmark = [
    pytest.mark.django_db,
    # localstripe's own handlers are plain functions, which aiohttp deprecates
    pytest.mark.filterwarnings("ignore:Bare functions are deprecated:DeprecationWarning"),
]

WEBHOOK_URL = "/api/v1/payments/stripe/webhook/"
API_KEY = "sk_test_localstripe"
SECRET = "whsec_test_" + "0123456789abcdef" * 2
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def localstripe():
    """localstripe on 127.0.0.1, for the whole session. Where it cannot start the Stripe
    tests are skipped — except under CI=true, where they fail."""
    try:
        server = LocalStripe().start()
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"localstripe could not start (CI=true): {exc!r}")
        pytest.skip(f"localstripe could not start: {exc!r}")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def stripe_settings(settings, localstripe):
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_API_BASE = localstripe.url
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    localstripe.checkout_requests.clear()
    localstripe.checkout_refusal = None
    localstripe.idempotent.clear()
    return settings


def localstripe_get(localstripe, path):
    request = urllib.request.Request(  # noqa: S310 (the local fake, http)
        localstripe.url + path,
        headers={"Authorization": "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
        return json.load(response)


def localstripe_post(localstripe, path, data):
    request = urllib.request.Request(  # noqa: S310 (the local fake, http)
        localstripe.url + path,
        data=urllib.parse.urlencode(data).encode(),
        headers={"Authorization": f"Bearer {API_KEY}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def quote(client, subscriber, plan, starts_on):
    response = client.post(
        "/api/v1/subscriptions/",
        {"subscriber": subscriber.pk, "plan": plan.pk, "starts_on": starts_on.isoformat()},
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def request_payment(client, subscription_id, method):
    return client.post(
        f"/api/v1/subscriptions/{subscription_id}/request-payment/", {"payment_method": method}
    )


def sign(body: bytes, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends (scheme v1)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def event_body(
    subscription: Subscription,
    *,
    event_type: str = "checkout.session.completed",
    payment_status: str = "paid",
    amount: int | None = None,
    event_id: str | None = None,
) -> bytes:
    """A Stripe event as Stripe sends it, about the subscription's Checkout Session."""
    now = int(time.time())
    session = {
        "id": subscription.stripe_checkout_session_id or "cs_test_" + secrets.token_hex(8),
        "object": "checkout.session",
        "amount_subtotal": amount
        if amount is not None
        else eur_to_cents(subscription.price_incl_vat),
        "amount_total": amount if amount is not None else eur_to_cents(subscription.price_incl_vat),
        "client_reference_id": str(subscription.pk),
        "currency": "eur",
        "customer": subscription.stripe_customer_id or None,
        "livemode": False,
        "metadata": {"subscription_id": str(subscription.pk)},
        "mode": "payment",
        "payment_status": payment_status,
        "status": "complete",
    }
    event = {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2025-08-27.basil",
        "created": now,
        "data": {"object": session},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    return json.dumps(event).encode()


def deliver(api, body: bytes, signature: str | None = None, **extra):
    headers = {"HTTP_STRIPE_SIGNATURE": sign(body) if signature is None else signature}
    if signature == "":
        headers = {}
    return api.post(WEBHOOK_URL, data=body, content_type="application/json", **headers, **extra)


def allowances(subscription) -> int:
    return ScreeningCreditEntry.objects.filter(
        subscription=subscription, kind=ScreeningCreditEntry.Kind.ALLOWANCE
    ).count()


@pytest.fixture
def awaiting_card(library_api, library, platform, today):
    """A platform subscription (720.00 EUR incl. VAT) whose card payment was asked for."""
    subscription_id = quote(library_api, library, platform, today)
    response = request_payment(library_api, subscription_id, "card")
    assert response.status_code == 200, response.content
    return Subscription.objects.get(pk=subscription_id)


# --- money ------------------------------------------------------------------------------
def test_euros_become_integer_cents_without_floats():
    assert eur_to_cents(Decimal("720.00")) == 72000
    assert eur_to_cents(Decimal("46.8")) == 4680
    assert eur_to_cents(Decimal("0.005")) == 1  # half up, explicitly
    assert eur_to_cents(Decimal("19.994")) == 1999
    with pytest.raises(TypeError):
        eur_to_cents(720.0)


# --- checkout ---------------------------------------------------------------------------
def test_card_payment_opens_a_checkout_session(library_api, library, platform, today, localstripe):
    subscription_id = quote(library_api, library, platform, today)
    response = request_payment(library_api, subscription_id, "card")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "awaiting_payment"
    assert body["payment_method"] == "card"
    assert body["checkout_url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")

    subscription = Subscription.objects.get(pk=subscription_id)
    assert body["checkout_url"].endswith(subscription.stripe_checkout_session_id)
    # the customer was created in (local) Stripe through the library, for the subscriber
    customer = localstripe_get(localstripe, f"/v1/customers/{subscription.stripe_customer_id}")
    assert customer["name"] == library.name
    assert customer["metadata"] == {
        "institution_id": str(library.pk),
        "institution_code": library.code,
    }

    [sent] = localstripe.checkout_requests
    assert sent["mode"] == "payment"
    assert sent["customer"] == subscription.stripe_customer_id
    assert sent["payment_method_types[0]"] == "card"
    assert sent["line_items[0][price_data][currency]"] == "eur"
    assert sent["line_items[0][price_data][unit_amount]"] == "72000"  # 720.00 EUR incl. VAT
    assert sent["line_items[0][quantity]"] == "1"
    assert sent["metadata[subscription_id]"] == str(subscription_id)
    assert sent["success_url"] and sent["cancel_url"]


def test_sepa_debit_reuses_the_subscriber_customer(
    library_api, library, platform, pack3, today, localstripe
):
    first = quote(library_api, library, platform, today)
    assert request_payment(library_api, first, "card").status_code == 200
    customers = len(localstripe_get(localstripe, "/v1/customers?limit=100")["data"])

    second = quote(library_api, library, pack3, today)
    response = request_payment(library_api, second, "sepa_debit")
    assert response.status_code == 200, response.content
    assert response.json()["checkout_url"]

    one, two = Subscription.objects.get(pk=first), Subscription.objects.get(pk=second)
    assert one.stripe_customer_id and two.stripe_customer_id == one.stripe_customer_id
    assert len(localstripe_get(localstripe, "/v1/customers?limit=100")["data"]) == customers
    sent = localstripe.checkout_requests[-1]
    assert sent["payment_method_types[0]"] == "sepa_debit"
    assert sent["line_items[0][price_data][unit_amount]"] == "4680"  # 39.00 + 20 % VAT


def test_asking_again_gives_the_open_session_then_a_fresh_one_once_it_expired(
    library_api, awaiting_card, localstripe
):
    """Never two payable sessions at once (both could be paid): the open one is given
    again; once it expired, a fresh one for the same customer."""
    first = awaiting_card.stripe_checkout_session_id
    before, opened = payment_fields(awaiting_card.pk), len(localstripe.checkout_requests)
    again = request_payment(library_api, awaiting_card.pk, "card")
    assert again.status_code == 200, again.content
    assert again.json()["checkout_url"] == f"https://checkout.stripe.com/c/pay/{first}"
    assert len(localstripe.checkout_requests) == opened  # no other session
    assert payment_fields(awaiting_card.pk) == before

    localstripe.sessions[first]["status"] = "expired"
    localstripe.sessions[first]["url"] = None
    fresh = request_payment(library_api, awaiting_card.pk, "card")
    assert fresh.status_code == 200, fresh.content
    refreshed = Subscription.objects.get(pk=awaiting_card.pk)
    assert refreshed.status == Subscription.Status.AWAITING_PAYMENT
    assert refreshed.stripe_checkout_session_id not in ("", first)
    assert fresh.json()["checkout_url"].endswith(refreshed.stripe_checkout_session_id)
    assert refreshed.stripe_customer_id == awaiting_card.stripe_customer_id
    # another method while one is awaited is a status conflict
    assert request_payment(library_api, awaiting_card.pk, "sepa_debit").status_code == 409


def test_a_session_paid_is_not_opened_again(library_api, awaiting_card, localstripe):
    """Paid (or a SEPA debit under way) before its webhook came: asking again is refused,
    so that nobody pays twice; nothing changes."""
    localstripe.sessions[awaiting_card.stripe_checkout_session_id]["status"] = "complete"
    before, opened = payment_fields(awaiting_card.pk), len(localstripe.checkout_requests)
    response = request_payment(library_api, awaiting_card.pk, "card")
    assert (response.status_code, response.json()["code"]) == (409, "already_paid")
    assert payment_fields(awaiting_card.pk) == before
    assert len(localstripe.checkout_requests) == opened


def test_administrative_invoice_has_no_checkout(library_api, library, platform, today, localstripe):
    subscription_id = quote(library_api, library, platform, today)
    response = request_payment(library_api, subscription_id, "administrative_invoice")
    assert response.status_code == 200
    assert response.json()["checkout_url"] is None
    assert localstripe.checkout_requests == []


QUOTE_AS_IT_WAS = {
    "status": Subscription.Status.QUOTE,
    "payment_method": "",
    "purchase_order_reference": "",
    "stripe_customer_id": "",
    "stripe_checkout_session_id": "",
}


def payment_fields(subscription_id) -> dict:
    return Subscription.objects.filter(pk=subscription_id).values(*QUOTE_AS_IT_WAS).get()


def closed_port_url() -> str:
    """An address where nothing listens: every connection is refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_stripe_refusing_is_a_provider_error(library_api, library, platform, today, settings):
    settings.STRIPE_API_KEY = "sk_"  # localstripe answers 401, as Stripe for a bad key
    subscription_id = quote(library_api, library, platform, today)
    response = request_payment(library_api, subscription_id, "card")
    assert response.status_code == 502
    assert response.json()["code"] == "payment_provider_error"
    assert payment_fields(subscription_id) == QUOTE_AS_IT_WAS
    assert not Invoice.objects.exists()
    # once Stripe answers again, asking again opens the checkout
    settings.STRIPE_API_KEY = API_KEY
    assert request_payment(library_api, subscription_id, "card").json()["checkout_url"]


def test_stripe_unreachable_leaves_the_quote_as_it_was_until_it_answers_again(
    library_api, library, platform, today, settings, localstripe
):
    subscription_id = quote(library_api, library, platform, today)
    settings.STRIPE_API_BASE = closed_port_url()  # connection refused (after the retries)
    for method in ("card", "sepa_debit"):
        response = request_payment(library_api, subscription_id, method)
        assert response.status_code == 502, response.content
        assert response.json()["code"] == "payment_provider_error"
        assert payment_fields(subscription_id) == QUOTE_AS_IT_WAS
    assert localstripe.checkout_requests == []

    settings.STRIPE_API_BASE = localstripe.url
    response = request_payment(library_api, subscription_id, "sepa_debit")
    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(pk=subscription_id)
    assert subscription.status == Subscription.Status.AWAITING_PAYMENT
    assert subscription.payment_method == "sepa_debit"
    assert response.json()["checkout_url"].endswith(subscription.stripe_checkout_session_id)


def test_a_checkout_refused_after_the_customer_was_created_writes_nothing(
    library_api, library, platform, today, localstripe
):
    """Stripe creates the customer, then refuses the Checkout Session: the quote keeps no
    Stripe id; the next attempt is answered the same customer (idempotency key), not a
    second one."""
    subscription_id = quote(library_api, library, platform, today)
    customers = len(localstripe_get(localstripe, "/v1/customers?limit=100")["data"])
    localstripe.checkout_refusal = (
        400,
        {
            "type": "invalid_request_error",
            "message": "The payment method type provided: sepa_debit is invalid.",
        },
    )
    response = request_payment(library_api, subscription_id, "sepa_debit")
    assert response.status_code == 502, response.content
    assert response.json()["code"] == "payment_provider_error"
    assert "sepa_debit" not in response.json()["detail"]  # Stripe's words stay with us
    assert payment_fields(subscription_id) == QUOTE_AS_IT_WAS
    [created] = localstripe_get(localstripe, "/v1/customers?limit=100")["data"][customers:]

    localstripe.checkout_refusal = None
    response = request_payment(library_api, subscription_id, "card")
    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(pk=subscription_id)
    assert (subscription.status, subscription.payment_method) == ("awaiting_payment", "card")
    assert subscription.stripe_customer_id == created["id"]
    assert len(localstripe_get(localstripe, "/v1/customers?limit=100")["data"]) == customers + 1
    assert localstripe.checkout_requests[-1]["customer"] == created["id"]


def test_asking_again_when_stripe_fails_keeps_the_session_awaited(
    library_api, awaiting_card, localstripe
):
    localstripe.sessions[awaiting_card.stripe_checkout_session_id]["status"] = "expired"
    before = payment_fields(awaiting_card.pk)
    localstripe.checkout_refusal = (500, {"type": "api_error", "message": "Try again."})
    response = request_payment(library_api, awaiting_card.pk, "card")
    assert response.status_code == 502
    assert payment_fields(awaiting_card.pk) == before


def test_a_quote_cancelled_while_stripe_answered_stays_cancelled(
    library_api, library, platform, today, monkeypatch, caplog
):
    """Stripe is asked outside any transaction: the state is checked again under the row
    lock before anything is written, and a quote cancelled meanwhile is not paid."""
    from subscriptions.gateways import stripe as stripe_gateway
    from subscriptions.services.subscriptions import subscription_cancel

    subscription_id = quote(library_api, library, platform, today)
    opened = stripe_gateway.checkout_session_create

    def cancelled_meanwhile(**kwargs):
        session = opened(**kwargs)
        subscription_cancel(subscription=Subscription.objects.get(pk=subscription_id))
        return session

    monkeypatch.setattr(stripe_gateway, "checkout_session_create", cancelled_meanwhile)
    with caplog.at_level(logging.WARNING, logger="subscriptions.services.billing"):
        response = request_payment(library_api, subscription_id, "card")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_transition"
    assert payment_fields(subscription_id) == {**QUOTE_AS_IT_WAS, "status": "cancelled"}
    assert "left unused" in caplog.text


def test_stripe_not_configured_is_refused_before_anything_changes(
    library_api, library, platform, today, settings
):
    settings.STRIPE_API_KEY = ""
    subscription_id = quote(library_api, library, platform, today)
    for method in ("sepa_debit", "card"):
        response = request_payment(library_api, subscription_id, method)
        assert response.status_code == 400
        assert response.json()["code"] == "stripe_not_configured"
    subscription = Subscription.objects.get(pk=subscription_id)
    assert subscription.status == Subscription.Status.QUOTE
    assert subscription.payment_method == ""
    # the quote is still payable by purchase order
    response = request_payment(library_api, subscription_id, "administrative_invoice")
    assert response.status_code == 200
    assert response.json()["checkout_url"] is None


# --- webhooks ---------------------------------------------------------------------------
def test_signed_webhook_activates_once(api, awaiting_card):
    body = event_body(awaiting_card)
    response = deliver(api, body)
    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(pk=awaiting_card.pk)
    assert subscription.status == Subscription.Status.ACTIVE
    assert allowances(subscription) == 1
    [row] = WebhookEvent.objects.all()
    assert (row.signature_valid, row.processed, row.error) == (True, True, "")
    assert row.event_id == json.loads(body)["id"]
    assert row.event_type == "checkout.session.completed"
    assert row.body == body.decode()
    assert row.headers["Stripe-Signature"].startswith("t=")
    assert row.remote_addr == "127.0.0.1"

    # Stripe retries (the same delivery, or re-signed later): 200, nothing happens again
    assert deliver(api, body).status_code == 200
    assert deliver(api, body, sign(body, timestamp=int(time.time()) + 5)).status_code == 200
    assert allowances(subscription) == 1
    assert WebhookEvent.objects.count() == 3
    first = WebhookEvent.objects.get(duplicate_of__isnull=True)
    assert first.pk == row.pk
    repeats = list(WebhookEvent.objects.filter(duplicate_of=first))
    assert len(repeats) == 2
    # a repeat was signed by Stripe, is the same event, and was not applied again
    for repeat in repeats:
        assert (repeat.signature_valid, repeat.processed) == (True, False)
        assert (repeat.event_id, repeat.event_type) == (first.event_id, first.event_type)
        assert f"#{first.pk}" in repeat.error
    # and the invoice of the same payment changes nothing either
    invoice = json.loads(event_body(subscription, event_type="invoice.paid"))
    invoice["data"]["object"].update(object="invoice", amount_paid=72000)
    assert deliver(api, json.dumps(invoice).encode()).status_code == 200
    assert allowances(subscription) == 1


@pytest.mark.parametrize(
    "tamper",
    ["body", "wrong_secret", "missing", "garbage", "old_timestamp"],
)
def test_unverifiable_delivery_is_refused_and_leaves_only_a_counted_log_line(
    api, awaiting_card, tamper, caplog
):
    body = event_body(awaiting_card)
    signature = sign(body)
    if tamper == "body":
        body = body.replace(b'"paid"', b'"paid" ')
    elif tamper == "wrong_secret":
        signature = sign(body, secret="whsec_someone_else")
    elif tamper == "missing":
        signature = ""
    elif tamper == "garbage":
        signature = "t=abc,v1=nothex"
    elif tamper == "old_timestamp":
        signature = sign(body, timestamp=int(time.time()) - 301)
    caplog.set_level(logging.WARNING, logger="subscriptions.services.webhooks")
    for _ in range(2):
        response = deliver(api, body, signature)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_signature"
    lines = [r.getMessage() for r in caplog.records if r.name == "subscriptions.services.webhooks"]
    assert len(lines) == 2
    assert lines[0].endswith("1 refused today.") and lines[1].endswith("2 refused today.")
    assert Subscription.objects.get(pk=awaiting_card.pk).status == "awaiting_payment"
    assert allowances(awaiting_card) == 0
    assert not WebhookEvent.objects.exists()
    assert stripe_webhook_refusals_today() == 2


def test_a_body_that_is_not_utf8_is_refused(api):
    body = b'{"id": "evt_\xff\xfe", "type": "checkout.session.completed"}'
    response = deliver(api, body, sign(body))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()


def test_stripe_not_configured_refuses_everything_at_once(api, awaiting_card, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = event_body(awaiting_card)
    response = deliver(api, body, sign(body, secret=""), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {
        "code": "stripe_not_configured",
        "detail": "Payments by Stripe are not enabled on this service.",
    }
    assert Subscription.objects.get(pk=awaiting_card.pk).status == "awaiting_payment"
    assert not WebhookEvent.objects.exists()
    assert stripe_webhook_refusals_today() == 1


def test_a_body_over_64_kib_is_refused_unread_and_unstored(api, awaiting_card):
    """Even correctly signed: Stripe's events are a few KiB."""
    event = json.loads(event_body(awaiting_card))
    event["data"]["object"]["metadata"]["padding"] = "x" * (64 * 1024)
    body = json.dumps(event).encode()
    response = deliver(api, body)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not WebhookEvent.objects.exists()
    assert allowances(awaiting_card) == 0
    # just under the cap is read (and here refused for its signature only)
    almost = b"x" * (64 * 1024)
    assert deliver(api, almost, "t=1,v1=00").json()["code"] == "invalid_signature"


def test_a_body_longer_than_it_declares_is_read_no_further(awaiting_card):
    """Django reads at most Content-Length bytes: a 2 MB body announcing 100 bytes gives
    100 bytes, which do not verify."""
    from django.test import Client

    body = event_body(awaiting_card) + b" " * (2 * 1024 * 1024)
    response = Client().generic(
        "POST",
        WEBHOOK_URL,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body),
        CONTENT_LENGTH="100",
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_the_webhook_is_rate_limited_per_address(api, awaiting_card, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""  # each delivery is refused at once
    statuses = [
        deliver(api, b"{}", "t=1,v1=00", HTTP_X_FORWARDED_FOR=f"10.1.0.{i}").status_code
        for i in range(122)
    ]
    assert statuses[:120] == [404] * 120
    assert statuses[120:] == [429, 429]
    # the throttled ones were not even counted as refused deliveries
    assert stripe_webhook_refusals_today() == 120


def test_secret_comes_from_settings_never_from_a_header(api, awaiting_card):
    body = event_body(awaiting_card)
    response = deliver(
        api,
        body,
        sign(body, secret="whsec_attacker"),
        HTTP_X_STRIPE_WEBHOOK_SECRET="whsec_attacker",
    )
    assert response.status_code == 400
    assert allowances(awaiting_card) == 0


def test_a_delivery_signed_by_localstripe_is_accepted(api, localstripe):
    """localstripe signs the webhooks it sends on its own: our verification accepts them
    (a second implementation of Stripe's scheme), and an event we do not use is stored."""
    register = urllib.request.Request(  # noqa: S310 (the local fake, http)
        localstripe.url + "/_config/webhooks/tests",
        data=urllib.parse.urlencode(
            {"url": localstripe.sink_url, "secret": SECRET, "events[]": "customer.created"}
        ).encode(),
        method="POST",
    )
    urllib.request.urlopen(register, timeout=10).close()  # noqa: S310
    customer = localstripe_post(localstripe, "/v1/customers", {"name": "Médiathèque"})

    def delivered():  # (earlier customers' events may arrive too)
        return [
            (body, headers)
            for body, headers in localstripe.delivered
            if json.loads(body)["data"]["object"]["id"] == customer["id"]
        ]

    deadline = time.monotonic() + 10
    while not delivered() and time.monotonic() < deadline:
        time.sleep(0.1)  # localstripe waits a second before sending
    [(body, headers)] = delivered()
    response = deliver(api, body, headers["Stripe-Signature"])
    assert response.status_code == 200, response.content
    row = WebhookEvent.objects.get()
    assert (row.signature_valid, row.processed, row.event_type) == (True, True, "customer.created")
    assert json.loads(row.body)["data"]["object"]["id"] == customer["id"]


def test_failed_payment_is_recorded_and_awaits(api, awaiting_card):
    body = event_body(
        awaiting_card, event_type="checkout.session.async_payment_failed", payment_status="unpaid"
    )
    assert deliver(api, body).status_code == 200
    assert Subscription.objects.get(pk=awaiting_card.pk).status == "awaiting_payment"
    row = WebhookEvent.objects.get()
    assert row.processed and row.event_type == "checkout.session.async_payment_failed"


def test_sepa_debit_activates_when_the_debit_succeeds(api, library_api, library, pack3, today):
    subscription_id = quote(library_api, library, pack3, today)
    assert request_payment(library_api, subscription_id, "sepa_debit").status_code == 200
    subscription = Subscription.objects.get(pk=subscription_id)
    # the session completes unpaid (the debit takes days), then the debit succeeds
    assert deliver(api, event_body(subscription, payment_status="unpaid")).status_code == 200
    assert Subscription.objects.get(pk=subscription_id).status == "awaiting_payment"
    succeeded = event_body(subscription, event_type="checkout.session.async_payment_succeeded")
    assert deliver(api, succeeded).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert allowances(subscription) == 1


def test_wrong_amount_is_kept_as_an_error_and_activates_nothing(api, awaiting_card):
    assert deliver(api, event_body(awaiting_card, amount=100)).status_code == 200
    assert Subscription.objects.get(pk=awaiting_card.pk).status == "awaiting_payment"
    row = WebhookEvent.objects.get()
    assert row.signature_valid and not row.processed
    assert "72000" in row.error


def test_processing_failure_is_kept_and_replayed_by_the_command(
    api, library_api, library, platform, today
):
    # paid while the quote was not yet turned into a payment request: cannot apply yet
    subscription = Subscription.objects.get(pk=quote(library_api, library, platform, today))
    response = deliver(api, event_body(subscription))
    assert response.status_code == 200  # Stripe must not hammer us
    row = WebhookEvent.objects.get()
    assert row.signature_valid and not row.processed
    assert "not awaiting payment" in row.error
    assert Subscription.objects.get(pk=subscription.pk).status == "quote"

    with pytest.raises(CommandError):
        call_command("stripe_webhooks_replay")  # still failing: says so
    subscription_payment_request(subscription=subscription, payment_method="card")
    call_command("stripe_webhooks_replay")
    row.refresh_from_db()
    assert (row.processed, row.error) == (True, "")
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert allowances(subscription) == 1
    call_command("stripe_webhooks_replay")  # nothing left: no second effect
    assert allowances(subscription) == 1


def test_a_repeat_of_a_failed_event_is_not_replayed_on_its_own(
    api, library_api, library, platform, today
):
    subscription = Subscription.objects.get(pk=quote(library_api, library, platform, today))
    body = event_body(subscription)
    assert deliver(api, body).status_code == 200  # cannot apply yet: kept with its error
    assert deliver(api, body).status_code == 200  # Stripe's retry: a repeat
    first = WebhookEvent.objects.get(duplicate_of__isnull=True)
    repeat = WebhookEvent.objects.get(duplicate_of=first)
    assert not first.processed and "not awaiting payment" in first.error
    subscription_payment_request(subscription=subscription, payment_method="card")
    call_command("stripe_webhooks_replay")
    first.refresh_from_db()
    repeat.refresh_from_db()
    assert first.processed and not repeat.processed
    assert allowances(subscription) == 1
    # the unique claim still holds: the repeat cannot become a second original
    repeat.duplicate_of = None
    with pytest.raises(IntegrityError), transaction.atomic():
        repeat.save(update_fields=["duplicate_of"])


def test_the_migration_turns_earlier_repeats_into_duplicates(db):
    """Before `duplicate_of`, a repeat was an invalid-signature row naming the first."""
    migration = importlib.import_module("subscriptions.migrations.0005_webhook_event_duplicate_of")
    first = WebhookEvent.objects.create(
        body="{}", event_id="evt_1", event_type="invoice.paid", signature_valid=True
    )
    old_repeat = WebhookEvent.objects.create(
        body="{}", event_id="evt_1", signature_valid=False, error=f"{migration.REPEAT}{first.pk}"
    )
    forged = WebhookEvent.objects.create(
        body="{}", event_id="evt_1", signature_valid=False, error="Signature refused: no"
    )
    migration.mark_repeats(django_apps, None)
    old_repeat.refresh_from_db()
    forged.refresh_from_db()
    assert (old_repeat.signature_valid, old_repeat.duplicate_of_id) == (True, first.pk)
    assert (forged.signature_valid, forged.duplicate_of_id) == (False, None)
    migration.unmark_repeats(django_apps, None)
    old_repeat.refresh_from_db()
    assert (old_repeat.signature_valid, old_repeat.duplicate_of_id) == (False, None)


def test_unknown_event_is_stored_without_effect(api, awaiting_card):
    body = event_body(awaiting_card, event_type="customer.updated")
    assert deliver(api, body).status_code == 200
    row = WebhookEvent.objects.get()
    assert (row.processed, row.event_type) == (True, "customer.updated")
    assert Subscription.objects.get(pk=awaiting_card.pk).status == "awaiting_payment"


def test_deleted_stripe_subscription_cancels_an_active_one(api, awaiting_card):
    subscription_activate(subscription=awaiting_card)
    event = json.loads(event_body(awaiting_card, event_type="customer.subscription.deleted"))
    event["data"]["object"] = {
        "id": "sub_" + secrets.token_hex(8),
        "object": "subscription",
        "status": "canceled",
        "metadata": {"subscription_id": str(awaiting_card.pk)},
    }
    assert deliver(api, json.dumps(event).encode()).status_code == 200
    assert Subscription.objects.get(pk=awaiting_card.pk).status == "cancelled"


# --- one gateway ------------------------------------------------------------------------
def test_nothing_but_the_gateway_imports_stripe():
    importing = re.compile(r"^\s*(import\s+stripe\b|from\s+stripe\b)", re.MULTILINE)
    skipped = {".venv", "venv", "node_modules", ".git", "var"}
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if skipped & set(relative.parts) or relative.parts[:2] == ("subscriptions", "gateways"):
            continue
        if importing.search(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(str(relative))
    assert offenders == []
    gateway = (ROOT / "subscriptions" / "gateways" / "stripe.py").read_text()
    assert importing.search(gateway)
