"""A tariff grid for the current year and the next, shaped like the real one: the platform
subscription priced by population served, and the 3/5/8 discovery packs."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from subscriptions.models import Plan, PriceTier, TariffGrid

PLATFORM_TIERS = [(0, 5_000, "300.00"), (5_001, 20_000, "600.00"), (20_001, None, "1500.00")]
PACK_PRICES = {3: "39.00", 5: "49.00", 8: "59.00"}


def make_grid(year: int, *, vat_rate="0.2000", screenings=10, streams=5) -> TariffGrid:
    grid = TariffGrid.objects.create(year=year, vat_rate=Decimal(vat_rate))
    platform = Plan.objects.create(
        grid=grid,
        code="platform",
        name="Abonnement plateforme",
        kind=Plan.Kind.PLATFORM,
        screenings_per_year=screenings,
        includes_streaming=True,
        max_concurrent_streams=streams,
    )
    for low, high, price in PLATFORM_TIERS:
        PriceTier.objects.create(
            plan=platform, population_from=low, population_to=high, price_excl_vat=Decimal(price)
        )
    for size, price in PACK_PRICES.items():
        pack = Plan.objects.create(
            grid=grid,
            code=f"discovery-{size}",
            name=f"Forfait découverte {size}",
            kind=Plan.Kind.DISCOVERY,
            screenings_per_year=size,
        )
        PriceTier.objects.create(plan=pack, population_from=0, price_excl_vat=Decimal(price))
    return grid


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def grid(db, today):
    return make_grid(today.year)


@pytest.fixture
def next_grid(db, today):
    return make_grid(today.year + 1, screenings=12)


@pytest.fixture
def platform(grid):
    return grid.plans.get(code="platform")


@pytest.fixture
def pack3(grid):
    return grid.plans.get(code="discovery-3")


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def screenable_film():
    """A film with public-screening rights from 2000 on, with no end."""
    from rights.models import Medium
    from tests.factories import FilmFactory
    from tests.rights.conftest import GrantFactory

    film = FilmFactory()
    GrantFactory(
        film=film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=datetime.date(2000, 1, 1),
        ends_on=None,
    )
    return film
