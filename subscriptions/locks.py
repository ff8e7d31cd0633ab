"""The row locks this app takes, named in one place and always taken in primary-key order
so that two transactions never wait on each other in opposite orders. A screening booking
takes its library's row (`institutions.locks.lock_institution`) before these."""

from __future__ import annotations

from collections.abc import Iterable

from subscriptions.models import Subscription


def lock_subscriptions(ids: Iterable[int]) -> dict[int, Subscription]:
    """Lock the subscriptions (their credit ledgers and statuses) for this transaction."""
    rows = Subscription.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk")
    return {row.pk: row for row in rows}
