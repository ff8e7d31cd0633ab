"""Data for the library back office's tests (page tests and browser journeys): a
discovery pack bought by purchase order and paid by bank transfer, films with and without
screening rights on a day, DVD editions with stock."""

from __future__ import annotations

import datetime

from django.utils import timezone

from catalogue.search import film_search_refresh
from rights.models import Medium
from subscriptions.models import Subscription
from subscriptions.services.billing import invoice_mark_paid
from subscriptions.services.subscriptions import (
    subscription_payment_request,
    subscription_quote_create,
)
from tests.editorial.conftest import day, film_with
from tests.rights.conftest import GrantFactory
from tests.subscriptions.conftest import make_grid

NOT_YET_DAYS = 60


def buy_pack(library, *, size: int = 3, by=None) -> Subscription:
    """The library buys a discovery pack of `size` screenings with a purchase order: the
    administrative invoice is issued, the transfer recorded, the pack active (the
    services the subscription pages call)."""
    from subscriptions.models import TariffGrid

    year = timezone.localdate().year
    grid = TariffGrid.objects.filter(year=year).first() or make_grid(year)
    quote = subscription_quote_create(
        subscriber=library,
        plan=grid.plans.get(code=f"discovery-{size}"),
        starts_on=timezone.localdate(),
        created_by=by,
    )
    subscription = subscription_payment_request(
        subscription=quote,
        payment_method=Subscription.PaymentMethod.ADMINISTRATIVE_INVOICE,
        purchase_order_reference="BC-2026-0042",
    )
    invoice_mark_paid(invoice=subscription.invoices.get(), paid_on=timezone.localdate())
    subscription.refresh_from_db()
    return subscription


def screening_films() -> dict:
    """`screenable`: public-screening rights from a year ago, open-ended; `not_yet`:
    rights that start in NOT_YET_DAYS days."""
    screenable = film_with(
        Medium.PUBLIC_SCREENING, title="Les Glaneurs et la Glaneuse", reference="CN-00101"
    )
    not_yet = film_with(title="La Pointe courte", reference="CN-00102")
    GrantFactory(
        film=not_yet, medium=Medium.PUBLIC_SCREENING, starts_on=day(NOT_YET_DAYS), ends_on=None
    )
    film_search_refresh(film_ids=[screenable.pk, not_yet.pk])
    return {"screenable": screenable, "not_yet": not_yet}


def tomorrow() -> datetime.date:
    return day(1)
