"""The stock is a ledger: cancelling gives back exactly what was reserved; the staff
record receipts, returns and write-offs; a write-off never takes reserved copies."""

import pytest
from django.db.models import Sum

from orders.models import StockMovement
from tests.orders.conftest import available, make_edition, on_hand

pytestmark = pytest.mark.django_db


def _submitted(client, *quantities_by_edition):
    cart = client.post("/api/v1/orders/", {}, format="json").json()
    for edition, quantity in quantities_by_edition:
        client.post(
            f"/api/v1/orders/{cart['id']}/lines/",
            {"edition": edition.pk, "quantity": quantity},
            format="json",
        )
    response = client.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert response.status_code == 200, response.json()
    return cart["id"]


def test_cancel_releases_exactly_what_was_reserved(library_api, authorised_library, edition):
    second = make_edition(stock=4)
    order_id = _submitted(library_api, (edition, 3), (second, 4))
    assert (available(edition), available(second)) == (7, 0)
    response = library_api.post(f"/api/v1/orders/{order_id}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert {line["status"] for line in response.json()["lines"]} == {"cancelled"}
    assert (available(edition), available(second)) == (10, 4)
    assert (on_hand(edition), on_hand(second)) == (10, 4)
    releases = StockMovement.objects.filter(kind="release").order_by("edition_id")
    assert [(m.edition_id, m.quantity) for m in releases] == [(edition.pk, 3), (second.pk, 4)]
    for line_id in StockMovement.objects.values_list("order_line", flat=True).distinct():
        if line_id is not None:
            held = StockMovement.objects.filter(order_line=line_id).aggregate(s=Sum("quantity"))
            assert held["s"] == 0
    # cancelling twice releases nothing more
    assert library_api.post(f"/api/v1/orders/{order_id}/cancel/").status_code == 409
    assert StockMovement.objects.filter(kind="release").count() == 2


def test_cancel_after_partial_validation_releases_only_the_kept_lines(
    library_api, editor_api, authorised_library, edition
):
    second = make_edition(stock=4)
    order_id = _submitted(library_api, (edition, 3), (second, 2))
    lines = library_api.get(f"/api/v1/orders/{order_id}/").json()["lines"]
    rejected = next(line["id"] for line in lines if line["edition"] == second.pk)
    editor_api.post(
        f"/api/v1/orders/{order_id}/validate/", {"reject": [{"line": rejected}]}, format="json"
    )
    assert available(second) == 4
    response = editor_api.post(f"/api/v1/orders/{order_id}/cancel/")
    assert response.status_code == 200
    assert (available(edition), available(second)) == (10, 4)
    assert StockMovement.objects.filter(kind="release", edition=second).count() == 1


def test_cancel_a_cart_writes_no_movement(library_api, authorised_library, edition):
    cart = library_api.post("/api/v1/orders/", {}, format="json").json()
    library_api.post(f"/api/v1/orders/{cart['id']}/lines/", {"edition": edition.pk, "quantity": 2})
    assert library_api.post(f"/api/v1/orders/{cart['id']}/cancel/").status_code == 200
    assert list(StockMovement.objects.values_list("kind", flat=True)) == ["receipt"]


def test_shipped_order_cannot_be_cancelled(library_api, editor_api, authorised_library, edition):
    order_id = _submitted(library_api, (edition, 2))
    editor_api.post(f"/api/v1/orders/{order_id}/validate/", {}, format="json")
    editor_api.post(f"/api/v1/orders/{order_id}/ship/", {"carrier_reference": "X1"})
    assert library_api.post(f"/api/v1/orders/{order_id}/cancel/").status_code == 409
    assert (available(edition), on_hand(edition)) == (8, 8)


def test_staff_record_stock(editor_api, library_api, authorised_library, edition):
    url = f"/api/v1/dvd-editions/{edition.pk}/stock/"
    assert editor_api.post(url, {"movement": "receipt", "quantity": 5}).status_code == 201
    assert editor_api.post(url, {"movement": "write_off", "quantity": 2}).status_code == 201
    _submitted(library_api, (edition, 10))
    response = editor_api.post(url, {"movement": "write_off", "quantity": 4})
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert editor_api.post(url, {"movement": "reservation", "quantity": 1}).status_code == 400
    assert library_api.post(url, {"movement": "receipt", "quantity": 5}).status_code == 403
    body = editor_api.get(f"/api/v1/dvd-editions/{edition.pk}/").json()
    assert (body["stock_on_hand"], body["stock_available"]) == (13, 3)
    movements = editor_api.get(f"/api/v1/dvd-editions/{edition.pk}/movements/").json()
    assert movements["count"] == 4


def test_staff_create_editions_with_a_valid_ean(editor_api, library_api, edition):
    film = edition.film_id
    response = editor_api.post(
        "/api/v1/dvd-editions/",
        {"film": film, "ean": "9782070360024", "price": "24.00", "initial_stock": 6},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["stock_available"] == 6
    bad = editor_api.post(
        "/api/v1/dvd-editions/",
        {"film": film, "ean": "9782070360025", "price": "24.00"},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["fields"]["ean"][0]["code"] == "invalid_ean"
    refused = library_api.post(
        "/api/v1/dvd-editions/",
        {"film": film, "ean": "9780306406157", "price": "24.00"},
        format="json",
    )
    assert refused.status_code in (403, 404)


def test_ean_checksum():
    from django.core.exceptions import ValidationError

    from orders.models import validate_ean13

    validate_ean13("4006381333931")
    for bad in ("4006381333932", "400638133393", "40063813339a1", "４006381333931"):
        with pytest.raises(ValidationError):
            validate_ean13(bad)
