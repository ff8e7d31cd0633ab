"""Reads of the orders app: stock derived from the ledger, the access helpers for orders,
and the list and export querysets (a page of orders costs a constant number of queries)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from backend.access import get_or_not_found, scope_to_staff
from orders.models import DvdEdition, Order, OrderEvent, OrderLine, StockMovement

_ON_HAND = ~Q(movements__kind__in=StockMovement.RESERVATION_KINDS)


def stock_available(edition_ids: Iterable[int]) -> dict[int, int]:
    """Copies free to order, per edition: the sum of every movement of its ledger (take
    the editions' row locks first when the answer decides a write)."""
    ids = list(edition_ids)
    rows = (
        StockMovement.objects.filter(edition_id__in=ids)
        .values("edition_id")
        .annotate(total=Sum("quantity"))
    )
    available = dict.fromkeys(ids, 0)
    available.update({row["edition_id"]: row["total"] for row in rows})
    return available


def editions_with_stock(queryset: QuerySet[DvdEdition] | None = None) -> QuerySet[DvdEdition]:
    """Editions annotated with `stock_on_hand` (copies on the shelf) and `stock_available`
    (on hand minus reservations), both sums of the ledger."""
    queryset = DvdEdition.objects.all() if queryset is None else queryset
    return queryset.select_related("film").annotate(
        stock_available=Coalesce(Sum("movements__quantity"), 0, output_field=IntegerField()),
        stock_on_hand=Coalesce(
            Sum("movements__quantity", filter=_ON_HAND), 0, output_field=IntegerField()
        ),
    )


def reserved_by_line(line_ids: Iterable[int]) -> dict[int, int]:
    """Copies each order line still holds reserved (reservations minus releases)."""
    rows = (
        StockMovement.objects.filter(
            order_line_id__in=list(line_ids), kind__in=StockMovement.RESERVATION_KINDS
        )
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["order_line_id"]: -row["total"] for row in rows if row["total"]}


# --- access -----------------------------------------------------------------------------
def orders_visible_to(user) -> QuerySet[Order]:
    """The cinema staff see every order; a library's staff see their library's orders;
    nobody else sees any."""
    return scope_to_staff(
        Order.objects.select_related("library"),
        user,
        Q(library_id=getattr(user, "institution_id", None)),
    )


def order_get_for(user, order_id) -> Order:
    """The order if the caller may see it, else a 404 (the same as an unknown id)."""
    return get_or_not_found(order_detail_queryset(user), order_id, _("No such order."))


def order_list_queryset(user) -> QuerySet[Order]:
    return orders_visible_to(user).annotate(
        line_count=Count("lines", distinct=True),
        copies=Coalesce(
            Sum(
                "lines__quantity",
                filter=~Q(
                    lines__status__in=[OrderLine.Status.REJECTED, OrderLine.Status.CANCELLED]
                ),
            ),
            0,
            output_field=IntegerField(),
        ),
    )


def order_detail_queryset(user) -> QuerySet[Order]:
    return orders_visible_to(user).prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.select_related("edition", "edition__film").order_by("pk"),
        ),
        Prefetch("events", queryset=OrderEvent.objects.select_related("by").order_by("at", "pk")),
    )


def order_export_rows(queryset: QuerySet[Order]) -> Iterable[dict]:
    """One row per order line of the orders in `queryset` (for the CSV export), in one
    query."""
    lines = (
        OrderLine.objects.filter(order__in=queryset.values("pk"))
        .select_related("order", "order__library", "edition", "edition__film")
        .order_by("order__submitted_at", "order_id", "pk")
    )
    for line in lines.iterator(chunk_size=2000):
        order = line.order
        yield {
            "order": order.pk,
            "status": order.status,
            "library_code": order.library.code,
            "library": order.library.name,
            "submitted_at": order.submitted_at.isoformat() if order.submitted_at else "",
            "shipped_at": order.shipped_at.isoformat() if order.shipped_at else "",
            "delivered_at": order.delivered_at.isoformat() if order.delivered_at else "",
            "carrier_reference": order.carrier_reference,
            "film_reference": line.edition.film.reference,
            "film": line.edition.film.title,
            "ean": line.edition.ean,
            "quantity": line.quantity,
            "line_status": line.status,
            "unit_price": line.unit_price if line.unit_price is not None else "",
            "rejection_reason": line.rejection_reason,
        }
