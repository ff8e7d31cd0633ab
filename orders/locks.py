"""The row locks the orders app takes, named in one place (the order across apps:
backend/locks.py).

Order of acquisition, always: the order's row first, then the editions' rows in
primary-key order. Two transactions that touch the same editions therefore never wait
on each other in opposite orders (no deadlock), and stock is counted from the ledger
only while the edition's row is held, so two submissions never reserve the same copies.
"""

from __future__ import annotations

from collections.abc import Iterable

from orders.models import DvdEdition, Order


def lock_order(order_id: int) -> Order:
    """Lock one order (its status and lines) for this transaction."""
    return Order.objects.select_for_update(of=("self",)).select_related("library").get(pk=order_id)


def lock_editions(ids: Iterable[int]) -> dict[int, DvdEdition]:
    """Lock the editions (their stock ledgers), in primary-key order."""
    rows = DvdEdition.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    return {row.pk: row for row in rows}
