"""Every route that names one library's private object answers 404 (or 403) to another
library's staff and to another library's patron, and reaches the object for its owner:
a route that answered 404 to everyone would prove nothing, so the owner's answer is
checked too (after the stranger's, which must have changed nothing)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from editorial.services import library_selection_create
from orders.services import cart_get_or_create
from subscriptions.services.patrons import patron_register
from subscriptions.services.screenings import booking_create
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.subscriptions.conftest import (  # noqa: F401 (fixtures)
    grid,
    platform,
    screenable_film,
    today,
)

ROUTES = [
    ("get", "/api/v1/subscriptions/{sub}/"),
    ("get", "/api/v1/subscriptions/{sub}/usage/"),
    ("get", "/api/v1/subscriptions/{sub}/quotas/"),
    ("patch", "/api/v1/subscriptions/{sub}/quotas/"),
    ("get", "/api/v1/subscriptions/{sub}/credits/"),
    ("get", "/api/v1/subscriptions/{sub}/libraries/"),
    ("post", "/api/v1/subscriptions/{sub}/cancel/"),
    ("post", "/api/v1/subscriptions/{sub}/renew/"),
    ("get", "/api/v1/screenings/{booking}/"),
    ("post", "/api/v1/screenings/{booking}/cancel/"),
    ("post", "/api/v1/screenings/{booking}/attendance/"),
    ("get", "/api/v1/screenings/{booking}/download/"),
    ("get", "/api/v1/patrons/{patron}/"),
    ("get", "/api/v1/patrons/{patron}/export/"),
    ("post", "/api/v1/patrons/{patron}/erase/"),
    ("get", "/api/v1/orders/{order}/"),
    ("post", "/api/v1/orders/{order}/lines/"),
    ("post", "/api/v1/orders/{order}/submit/"),
    ("post", "/api/v1/orders/{order}/cancel/"),
    ("get", "/api/v1/library-selections/{selection}/"),
    ("patch", "/api/v1/library-selections/{selection}/"),
    ("post", "/api/v1/library-selections/{selection}/items/"),
    ("delete", "/api/v1/library-selections/{selection}/"),
    ("get", "/api/v1/library-selections/?institution={library}"),
    ("get", "/api/v1/collections/?institution={library}"),
    ("get", "/api/v1/editorial/leaving-soon/?institution={library}"),
    ("post", "/api/v1/institutions/{library}/portal-key/"),
    ("put", "/api/v1/institutions/{library}/record-settings/"),
    ("post", "/api/v1/institutions/{library}/sushi-credentials/"),
    ("get", "/api/v1/institutions/{library}/"),
    ("get", "/api/v1/plans/{plan}/quote/?institution={library}"),
    ("get", "/api/v1/films/{film}/availability/?institution={library}&medium=dvd"),
]


@pytest.fixture
def owned(other_library, other_library_admin, platform, today):  # noqa: F811
    """Private objects of `other_library`, made by its administrator."""
    subscription = subscription_activate(
        subscription=subscription_quote_create(
            subscriber=other_library, plan=platform, starts_on=today
        )
    )
    film = screenable_film()
    booking = booking_create(
        library=other_library,
        film=film,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        venue="Salle",
        expected_audience=5,
        booked_by=other_library_admin,
    )
    order, _ = cart_get_or_create(library=other_library, by=other_library_admin)
    return {
        "sub": subscription.pk,
        "booking": booking.pk,
        "patron": patron_register(institution=other_library, card="C-1", pin="482193").pk,
        "order": order.pk,
        "selection": library_selection_create(institution=other_library, title="Sélection").pk,
        "library": other_library.pk,
        "plan": platform.pk,
        "film": film.pk,
    }


@pytest.mark.parametrize("stranger", ["library_api", "patron_api"])
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_another_librarys_object_is_out_of_reach(
    request, stranger, method, route, owned, other_library_api
):
    url = route.format(**owned)
    client = request.getfixturevalue(stranger)
    refused = getattr(client, method)(url, {}, format="json")
    assert refused.status_code in (403, 404), (url, refused.status_code, refused.content[:300])
    owner = getattr(other_library_api, method)(url, {}, format="json")
    assert owner.status_code != 404 and owner.status_code < 500, (url, owner.status_code)


def test_a_patron_is_refused_the_staff_lists_of_the_own_library(patron_api, editor_api, library):
    for url in [
        "/api/v1/subscriptions/",
        "/api/v1/invoices/",
        "/api/v1/patrons/",
        "/api/v1/screenings/",
        "/api/v1/orders/",
        "/api/v1/withdrawal-notices/",
        f"/api/v1/stats/views/?institution={library.pk}",
        f"/api/v1/stats/home-areas/?institution={library.pk}",
        f"/api/v1/reports/counter/title-requests/?institution={library.pk}",
        f"/api/v1/newsletter/preview/?institution={library.pk}",
        "/api/v1/media/assets/",
        "/api/v1/contracts/",
        "/api/v1/negotiations/",
    ]:
        assert patron_api.get(url).status_code in (403, 404), url
        assert editor_api.get(url).status_code == 200, url  # the route exists
