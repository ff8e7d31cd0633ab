"""Every bad input is refused with a reason code (per line for the checks of a
submission) and writes nothing: no reservation, no event, the order still a cart."""

import datetime

import pytest
from django.utils import timezone

from orders.models import Order, OrderEvent, StockMovement
from tests.orders.conftest import grant_dvd, make_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(library_api, authorised_library):
    return library_api.post("/api/v1/orders/", {}, format="json").json()


def _movements():
    return list(StockMovement.objects.values_list("pk", "kind", "quantity").order_by("pk"))


def _submit_refused(library_api, cart, edition, quantity=2, *, while_waiting=None):
    """Put the edition in the cart, then (`while_waiting`) change what the submission
    checks, then submit: refused, nothing written."""
    response = library_api.post(
        f"/api/v1/orders/{cart['id']}/lines/",
        {"edition": edition.pk, "quantity": quantity},
        format="json",
    )
    assert response.status_code == 201, response.json()
    if while_waiting is not None:
        while_waiting()
    before = _movements()
    response = library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "order_refused"
    assert _movements() == before
    assert Order.objects.get(pk=cart["id"]).status == "cart"
    assert not OrderEvent.objects.exists()
    return body["lines"]


def test_library_not_authorised(library_api, library, edition):
    cart = library_api.post("/api/v1/orders/", {}, format="json").json()
    lines = _submit_refused(library_api, cart, edition)
    assert [line["code"] for line in lines] == ["library_not_authorised"]
    assert lines[0]["edition"] == edition.pk


def test_library_authorised_only_from_a_later_date(library_api, authorised_library, cart, edition):
    authorised_library.dvd_authorised_since = timezone.localdate() + datetime.timedelta(days=3)
    authorised_library.save()
    lines = _submit_refused(library_api, cart, edition)
    assert lines[0]["code"] == "library_not_authorised"


def test_library_suspended(library_api, authorised_library, cart, edition):
    authorised_library.dvd_suspended = True
    authorised_library.save()
    assert _submit_refused(library_api, cart, edition)[0]["code"] == "library_suspended"


def test_film_withdrawn_while_in_the_cart(library_api, cart, edition):
    def withdraw():
        film = edition.film
        film.status = "withdrawn"
        film.withdrawn_on = timezone.localdate()
        film.save()

    lines = _submit_refused(library_api, cart, edition, while_waiting=withdraw)
    assert lines[0]["code"] == "film_withdrawn"


def test_a_film_withdrawn_from_a_later_date_is_ordered_until_then(library_api, cart, edition):
    """The withdrawal rule is the rights engine's (withdrawn on or before the day): a film
    withdrawn from a later date is ordered like any other until then, as it is streamed
    and booked."""
    from catalogue.services import film_status_change
    from rights.decisions import decide

    later = timezone.localdate() + datetime.timedelta(days=10)
    film_status_change(film=edition.film, status="withdrawn", on=later, reason="Fin des droits")
    response = library_api.post(
        f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 1}, format="json"
    )
    assert response.status_code == 201
    submitted = library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    library = Order.objects.get(pk=cart["id"]).library
    edition.film.refresh_from_db()
    assert decide(library, edition.film, "dvd", on=later).reason == "film_withdrawn"


def test_dvd_rights_ended_while_in_the_cart(library_api, cart):
    edition = make_edition(rights=False)
    grant = grant_dvd(edition.film, ends_on=timezone.localdate() + datetime.timedelta(days=30))

    def end_rights():
        grant.ends_on = timezone.localdate() - datetime.timedelta(days=1)
        grant.save()

    assert _submit_refused(library_api, cart, edition, while_waiting=end_rights)[0]["code"] == (
        "expired"
    )


def test_dvd_rights_gone_while_in_the_cart(library_api, cart):
    edition = make_edition(rights=False)
    grant = grant_dvd(edition.film)
    lines = _submit_refused(library_api, cart, edition, while_waiting=grant.delete)
    assert lines[0]["code"] == "no_rights"


@pytest.mark.parametrize(
    ("rights", "code"),
    [("ended", "expired"), ("none", "no_rights"), ("withdrawn", "film_withdrawn")],
)
def test_an_edition_the_rights_refuse_today_is_not_put_in_the_cart(library_api, cart, rights, code):
    """The cart holds what may be ordered: the engine's reason, nothing written."""
    edition = make_edition(rights=rights == "withdrawn")
    if rights == "ended":
        grant_dvd(edition.film, ends_on=timezone.localdate() - datetime.timedelta(days=1))
    if rights == "withdrawn":
        edition.film.status, edition.film.withdrawn_on = "withdrawn", timezone.localdate()
        edition.film.save()
    response = library_api.post(
        f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Order.objects.get(pk=cart["id"]).lines.exists()


def test_not_enough_stock(library_api, cart):
    edition = make_edition(stock=1)
    assert _submit_refused(library_api, cart, edition)[0]["code"] == "out_of_stock"


def test_one_bad_line_refuses_all_and_names_it(library_api, cart, edition):
    library_api.post(f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 1})
    ending = make_edition(rights=False)
    grant = grant_dvd(ending.film)
    lines = _submit_refused(library_api, cart, ending, while_waiting=grant.delete)
    assert [(line["edition"], line["code"]) for line in lines] == [(ending.pk, "no_rights")]


def test_quantity_above_cap_at_submission(library_api, cart, edition, settings):
    library_api.post(f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 5})
    settings.ORDERS_MAX_QUANTITY_PER_LINE = 4
    before = _movements()
    response = library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert response.status_code == 400
    assert [line["code"] for line in response.json()["lines"]] == ["quantity_above_cap"]
    assert _movements() == before


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(0, "quantity_invalid"), (-3, "quantity_invalid"), (26, "quantity_above_cap")],
)
def test_bad_quantity_in_cart(library_api, cart, edition, quantity, code):
    before = _movements()
    response = library_api.post(
        f"/api/v1/orders/{cart['id']}/lines/",
        {"edition": edition.pk, "quantity": quantity},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["fields"]["quantity"][0]["code"] == code
    assert _movements() == before
    assert not Order.objects.get(pk=cart["id"]).lines.exists()


def test_cap_applies_to_merged_line(library_api, cart, edition):
    url = f"/api/v1/orders/{cart['id']}/lines/"
    assert library_api.post(url, {"edition": edition.pk, "quantity": 20}).status_code == 201
    response = library_api.post(url, {"edition": edition.pk, "quantity": 6})
    assert response.json()["code"] == "quantity_above_cap"


def test_unknown_edition(library_api, cart):
    before = _movements()
    response = library_api.post(
        f"/api/v1/orders/{cart['id']}/lines/", {"edition": 987654, "quantity": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_edition"
    assert _movements() == before


def test_empty_cart(library_api, cart):
    before = _movements()
    response = library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_cart"
    assert _movements() == before
    assert not OrderEvent.objects.exists()


def test_library_cannot_validate_its_own_order(library_api, cart, edition):
    library_api.post(f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 1})
    library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert library_api.post(f"/api/v1/orders/{cart['id']}/validate/").status_code == 403
    assert library_api.post(f"/api/v1/orders/{cart['id']}/deliver/").status_code == 403
