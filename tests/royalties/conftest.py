"""Records a statement counts — view events, public screenings held, DVD copies shipped —
built directly (the royalties app only reads them), and contracts with their grants."""

import datetime
import itertools
from decimal import Decimal

import pytest

from orders.models import DvdEdition, Order, OrderLine
from rights.models import Medium, RightsHolderContact
from royalties.models import PaymentTerms, PerUseRate
from tests.factories import FilmFactory, InstitutionFactory
from tests.orders.conftest import make_ean
from tests.rights.conftest import ContractFactory, GrantFactory
from tests.stats.conftest import at, make_screening, make_subscription, make_view

D = datetime.date
_orders = itertools.count(1)

__all__ = ["ContractFactory", "GrantFactory", "at", "make_screening", "make_view"]


def make_view_on(*, library, film, day, medium=Medium.STREAM_HOME, seconds=600, viewer="v1"):
    view = make_view(library=library, film=film, day=day, seconds=seconds, viewer=viewer)
    view.medium = medium
    view.save(update_fields=["medium"])
    return view


def make_shipment(*, library, film, day, quantity, status=Order.Status.SHIPPED, line="accepted"):
    """An order of `quantity` copies of the film, shipped on `day` (or only validated)."""
    shipped = status in (Order.Status.SHIPPED, Order.Status.DELIVERED)
    order = Order.objects.create(
        library=library,
        status=status,
        submitted_at=at(day, 9) - datetime.timedelta(days=3),
        validated_at=at(day, 9) - datetime.timedelta(days=1),
        shipped_at=at(day, 10) if shipped else None,
        carrier_reference=f"COLIS-{next(_orders)}" if shipped else "",
    )
    edition = DvdEdition.objects.filter(film=film).first() or DvdEdition.objects.create(
        film=film, ean=make_ean(), price=Decimal("25.00")
    )
    OrderLine.objects.create(
        order=order,
        edition=edition,
        quantity=quantity,
        status=line,
        unit_price=Decimal("25.00"),
        rejection_reason="rights" if line == "rejected" else "",
    )
    return order


def make_terms(contract, valid_from, valid_to=None, rates=(), **fields) -> PaymentTerms:
    terms = PaymentTerms.objects.create(
        contract=contract, valid_from=valid_from, valid_to=valid_to, **fields
    )
    for medium, unit, rate in rates:
        PerUseRate.objects.create(terms=terms, medium=medium, unit=unit, rate=Decimal(rate))
    return terms


def contracted(*, title="Les Glaneurs", contact=True, rate="1.50", **terms):
    """A contract signed in 2016 with a film streamed at home (1.50 EUR a view, unless
    told), a contact with an e-mail address, and two 2017 views from a library in the 35."""
    contract = ContractFactory(signed_on=D(2016, 5, 1))
    if contact:
        RightsHolderContact.objects.create(
            rights_holder=contract.rights_holder, name="Compta", email="compta@prod.example"
        )
    film = FilmFactory(title=title)
    GrantFactory(
        contract=contract, film=film, medium=Medium.STREAM_HOME,
        starts_on=D(2017, 1, 1), ends_on=None,
    )  # fmt: skip
    make_terms(contract, D(2017, 1, 1), rates=[(Medium.STREAM_HOME, "view", rate)], **terms)
    library = InstitutionFactory(name="Médiathèque Secrète", department_code="35", region_code="53")
    for day, viewer in ((D(2017, 2, 3), "patron-secret"), (D(2017, 5, 9), "autre")):
        make_view_on(library=library, film=film, day=day, viewer=viewer)
    return contract


@pytest.fixture
def libraries(db):
    """Two libraries in two departments of two regions."""
    return [
        InstitutionFactory(department_code="35", region_code="53"),
        InstitutionFactory(department_code="69", region_code="84"),
    ]


@pytest.fixture
def subscription(libraries):
    return make_subscription(libraries[0], year=2017)
