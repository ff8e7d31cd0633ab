"""The row locks this app takes, named in one place (the order across apps: backend/locks.py).

Subscriptions are always locked in primary-key order so that two transactions never wait
on each other in opposite orders; a screening booking takes its library's row
(`institutions.locks.lock_institution`) before them, and a booking's row after its
subscription's."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from subscriptions.errors import no_streaming_subscription
from subscriptions.models import (
    Invoice,
    InvoiceSequence,
    Patron,
    ScreeningBooking,
    Subscription,
    WebhookEvent,
)
from subscriptions.selectors import subscriptions_covering


def lock_subscriptions(ids: Iterable[int]) -> dict[int, Subscription]:
    """Lock the subscriptions (their credit ledgers and statuses) for this transaction."""
    rows = Subscription.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk")
    return {row.pk: row for row in rows}


def lock_streaming_subscription(
    *, library, on: datetime.date, subscriber_ids: Iterable[int] | None = None
) -> Subscription:
    """The subscription a library's patrons and staff stream under on `on` — the first
    covering one that includes streaming, as `patron_streaming_subscription` picks — read
    and row-locked in one statement, and only that row (LIMIT 1, FOR UPDATE OF it): two
    playback starts cannot both take its last stream slot. Refused with 403
    `no_streaming_subscription` when there is none."""
    subscription = (
        subscriptions_covering(library=library, on=on, subscriber_ids=subscriber_ids)
        .filter(plan__includes_streaming=True)
        .select_for_update(of=("self",))
        .first()
    )
    if subscription is None:
        raise no_streaming_subscription()
    return subscription


def lock_booking(booking_id: int) -> ScreeningBooking:
    """A booking's row (after its subscription's: `lock_subscriptions`)."""
    return ScreeningBooking.objects.select_for_update().get(pk=booking_id)


def lock_patron(patron_id: int) -> Patron:
    return Patron.objects.select_for_update().select_related("user").get(pk=patron_id)


def lock_invoice(invoice_id: int) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice_id)


def lock_invoice_sequence(year: int) -> InvoiceSequence:
    """The year's invoice numbering (created when missing): numbers are gap-free."""
    InvoiceSequence.objects.get_or_create(year=year)
    return InvoiceSequence.objects.select_for_update().get(year=year)


def lock_webhook_event(event_id: int) -> WebhookEvent:
    return WebhookEvent.objects.select_for_update().get(pk=event_id)
