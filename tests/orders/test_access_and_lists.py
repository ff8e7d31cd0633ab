"""Who sees which orders, the staff's filters and CSV export, idempotent submission,
and lists that cost the same number of queries whatever their length."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from orders.models import Order, StockMovement
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.orders.conftest import available, make_edition

pytestmark = pytest.mark.django_db


def _submitted(client, edition, quantity=2, **headers):
    cart = client.post("/api/v1/orders/", {}, format="json").json()
    client.post(
        f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": quantity}
    )
    response = client.post(f"/api/v1/orders/{cart['id']}/submit/", **headers)
    assert response.status_code == 200, response.json()
    return cart["id"]


@pytest.fixture
def other_authorised(other_library, other_library_api):
    other_library.dvd_authorised_since = other_library.created_at.date()
    other_library.save()
    return other_library_api


def test_idempotent_submit(library_api, authorised_library, edition):
    cart = library_api.post("/api/v1/orders/", {}, format="json").json()
    library_api.post(f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 2})
    url = f"/api/v1/orders/{cart['id']}/submit/"
    first = library_api.post(url, HTTP_IDEMPOTENCY_KEY="key-1")
    again = library_api.post(url, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert StockMovement.objects.filter(kind="reservation").count() == 1
    assert available(edition) == 8
    # without the key, a second submission is a wrong transition
    assert library_api.post(url).status_code == 409
    # the same key for another order of the same library is refused
    other = library_api.post("/api/v1/orders/", {}, format="json").json()
    library_api.post(f"/api/v1/orders/{other['id']}/lines/", {"edition": edition.pk, "quantity": 1})
    reused = library_api.post(f"/api/v1/orders/{other['id']}/submit/", HTTP_IDEMPOTENCY_KEY="key-1")
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert available(edition) == 8


def test_refused_submission_does_not_burn_the_key(library_api, authorised_library):
    edition = make_edition(stock=1)
    cart = library_api.post("/api/v1/orders/", {}, format="json").json()
    line = library_api.post(
        f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 2}
    ).json()["lines"][0]["id"]
    url = f"/api/v1/orders/{cart['id']}/submit/"
    assert library_api.post(url, HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    library_api.patch(f"/api/v1/orders/{cart['id']}/lines/{line}/", {"quantity": 1})
    assert library_api.post(url, HTTP_IDEMPOTENCY_KEY="k").json()["status"] == "submitted"


def test_invalid_idempotency_key(library_api, authorised_library, edition):
    cart = library_api.post("/api/v1/orders/", {}, format="json").json()
    response = library_api.post(
        f"/api/v1/orders/{cart['id']}/submit/", HTTP_IDEMPOTENCY_KEY="x" * 201
    )
    assert response.json()["code"] == "invalid_idempotency_key"


def test_same_key_in_two_libraries_is_two_submissions(
    library_api, authorised_library, other_authorised, edition
):
    _submitted(library_api, edition, HTTP_IDEMPOTENCY_KEY="shared")
    _submitted(other_authorised, edition, HTTP_IDEMPOTENCY_KEY="shared")
    assert available(edition) == 6


def test_library_staff_see_only_their_orders(
    library_api, other_authorised, editor_api, authorised_library, other_library, edition
):
    mine = _submitted(library_api, edition)
    theirs = _submitted(other_authorised, edition)
    assert [o["id"] for o in library_api.get("/api/v1/orders/").json()["results"]] == [mine]
    for method, suffix in [("get", ""), ("post", "cancel/"), ("post", "submit/")]:
        response = getattr(library_api, method)(f"/api/v1/orders/{theirs}/{suffix}")
        assert response.status_code == 404, suffix
        assert response.json()["code"] == "not_found"
    assert Order.objects.get(pk=theirs).status == "submitted"
    # opening a cart for another library is not possible either
    response = library_api.post("/api/v1/orders/", {"library": other_library.pk}, format="json")
    assert response.json()["library"] == authorised_library.pk
    assert editor_api.get("/api/v1/orders/", {"status": "submitted"}).json()["count"] == 2


def test_patrons_see_no_orders(patron_api, library_api, authorised_library, edition):
    order_id = _submitted(library_api, edition)
    assert patron_api.get("/api/v1/orders/").status_code == 403
    assert patron_api.get(f"/api/v1/orders/{order_id}/").status_code == 403


def test_staff_filters_and_csv_export(
    library_api, other_authorised, editor_api, authorised_library, edition
):
    mine = _submitted(library_api, edition)
    theirs = _submitted(other_authorised, edition, quantity=1)
    editor_api.post(f"/api/v1/orders/{theirs}/cancel/")
    listing = editor_api.get("/api/v1/orders/", {"status": "submitted"}).json()
    assert [o["id"] for o in listing["results"]] == [mine]
    assert listing["results"][0]["copies"] == 2
    by_library = editor_api.get("/api/v1/orders/", {"library": authorised_library.pk}).json()
    assert [o["id"] for o in by_library["results"]] == [mine]
    today = Order.objects.get(pk=mine).submitted_at.date()
    ranged = editor_api.get(
        "/api/v1/orders/", {"submitted_after": today, "submitted_before": today}
    ).json()
    assert ranged["count"] == 2
    assert (
        editor_api.get("/api/v1/orders/", {"submitted_before": "2000-01-01"}).json()["count"] == 0
    )
    assert editor_api.get("/api/v1/orders/", {"status": "nope"}).status_code == 400

    response = editor_api.get("/api/v1/orders/", {"format": "csv", "status": "submitted"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(int(r["order"]), r["ean"], r["quantity"]) for r in rows] == [(mine, edition.ean, "2")]
    # a library's export holds its own orders only
    own = library_api.get("/api/v1/orders/", {"format": "csv"})
    assert {int(r["order"]) for r in csv.DictReader(io.StringIO(own.content.decode()))} == {mine}


def test_order_list_query_count_is_constant(editor_api, library, edition):
    library.dvd_authorised_since = library.created_at.date()
    library.save()
    from institutions.models import Institution

    def place(n):
        for _ in range(n):
            lib = Institution.objects.create(
                name="x",
                code=f"Q-{Institution.objects.count()}",
                kind="municipal",
                department_code="69",
                region_code="84",
                dvd_authorised_since=library.dvd_authorised_since,
            )
            client = client_for(UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=lib))
            _submitted(client, edition, quantity=1)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert editor_api.get(url).status_code == 200
        return len(queries)

    place(2)
    few = count("/api/v1/orders/"), count("/api/v1/orders/?format=csv")
    place(6)
    assert (count("/api/v1/orders/"), count("/api/v1/orders/?format=csv")) == few
    first = Order.objects.order_by("pk").first().pk
    last = Order.objects.order_by("pk").last().pk
    assert count(f"/api/v1/orders/{first}/") == count(f"/api/v1/orders/{last}/")


def test_edition_list_query_count_is_constant(library_api, authorised_library):
    make_edition()

    def count():
        with CaptureQueriesContext(connection) as queries:
            body = library_api.get("/api/v1/dvd-editions/").json()
        return len(queries), body

    few, _ = count()
    for _ in range(5):
        make_edition()
    many, body = count()
    assert many == few
    assert body["count"] == 6
    assert body["results"][0]["stock_available"] == 10


def test_institution_orders_endpoint(library_api, other_authorised, authorised_library, edition):
    mine = _submitted(library_api, edition)
    url = f"/api/v1/institutions/{authorised_library.pk}/dvd-orders/"
    assert [o["id"] for o in library_api.get(url).json()["results"]] == [mine]
    assert other_authorised.get(url).status_code == 404
