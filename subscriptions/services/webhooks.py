"""Stripe webhooks, recorded first and then processed (dj-stripe's order):

1. every delivery is stored raw (body, a few headers, remote address) before anything else;
2. its `Stripe-Signature` is verified with the secret from settings — a failure is answered
   400 and the row stays, with `signature_valid=False` and the reason;
3. the event id is claimed through the partial unique constraint `webhook_event_once`
   (the row becomes `signature_valid=True`; a second claim raises IntegrityError, whatever
   the timing) — a later delivery of the same event (Stripe retries until it gets a 2xx)
   is kept with `duplicate_of` pointing at the first and changes nothing;
4. the event is applied in one transaction with its `processed` flag, under the row's lock,
   so that it takes effect at most once; a failure is kept on the row (`error`) and
   answered 200 — Stripe must not hammer us — and `manage.py stripe_webhooks_replay`
   applies it again later.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from subscriptions.errors import BillingErrorCode
from subscriptions.gateways import stripe as stripe_gateway
from subscriptions.locks import lock_subscriptions
from subscriptions.models import Subscription, WebhookEvent

logger = logging.getLogger(__name__)

PROVIDER = "stripe"
#: The request headers kept with a delivery (the rest says nothing about the event).
KEPT_HEADERS = ("Stripe-Signature", "Content-Type", "User-Agent")


class WebhookProcessingError(Exception):
    """A verified event that cannot be applied (yet): kept on its row for a replay."""


def _text(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL characters.
    return value.replace("\x00", "\ufffd")


# --- receiving --------------------------------------------------------------------------
def stripe_webhook_record(
    *, body: bytes, headers: Mapping[str, str], remote_addr: str | None
) -> WebhookEvent:
    """Store a delivery as it came, before looking at it."""
    return WebhookEvent.objects.create(
        provider=PROVIDER,
        body=_text(body.decode("utf-8", errors="replace")),
        headers={name: _text(headers[name]) for name in KEPT_HEADERS if name in headers},
        remote_addr=remote_addr,
    )


def stripe_webhook_receive(
    *, body: bytes, headers: Mapping[str, str], remote_addr: str | None
) -> WebhookEvent:
    """Record, verify, claim and process one delivery. Refuses (400, `invalid_signature`)
    what is not a verifiable Stripe event; otherwise returns the recorded row, whether the
    event was new, a replay, or failed to apply."""
    delivery = stripe_webhook_record(body=body, headers=headers, remote_addr=remote_addr)
    try:
        event = stripe_gateway.webhook_event_verify(
            payload=body, signature=headers.get("Stripe-Signature", "")
        )
    except stripe_gateway.InvalidSignature as exc:
        delivery.error = f"Signature refused: {exc}"
        delivery.save(update_fields=["error"])
        raise ApplicationError(
            BillingErrorCode.WEBHOOK_SIGNATURE,
            _("The Stripe signature of this request is missing, wrong or too old."),
            status=400,
        ) from exc

    delivery.event_id = event["id"][:255]
    delivery.event_type = event["type"][:100]
    delivery.signature_valid = True
    try:
        with transaction.atomic():
            delivery.save(update_fields=["event_id", "event_type", "signature_valid"])
    except IntegrityError:
        # Claimed before (a retry by Stripe, or a replay by someone else): no second effect.
        first = (
            WebhookEvent.objects.filter(
                provider=PROVIDER,
                event_id=delivery.event_id,
                signature_valid=True,
                duplicate_of__isnull=True,
            )
            .values_list("pk", flat=True)
            .first()
        )
        WebhookEvent.objects.filter(pk=delivery.pk).update(
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            # valid, but a repeat; should the first have vanished meanwhile (an admin
            # deleting rows), the row stays unclaimed, saying so, and changes nothing
            signature_valid=first is not None,
            duplicate_of_id=first,
            error=f"Already received as webhook event #{first}: ignored.",
        )
        delivery.refresh_from_db()
        return delivery
    return stripe_webhook_process(event=delivery)


# --- processing -------------------------------------------------------------------------
def stripe_webhook_process(*, event: WebhookEvent) -> WebhookEvent:
    """Apply a verified event, at most once: the effect and the `processed` flag commit
    together, under the event row's lock. A failure is stored on the row, not raised."""
    try:
        with transaction.atomic():
            row = WebhookEvent.objects.select_for_update().get(pk=event.pk)
            if row.processed or not row.signature_valid or row.duplicate_of_id:
                return row
            _apply(json.loads(row.body))
            row.processed = True
            row.processed_at = timezone.now()
            row.error = ""
            row.save(update_fields=["processed", "processed_at", "error"])
            return row
    except Exception as exc:
        logger.exception("Stripe event %s (%s) failed", event.event_id, event.event_type)
        WebhookEvent.objects.filter(pk=event.pk).update(
            processed=False, error=f"{type(exc).__name__}: {exc}"
        )
        event.refresh_from_db()
        return event


