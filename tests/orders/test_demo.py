"""The demo data reproduces the seed's DVD figures for 2017: 221 copies of 151 titles
ordered by 31 libraries of the authorised network, 1 to 23 copies each."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from orders.models import DvdEdition, Order, OrderLine, StockMovement
from rights.decisions import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo_data):
    return demo_data


def test_2017_order_figures(seeded):
    orders = Order.objects.filter(status="delivered", submitted_at__year=2017)
    lines = OrderLine.objects.filter(order__in=orders, status="accepted")
    assert lines.aggregate(copies=Sum("quantity"))["copies"] == 221
    assert lines.values("edition__film").distinct().count() == 151
    per_library = list(
        lines.values("order__library")
        .annotate(copies=Sum("quantity"))
        .values_list("copies", flat=True)
    )
    assert len(per_library) == 31
    assert min(per_library) == 1
    assert max(per_library) == 23
    assert 6.5 < sum(per_library) / 31 < 7.5
    assert not orders.filter(delivered_at__year__gt=2017).exists()
    assert orders.first().events.count() == 4


def test_only_authorised_libraries_with_rights_ordered(seeded):
    lines = OrderLine.objects.select_related("order__library", "edition__film")
    for line in lines:
        order, library = line.order, line.order.library
        assert library.dvd_authorised_since <= order.submitted_at.date()
        assert not library.dvd_suspended
        for day in (order.submitted_at.date(), order.validated_at.date()):
            assert decide(library, line.edition.film, "dvd", on=day).allowed


def test_stock_never_negative_and_shipped(seeded):
    assert DvdEdition.objects.count() > 1000
    by_edition = StockMovement.objects.values("edition").annotate(total=Sum("quantity"))
    assert min(row["total"] for row in by_edition) >= 2
    shipped_2017 = StockMovement.objects.filter(kind="shipment", created_at__year=2017)
    assert shipped_2017.aggregate(s=Sum("quantity"))["s"] == -221
    reserved = StockMovement.objects.filter(kind__in=["reservation", "release"]).aggregate(
        s=Sum("quantity")
    )
    assert reserved["s"] == 0


def test_seed_twice_changes_nothing(seeded):
    counts = (DvdEdition.objects.count(), Order.objects.count(), StockMovement.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (
        DvdEdition.objects.count(),
        Order.objects.count(),
        StockMovement.objects.count(),
    ) == counts


def test_the_demo_library_has_a_shipped_order_to_follow(seeded):
    """The library back office's dashboard and order page have an order to show: shipped,
    with its carrier reference and delivery note, its copies out of the stock."""
    from institutions.demo import DEMO_LIBRARY_CODE

    order = Order.objects.get(library__code=DEMO_LIBRARY_CODE, status="shipped")
    assert order.carrier_reference and order.delivery_note
    lines = list(order.lines.all())
    assert sum(line.quantity for line in lines) == 3
    shipped = StockMovement.objects.filter(order_line__in=lines, kind="shipment")
    assert shipped.aggregate(s=Sum("quantity"))["s"] == -3
    for line in lines:
        assert decide(order.library, line.edition.film, "dvd", on=order.submitted_at.date()).allowed
