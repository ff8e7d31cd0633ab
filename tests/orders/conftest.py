"""DVD editions with stock, films with DVD rights, and a library of the authorised
network (records built directly; behaviour goes through the API and the services)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db.models import Sum

from orders.models import DvdEdition, StockMovement, ean13_check_digit
from rights.models import Contract, Medium, RightsGrant
from tests.factories import FilmFactory, RightsHolderFactory

_eans = itertools.count(1)


def make_ean() -> str:
    first = f"379{next(_eans):09d}"
    return first + str(ean13_check_digit(first))


def grant_dvd(film, *, starts_on=datetime.date(2010, 1, 1), ends_on=None) -> RightsGrant:
    contract = Contract.objects.create(
        reference=f"CTR-{film.reference}-{RightsGrant.objects.count()}",
        rights_holder=RightsHolderFactory(),
        status=Contract.Status.SIGNED,
        signed_on=datetime.date(2009, 1, 1),
    )
    return RightsGrant.objects.create(
        contract=contract, film=film, medium=Medium.DVD, starts_on=starts_on, ends_on=ends_on
    )


def make_edition(*, stock=10, film=None, rights=True, price="29.90") -> DvdEdition:
    film = film or FilmFactory()
    if rights:
        grant_dvd(film)
    edition = DvdEdition.objects.create(film=film, ean=make_ean(), price=Decimal(price))
    if stock:
        StockMovement.objects.create(edition=edition, kind="receipt", quantity=stock)
    return edition


def available(edition) -> int:
    return edition.movements.aggregate(total=Sum("quantity"))["total"] or 0


def on_hand(edition) -> int:
    return (
        edition.movements.exclude(kind__in=["reservation", "release"]).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )


@pytest.fixture
def authorised_library(library):
    library.dvd_authorised_since = datetime.date(2015, 1, 1)
    library.email = "mediatheque@example.org"
    library.save()
    return library


@pytest.fixture
def edition(db):
    return make_edition(stock=10)


@pytest.fixture
def other_edition(db):
    return make_edition(stock=3, price="19.50")
