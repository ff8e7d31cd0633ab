"""The whole life of a DVD order through the HTTP API: cart, submission (stock
reserved), validation line by line, shipment (delivery note, carrier), delivery; every
status change logged and e-mailed to the library once the transaction commits."""

import pytest

from orders.models import Order, StockMovement
from tests.orders.conftest import available, on_hand

pytestmark = pytest.mark.django_db


def _cart(client, **body):
    response = client.post("/api/v1/orders/", body, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()


def _add(client, order_id, edition, quantity):
    return client.post(
        f"/api/v1/orders/{order_id}/lines/",
        {"edition": edition.pk, "quantity": quantity},
        format="json",
    )


@pytest.mark.embedded
def test_cart_to_delivery(
    library_api,
    editor_api,
    authorised_library,
    library_admin,
    edition,
    other_edition,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    library_admin.email = "admin@example.org"
    library_admin.save()
    cart = _cart(library_api)
    assert cart["status"] == "cart"
    assert _cart(library_api)["id"] == cart["id"]  # one cart at a time
    assert _add(library_api, cart["id"], edition, 2).status_code == 201
    assert _add(library_api, cart["id"], edition, 1).status_code == 201  # merged: 3
    body = _add(library_api, cart["id"], other_edition, 2).json()
    lines = {line["edition"]: line for line in body["lines"]}
    assert lines[edition.pk]["quantity"] == 3
    second = lines[other_edition.pk]["id"]
    response = library_api.patch(
        f"/api/v1/orders/{cart['id']}/lines/{second}/", {"quantity": 1}, format="json"
    )
    assert response.status_code == 200
    assert not StockMovement.objects.exclude(kind="receipt").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert response.status_code == 200, response.json()
    order = response.json()
    assert order["status"] == "submitted"
    assert {line["status"] for line in order["lines"]} == {"reserved"}
    assert {line["unit_price"] for line in order["lines"]} == {"29.90", "19.50"}
    assert (available(edition), on_hand(edition)) == (7, 10)
    assert (available(other_edition), on_hand(other_edition)) == (2, 3)
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {"admin@example.org", "mediatheque@example.org"}

    # the cinema staff reject one line: its copies come back
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(
            f"/api/v1/orders/{cart['id']}/validate/",
            {"reject": [{"line": second, "reason": "out_of_stock"}]},
            format="json",
        )
    assert response.status_code == 200, response.json()
    statuses = {line["id"]: line["status"] for line in response.json()["lines"]}
    assert statuses[second] == "rejected"
    assert (available(other_edition), on_hand(other_edition)) == (3, 3)

    # a library cannot ship
    shipping = {"carrier_reference": "COLISSIMO-8R0001"}
    assert library_api.post(f"/api/v1/orders/{cart['id']}/ship/", shipping).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(f"/api/v1/orders/{cart['id']}/ship/", shipping, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["has_delivery_note"] is True
    assert (available(edition), on_hand(edition)) == (7, 7)
    note = library_api.get(f"/api/v1/orders/{cart['id']}/delivery-note/")
    assert note.status_code == 200
    assert b"".join(note.streaming_content).startswith(b"%PDF")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(f"/api/v1/orders/{cart['id']}/deliver/")
    assert response.json()["status"] == "delivered"
    events = [(e["from_status"], e["to_status"]) for e in response.json()["events"]]
    assert events == [
        ("cart", "submitted"),
        ("submitted", "validated"),
        ("validated", "shipped"),
        ("shipped", "delivered"),
    ]
    assert all(e["by"] for e in response.json()["events"])
    assert len(mailoutbox) == 4
    assert "COLISSIMO-8R0001" in mailoutbox[2].body
    # delivered orders cannot be cancelled
    response = library_api.post(f"/api/v1/orders/{cart['id']}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_transition"
    # a new cart can be opened
    assert _cart(library_api)["id"] != cart["id"]


def test_cinema_staff_open_a_cart_for_a_library(editor_api, authorised_library):
    response = editor_api.post("/api/v1/orders/", {"library": authorised_library.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["library"] == authorised_library.pk


def test_cart_lines_remove(library_api, authorised_library, edition):
    cart = _cart(library_api)
    line = _add(library_api, cart["id"], edition, 2).json()["lines"][0]["id"]
    response = library_api.delete(f"/api/v1/orders/{cart['id']}/lines/{line}/")
    assert response.status_code == 200
    assert response.json()["lines"] == []
    assert library_api.delete(f"/api/v1/orders/{cart['id']}/lines/{line}/").status_code == 404


def test_submitted_order_lines_cannot_change(library_api, authorised_library, edition):
    cart = _cart(library_api)
    _add(library_api, cart["id"], edition, 2)
    library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    response = _add(library_api, cart["id"], edition, 1)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_transition"
    again = library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    assert again.status_code == 409
    assert available(edition) == 8


def test_validation_rechecks_each_line(library_api, editor_api, authorised_library, edition):
    """Between submission and validation the library was suspended: validation is refused
    with a code per line and changes nothing."""
    cart = _cart(library_api)
    _add(library_api, cart["id"], edition, 2)
    library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    authorised_library.dvd_suspended = True
    authorised_library.save()
    response = editor_api.post(f"/api/v1/orders/{cart['id']}/validate/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "order_refused"
    assert [line["code"] for line in body["lines"]] == ["library_suspended"]
    assert Order.objects.get(pk=cart["id"]).status == "submitted"
    assert available(edition) == 8
    # rejecting every line is not a validation: cancel instead
    line = body["lines"][0]["line"]
    response = editor_api.post(
        f"/api/v1/orders/{cart['id']}/validate/", {"reject": [{"line": line}]}, format="json"
    )
    assert response.json()["code"] == "no_line_accepted"


def test_validation_of_unknown_line(library_api, editor_api, authorised_library, edition):
    cart = _cart(library_api)
    _add(library_api, cart["id"], edition, 2)
    library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    response = editor_api.post(
        f"/api/v1/orders/{cart['id']}/validate/", {"reject": [{"line": 999999}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_line"


def test_ship_requires_carrier_reference(library_api, editor_api, authorised_library, edition):
    cart = _cart(library_api)
    _add(library_api, cart["id"], edition, 2)
    library_api.post(f"/api/v1/orders/{cart['id']}/submit/")
    editor_api.post(f"/api/v1/orders/{cart['id']}/validate/", {}, format="json")
    response = editor_api.post(
        f"/api/v1/orders/{cart['id']}/ship/", {"carrier_reference": "  "}, format="json"
    )
    assert response.status_code == 400
    assert Order.objects.get(pk=cart["id"]).status == "validated"
    assert editor_api.get(f"/api/v1/orders/{cart['id']}/delivery-note/").status_code == 404
