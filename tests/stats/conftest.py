"""Records the statistics count — view events, screening bookings, DVD order lines —
built directly (the stats app only reads them); behaviour goes through the API."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from media.models import PlaybackSession, ViewEvent
from orders.models import Order, OrderLine
from subscriptions.models import Patron, ScreeningBooking, Subscription
from tests.orders.conftest import make_edition
from tests.subscriptions.conftest import make_grid

PARIS = timezone.get_default_timezone()
_viewers = itertools.count(1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def make_view(*, library, film, day, seconds=600, viewer="v1", session=None, hour=12) -> ViewEvent:
    return ViewEvent.objects.create(
        session=session,
        film=film,
        institution=library,
        viewer_pseudonym=viewer,
        medium="stream_home",
        seconds_watched=seconds,
        started_at=at(day, hour),
    )


def make_subscription(subscriber, *, year=2024) -> Subscription:
    plan = make_grid(year).plans.get(code="platform")
    return Subscription.objects.create(
        subscriber=subscriber,
        plan=plan,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        status=Subscription.Status.ACTIVE,
        population_served=10_000,
        price_excl_vat=Decimal("600.00"),
        vat_rate=Decimal("0.2000"),
        price_incl_vat=Decimal("720.00"),
    )


def make_patron_view(*, library, film, day, home_area, subscription, user_factory, seconds=600):
    """A view by a registered patron whose home area is known (through the session)."""
    from accounts.models import User

    user = user_factory(role=User.Role.PATRON, institution=library)
    Patron.objects.create(
        user=user, institution=library, card_digest=f"card-{user.pk}", home_area=home_area
    )
    session = PlaybackSession.objects.create(
        film=film,
        user=user,
        institution=library,
        subscription=subscription,
        medium="stream_home",
        started_at=at(day),
        last_heartbeat_at=at(day),
        ended_at=at(day),
        seconds_watched=seconds,
    )
    return make_view(
        library=library,
        film=film,
        day=day,
        seconds=seconds,
        viewer=f"patron-{user.pk}",
        session=session,
    )


def make_screening(*, library, film, day, subscription, attendance=None, cancelled=False):
    if cancelled:
        status = ScreeningBooking.Status.CANCELLED
    elif attendance is not None:
        status = ScreeningBooking.Status.HELD
    else:
        status = ScreeningBooking.Status.BOOKED
    return ScreeningBooking.objects.create(
        library=library,
        subscription=subscription,
        film=film,
        starts_at=at(day, 20),
        venue="Auditorium",
        expected_audience=40,
        actual_attendance=attendance,
        status=status,
    )


def make_order(*, library, day, lines, status=Order.Status.DELIVERED) -> Order:
    """`lines`: (film, quantity, line status)."""
    order = Order.objects.create(
        library=library,
        status=status,
        submitted_at=at(day, 10),
        carrier_reference="COLIS-1" if status in {"shipped", "delivered"} else "",
    )
    for film, quantity, line_status in lines:
        edition = make_edition(film=film, stock=0)
        OrderLine.objects.create(
            order=order,
            edition=edition,
            quantity=quantity,
            status=line_status,
            unit_price=Decimal("25.00"),
            rejection_reason="rights" if line_status == "rejected" else "",
        )
    return order


@pytest.fixture
def network_admin(network):
    from accounts.models import User
    from tests.factories import UserFactory

    return UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)


@pytest.fixture
def network_api(network_admin):
    from tests.conftest import client_for

    return client_for(network_admin)
