"""Concurrent submissions on PostgreSQL, with real concurrent connections (one per
thread): the stock is never oversold, an Idempotency-Key reserves once, and orders
whose lines name the same editions in opposite orders do not deadlock."""

import datetime
import threading

import pytest
from django.db import connection

from accounts.models import User
from orders.models import StockMovement
from tests.conftest import client_for
from tests.factories import InstitutionFactory, UserFactory
from tests.orders.conftest import available, make_edition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _library_client():
    library = InstitutionFactory(dvd_authorised_since=datetime.date(2015, 1, 1))
    return client_for(UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=library))


def _cart(client, *lines):
    cart = client.post("/api/v1/orders/", {}, format="json").json()
    for edition, quantity in lines:
        response = client.post(
            f"/api/v1/orders/{cart['id']}/lines/",
            {"edition": edition.pk, "quantity": quantity},
            format="json",
        )
        assert response.status_code == 201
    return cart["id"]


def _run_together(calls):
    """Run the calls at the same moment, each in its own thread (its own connection)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_submissions_never_oversell():
    edition = make_edition(stock=5)
    carts = [
        (client, _cart(client, (edition, 2))) for client in (_library_client() for _ in range(6))
    ]
    responses = _run_together(
        [lambda c=c, o=o: c.post(f"/api/v1/orders/{o}/submit/") for c, o in carts]
    )
    assert not [r for r in responses if isinstance(r, Exception)], responses
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(accepted) == 2  # 2 × 2 copies of 5
    assert {r.json()["lines"][0]["code"] for r in refused} == {"out_of_stock"}
    assert available(edition) == 1
    reserved = StockMovement.objects.filter(kind="reservation", edition=edition)
    assert sum(m.quantity for m in reserved) == -4


def test_concurrent_repeats_of_one_idempotency_key_reserve_once():
    edition = make_edition(stock=10)
    client = _library_client()
    order = _cart(client, (edition, 3))
    responses = _run_together(
        [
            lambda: client.post(f"/api/v1/orders/{order}/submit/", HTTP_IDEMPOTENCY_KEY="same")
            for _ in range(5)
        ]
    )
    assert [r.status_code for r in responses] == [200] * 5
    assert {r.json()["status"] for r in responses} == {"submitted"}
    assert StockMovement.objects.filter(kind="reservation").count() == 1
    assert available(edition) == 7


def test_lines_in_opposite_orders_do_not_deadlock():
    first, second = make_edition(stock=50), make_edition(stock=50)
    carts = []
    for index in range(6):
        client = _library_client()
        lines = [(first, 1), (second, 1)] if index % 2 else [(second, 1), (first, 1)]
        carts.append((client, _cart(client, *lines)))
    responses = _run_together(
        [lambda c=c, o=o: c.post(f"/api/v1/orders/{o}/submit/") for c, o in carts]
    )
    assert [getattr(r, "status_code", r) for r in responses] == [200] * 6
    assert (available(first), available(second)) == (44, 44)