def stripe_webhooks_replay(*, ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Apply again the verified events that are not processed (all, or those `ids`), in
    the order they came. Returns (processed now, still failing)."""
    pending = WebhookEvent.objects.filter(
        provider=PROVIDER, signature_valid=True, duplicate_of__isnull=True, processed=False
    ).order_by("received_at", "pk")
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    done = failed = 0
    for event in pending:
        if stripe_webhook_process(event=event).processed:
            done += 1
        else:
            failed += 1
    return done, failed


def _apply(event: dict[str, Any]) -> None:
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return  # an event we do not use: stored, nothing to do
    obj = event.get("data", {}).get("object")
    if not isinstance(obj, dict):
        raise WebhookProcessingError("The event has no data.object.")
    handler(obj)


def _subscription_of(obj: dict[str, Any]) -> Subscription:
    """Our subscription named by a Stripe object: its metadata `subscription_id` (set on
    every Checkout Session we open, and to be set on anything else billed through
    Stripe), or the Checkout Session id we stored."""
    parent = obj.get("parent") or {}
    metadata = (
        obj.get("metadata")
        or (obj.get("subscription_details") or {}).get("metadata")  # an invoice (older API)
        or (parent.get("subscription_details") or {}).get("metadata")  # an invoice
        or {}
    )
    reference = metadata.get("subscription_id") or obj.get("client_reference_id")
    subscription = None
    if isinstance(reference, str) and reference.isdigit():
        subscription = Subscription.objects.filter(pk=int(reference)).first()
    elif obj.get("object") == "checkout.session" and obj.get("id"):
        subscription = Subscription.objects.filter(stripe_checkout_session_id=obj["id"]).first()
    if subscription is None:
        raise WebhookProcessingError(
            f"No subscription for {obj.get('object')} {obj.get('id')} (reference {reference!r})."
        )
    return subscription


def _activate_paid(obj: dict[str, Any], amount: Any) -> None:
    """A payment of the subscription's price arrived: activate it once. Already active
    (the checkout and its invoice both say paid) is fine; any other status, or an amount
    that is not the price, is kept as an error for the staff."""
    from subscriptions.services.subscriptions import subscription_activate

    subscription = _subscription_of(obj)
    subscription = lock_subscriptions([subscription.pk])[subscription.pk]
    expected = stripe_gateway.eur_to_cents(subscription.price_incl_vat)
    if str(obj.get("currency", "")).lower() != "eur" or amount != expected:
        raise WebhookProcessingError(
            f"Subscription #{subscription.pk} costs {expected} EUR cents; "
            f"Stripe reports {amount} {obj.get('currency')}."
        )
    if subscription.status == Subscription.Status.ACTIVE:
        return
    if subscription.status != Subscription.Status.AWAITING_PAYMENT:
        raise WebhookProcessingError(
            f"Subscription #{subscription.pk} is {subscription.status}, not awaiting payment."
        )
    subscription_activate(subscription=subscription)


def _checkout_completed(session: dict[str, Any]) -> None:
    # A SEPA debit completes the session unpaid; async_payment_succeeded follows.
    if session.get("payment_status") == "paid":
        _activate_paid(session, session.get("amount_total"))


def _checkout_async_paid(session: dict[str, Any]) -> None:
    _activate_paid(session, session.get("amount_total"))


def _invoice_paid(invoice: dict[str, Any]) -> None:
    _activate_paid(invoice, invoice.get("amount_paid"))


def _payment_failed(obj: dict[str, Any]) -> None:
    # The row records it; the subscription stays awaiting payment (a new checkout may be
    # asked for).
    logger.warning("Stripe payment failed: %s %s", obj.get("object"), obj.get("id"))


def _stripe_subscription_deleted(obj: dict[str, Any]) -> None:
    from subscriptions.services.subscriptions import subscription_cancel

    subscription = _subscription_of(obj)
    subscription = lock_subscriptions([subscription.pk])[subscription.pk]
    if subscription.status == Subscription.Status.ACTIVE:
        subscription_cancel(subscription=subscription)


HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_async_paid,
    "checkout.session.async_payment_failed": _payment_failed,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _payment_failed,
    "customer.subscription.deleted": _stripe_subscription_deleted,
}
