"""The Stripe gateway: every call to Stripe goes through this module, and it is the only
one that imports the `stripe` library.

It speaks plain Python to the rest of the code — `Decimal` euros in, integer cents out to
Stripe, ids and plain dicts back — and turns the library's exceptions into its own two
(`PaymentProviderError`, `InvalidSignature`), so services never depend on Stripe's types.
The client is built from settings (`STRIPE_API_KEY`, `STRIPE_API_BASE`); the webhook secret
comes from `STRIPE_WEBHOOK_SECRET` only, never from the request.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe
from django.conf import settings

#: How old a signed webhook may be (seconds): older ones are refused as possible replays.
WEBHOOK_TOLERANCE = 300
CENT = Decimal("0.01")


class PaymentProviderError(Exception):
    """Stripe could not be reached, refused the request, or is not configured."""


class InvalidSignature(Exception):
    """A webhook delivery that is not a verifiable Stripe event: signature missing, wrong,
    too old, no secret configured, or a signed body that is not an event."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    #: open (payable), complete (paid, or a SEPA debit under way) or expired
    status: str = "open"


def eur_to_cents(amount: Decimal) -> int:
    """A `Decimal` amount in euros as the integer cents Stripe expects. Floats are refused:
    money never passes through binary floating point."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"Amounts are Decimal, not {type(amount).__name__}.")
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100
    return int(cents.to_integral_exact())


@functools.lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=2,  # the library adds an idempotency key to retried POSTs
        http_client=stripe.RequestsClient(timeout=20),
    )


def is_configured() -> bool:
    """Whether payments through Stripe may be offered (an API key is set)."""
    return bool(settings.STRIPE_API_KEY)


def _client() -> stripe.StripeClient:
    if not is_configured():
        raise PaymentProviderError("Stripe is not configured (STRIPE_API_KEY is empty).")
    return _client_for(settings.STRIPE_API_KEY, settings.STRIPE_API_BASE)


def customer_create(
    *, name: str, email: str, metadata: dict[str, str], idempotency_key: str | None = None
) -> str:
    """Create a Stripe Customer; returns its id (cus_...). With an `idempotency_key`,
    Stripe answers a repeat of the same request (within 24 hours) with the same customer
    instead of creating another."""
    params: dict[str, Any] = {"name": name, "metadata": metadata}
    if email:
        params["email"] = email
    options: dict[str, Any] = {"idempotency_key": idempotency_key} if idempotency_key else {}
    try:
        customer = _client().v1.customers.create(params=params, options=options)
    except stripe.StripeError as exc:
        raise PaymentProviderError(str(exc)) from exc
    return customer.id


def checkout_session_create(
    *,
    customer_id: str,
    amount: Decimal,
    product_name: str,
    payment_method_type: str,
    metadata: dict[str, str],
    client_reference_id: str,
) -> CheckoutSession:
    """A one-off Checkout Session (mode=payment) for `amount` euros, VAT included, paid by
    card or SEPA debit. The metadata comes back in the webhooks of the session."""
    params: dict[str, Any] = {
        "mode": "payment",
        "customer": customer_id,
        "client_reference_id": client_reference_id,
        "payment_method_types": [payment_method_type],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": eur_to_cents(amount),
                    "product_data": {"name": product_name},
                },
            }
        ],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "success_url": settings.STRIPE_CHECKOUT_SUCCESS_URL,
        "cancel_url": settings.STRIPE_CHECKOUT_CANCEL_URL,
    }
    try:
        session = _client().v1.checkout.sessions.create(params=params)
    except stripe.StripeError as exc:
        raise PaymentProviderError(str(exc)) from exc
    if not session.id or not session.url:
        raise PaymentProviderError("Stripe returned a Checkout Session without id or URL.")
    return CheckoutSession(id=session.id, url=session.url, status=session.status or "open")


def checkout_session_retrieve(session_id: str) -> CheckoutSession:
    """A Checkout Session opened before, as Stripe has it now (its `status`; its URL is
    empty once it is not open)."""
    try:
        session = _client().v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError as exc:
        raise PaymentProviderError(str(exc)) from exc
    return CheckoutSession(id=session.id, url=session.url or "", status=session.status or "")


def webhook_event_verify(*, payload: bytes, signature: str) -> dict[str, Any]:
    """Verify a delivery's `Stripe-Signature` with our endpoint secret (from settings,
    never from the request) through the library's verification, refusing signatures
    older than WEBHOOK_TOLERANCE; returns the event as a plain dict."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise InvalidSignature("No webhook secret is configured (STRIPE_WEBHOOK_SECRET).")
    if not signature:
        raise InvalidSignature("The Stripe-Signature header is missing.")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSignature("The body is not UTF-8.") from exc
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, WEBHOOK_TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature(str(exc)) from exc
    try:
        event = json.loads(text)
    except ValueError as exc:
        raise InvalidSignature("The signed body is not JSON.") from exc
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not event["id"]
    ):
        raise InvalidSignature("The signed body is not a Stripe event.")
    return event
