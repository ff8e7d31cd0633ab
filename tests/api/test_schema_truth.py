"""Answers that contradicted the schema (a client generated from it broke on them), each
sent on real data and checked by schemathesis against the schema: status code, content
type, headers and body. The fuzzing (test_schema_fuzz.py) runs the same checks on
generated requests, but its data rarely reaches these answers."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from orders.models import OrderEvent
from tests.api.sweep_world import build_world
from tests.api.test_schema_fuzz import CHECKS, schema
from tests.conftest import token_for


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As in test_schema_fuzz.py: the WSGI handler must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    world = build_world()
    world.tokens = {role: token_for(user) for role, user in world.users.items() if user}
    return world


def answer(world, role, method, path, *, path_parameters=None, query=None, body=None):
    """Send the request through the schema's operation and check the answer."""
    case = schema[path][method].Case(
        path_parameters=path_parameters or {},
        query=query or {},
        headers={"Authorization": f"Token {world.tokens[role]}"} if role else {},
        **({"body": body, "media_type": "application/json"} if body is not None else {}),
    )
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    return response


def test_read_answers_match_the_schema(world):
    # the SUSHI status is an array
    assert isinstance(answer(world, None, "GET", "/api/v1/sushi/status").json(), list)
    # the library's films leaving soon come paginated
    leaving = answer(world, "library_admin", "GET", "/api/v1/leaving-soon/").json()
    assert set(leaving) == {"count", "next", "previous", "results"}
    # a subscription's credits: a balance and the ledger's entries
    ledger = answer(
        world,
        "staff",
        "GET",
        "/api/v1/subscriptions/{id}/credits/",
        path_parameters={"id": world["subscription"]},
    ).json()
    assert set(ledger) == {"balance", "entries"}
    # a collection's history: a bare list
    history = answer(
        world,
        "staff",
        "GET",
        "/api/v1/collections/{id}/history/",
        path_parameters={"id": world["collection"]},
    ).json()
    assert isinstance(history, list) and history
    # a master has no encoding profile
    asset = answer(
        world, "staff", "GET", "/api/v1/media/assets/{id}/", path_parameters={"id": world["asset"]}
    ).json()
    assert asset["profile"] is None
    # an order event the system wrote has no author
    OrderEvent.objects.create(
        order_id=world["order"], from_status="submitted", to_status="cart", by=None, note="system"
    )
    order = answer(
        world, "staff", "GET", "/api/v1/orders/{id}/", path_parameters={"id": world["order"]}
    ).json()
    assert None in [event["by"] for event in order["events"]]


def test_write_answers_match_the_schema(world):
    # editing a film answers the film (its themes as objects), not the input
    for method, body in [
        ("PATCH", {"title": "Nouveau titre"}),
        ("PUT", {"title": "Titre", "year": 2016, "runtime_minutes": 90}),
    ]:
        film = answer(
            world,
            "staff",
            method,
            "/api/v1/films/{id}/",
            path_parameters={"id": world["film"]},
            body=body,
        ).json()
        assert film["themes"][0]["id"] == world["theme"]
    # a new person or theme has its film count
    for path, body in [
        ("/api/v1/people/", {"name": "Chris Marker"}),
        ("/api/v1/themes/", {"name": "Mer", "slug": "mer"}),
    ]:
        created = answer(world, "staff", "POST", path, body=body)
        assert created.status_code == 201 and created.json()["film_count"] == 0
    # a renewal is a quote: no payment method yet
    renewal = answer(
        world,
        "staff",
        "POST",
        "/api/v1/subscriptions/{id}/renew/",
        path_parameters={"id": world["subscription"]},
    )
    assert renewal.status_code == 201 and renewal.json()["payment_method"] == ""
    # a negotiation starts "to contact", whatever status is sent (was a TypeError)
    negotiation = answer(
        world,
        "staff",
        "POST",
        "/api/v1/negotiations/",
        body={
            "film": world["film"],
            "rights_holder": world["rights_holder"],
            "media": ["stream_home"],
            "status": "agreed",
        },
    )
    assert negotiation.status_code == 201 and negotiation.json()["status"] == "to_contact"


def test_order_actions_answer_json_only():
    """Nine order operations declared CSV answers they never give; only the list exports."""
    operations = [
        (path, method)
        for path, item in schema.raw_schema["paths"].items()
        if path.startswith("/api/v1/orders/")
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]
    with_csv = {
        (path, method)
        for path, method in operations
        for response in schema.raw_schema["paths"][path][method]["responses"].values()
        if "text/csv" in response.get("content", {})
    }
    assert with_csv == {("/api/v1/orders/", "get")}
