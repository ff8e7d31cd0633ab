"""Stripe webhooks: verified, then recorded, then processed (dj-stripe's record-and-replay,
minus its store-before-verify, which lets anyone fill the database):

1. a delivery is refused at once when Stripe is not configured (404
   `stripe_not_configured`: no webhook secret), when its body is over 64 KiB (413
   `payload_too_large`, before the body is read when it says its length), and when its
   `Stripe-Signature` does not verify with the secret from settings (400
   `invalid_signature`). A refused delivery leaves one log line, with the day's count of
   refusals, and nothing in the database. The endpoint is also rate-limited per address;
2. a verified event is stored (body, a few headers, remote address) and its id claimed in
   the same insert, through the partial unique constraint `webhook_event_once` (a second
   claim raises IntegrityError, whatever the timing) — a later delivery of the same event
   (Stripe retries until it gets a 2xx) is kept with `duplicate_of` pointing at the first
   and changes nothing;
3. the event is applied in one transaction with its `processed` flag, under the row's lock,
   so that it takes effect at most once; a failure is kept on the row (`error`) and
   answered 200 — Stripe must not hammer us — and `manage.py stripe_webhooks_replay`
   applies it again later.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from subscriptions.errors import BillingErrorCode
from subscriptions.gateways import stripe as stripe_gateway
from subscriptions.locks import lock_subscriptions, lock_webhook_event
from subscriptions.models import Subscription, WebhookEvent

logger = logging.getLogger(__name__)

PROVIDER = "stripe"
#: The request headers kept with a delivery (the rest says nothing about the event).
KEPT_HEADERS = ("Stripe-Signature", "Content-Type", "User-Agent")
#: The largest body accepted. Stripe's events are a few KiB (its own limit for an event's
#: metadata and objects keeps them far below this).
MAX_BODY_BYTES = 64 * 1024


class WebhookProcessingError(Exception):
    """A verified event that cannot be applied (yet): kept on its row for a replay."""


def _text(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL characters.
    return value.replace("\x00", "\ufffd")


# --- refusing ---------------------------------------------------------------------------
def stripe_webhook_refusals_today() -> int:
    """How many deliveries were refused today (Paris time), all workers together."""
    return cache.get(_refusals_key(), 0)


def _refusals_key() -> str:
    return f"stripe-webhook-refused:{timezone.localdate().isoformat()}"


def _refuse(
    reason: str, *, remote_addr: str | None, code: str, message: str, status: int
) -> ApplicationError:
    """The one trace a refused delivery leaves: a log line with the day's count."""
    key = _refusals_key()
    cache.add(key, 0, timeout=2 * 86_400)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        count = 1
    logger.warning(
        "Stripe webhook delivery refused (%s) from %s: %d refused today.",
        reason,
        remote_addr or "an unknown address",
        count,
    )
    return ApplicationError(code, message, status=status)


def stripe_webhook_admit(*, content_length: int | None, remote_addr: str | None) -> None:
    """What is refused before the body is read: Stripe not configured, a body declared
    larger than MAX_BODY_BYTES."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise _refuse(
            "Stripe is not configured",
            remote_addr=remote_addr,
            code=BillingErrorCode.STRIPE_NOT_CONFIGURED,
            message=_("Payments by Stripe are not enabled on this service."),
            status=404,
        )
    if content_length is not None and content_length > MAX_BODY_BYTES:
        raise _too_large(remote_addr)


def _too_large(remote_addr: str | None) -> ApplicationError:
    return _refuse(
        "body over 64 KiB",
        remote_addr=remote_addr,
        code=BillingErrorCode.PAYLOAD_TOO_LARGE,
        message=_("A Stripe event is at most 64 KiB."),
        status=413,
    )


# --- receiving --------------------------------------------------------------------------
def stripe_webhook_receive(
    *, body: bytes, headers: Mapping[str, str], remote_addr: str | None
) -> WebhookEvent:
    """Verify, record, claim and process one delivery. Refuses (nothing stored) what is not
    a verifiable Stripe event; otherwise returns the recorded row, whether the event was
    new, a replay, or failed to apply."""
    stripe_webhook_admit(content_length=len(body), remote_addr=remote_addr)
    try:
        event = stripe_gateway.webhook_event_verify(
            payload=body, signature=headers.get("Stripe-Signature", "")
        )
    except stripe_gateway.InvalidSignature as exc:
        raise _refuse(
            f"signature: {exc}",
            remote_addr=remote_addr,
            code=BillingErrorCode.WEBHOOK_SIGNATURE,
            message=_("The Stripe signature of this request is missing, wrong or too old."),
            status=400,
        ) from exc

    fields = {
        "provider": PROVIDER,
        "body": _text(body.decode("utf-8")),  # verified: UTF-8
        "headers": {name: _text(headers[name]) for name in KEPT_HEADERS if name in headers},
        "remote_addr": remote_addr,
        "event_id": event["id"][:255],
        "event_type": event["type"][:100],
    }
    try:
        with transaction.atomic():
            delivery = WebhookEvent.objects.create(**fields, signature_valid=True)
    except IntegrityError:
        # Claimed before (a retry by Stripe, or a replay by someone else): no second effect.
        first = (
            WebhookEvent.objects.filter(
                provider=PROVIDER,
                event_id=fields["event_id"],
                signature_valid=True,
                duplicate_of__isnull=True,
            )
            .values_list("pk", flat=True)
            .first()
        )
        # valid, but a repeat; should the first have vanished meanwhile, the row stays
        # unclaimed, saying so, and changes nothing
        return WebhookEvent.objects.create(
            **fields,
            signature_valid=first is not None,
            duplicate_of_id=first,
            error=f"Already received as webhook event #{first}: ignored.",
        )
    return stripe_webhook_process(event=delivery)


# --- processing -------------------------------------------------------------------------
def stripe_webhook_process(*, event: WebhookEvent) -> WebhookEvent:
    """Apply a verified event, at most once: the effect and the `processed` flag commit
    together, under the event row's lock. A failure is stored on the row, not raised."""
    try:
        with transaction.atomic():
            row = lock_webhook_event(event.pk)
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
