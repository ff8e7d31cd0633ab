"""Uniqueness is the database's: concurrent requests with the same reference (or name)
get one 201 and, for every other, the 400 naming the field with code `unique` — never a
server error, never two rows. Real concurrent connections on PostgreSQL; the sequential
duplicate gets the same 400 on any database."""

import threading

import pytest
from django.db import close_old_connections

from catalogue.models import Film
from rights.models import Contract, Negotiation, RenegotiationCampaign
from tests.conftest import client_for
from tests.factories import CinemaStaffFactory, FilmFactory, RightsHolderFactory

THREADS = 8


def _concurrently(requests_by_thread):
    """Run each thread's request at the same moment; (status, field codes) of each."""
    barrier = threading.Barrier(len(requests_by_thread))
    outcomes = []

    def attempt(send):
        try:
            barrier.wait()
            response = send()
            body = response.json()
            outcomes.append(
                (
                    response.status_code,
                    {
                        name: [e["code"] for e in errors]
                        for name, errors in body.get("fields", {}).items()
                    },
                )
            )
        except Exception as exc:  # a server error is what this test is about
            outcomes.append((500, repr(exc)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(send,)) for send in requests_by_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _one_created_rest_refused(outcomes, field):
    assert sorted(outcomes, key=lambda o: o[0]) == [(201, {})] + [(400, {field: ["unique"]})] * (
        THREADS - 1
    ), outcomes


def _editor_clients():
    return [client_for(CinemaStaffFactory(username=f"staff-{n}")) for n in range(THREADS)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_contracts_with_one_reference():
    holder = RightsHolderFactory()
    body = {"reference": "CTR-RACE", "rights_holder": holder.pk}
    outcomes = _concurrently(
        [lambda c=c: c.post("/api/v1/contracts/", body, format="json") for c in _editor_clients()]
    )
    _one_created_rest_refused(outcomes, "reference")
    assert Contract.objects.filter(reference="CTR-RACE").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_films_with_one_reference():
    body = {"reference": "CN-RACE", "title": "Course", "year": 2001, "runtime_minutes": 52}
    outcomes = _concurrently(
        [lambda c=c: c.post("/api/v1/films/", body, format="json") for c in _editor_clients()]
    )
    _one_created_rest_refused(outcomes, "reference")
    assert Film.objects.filter(reference="CN-RACE").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_films_without_a_reference_all_get_one():
    """A reference the service numbers itself: every concurrent creation gets its own."""
    body = {"title": "Course", "year": 2001, "runtime_minutes": 52}
    outcomes = _concurrently(
        [lambda c=c: c.post("/api/v1/films/", body, format="json") for c in _editor_clients()]
    )
    assert [status for status, _ in outcomes] == [201] * THREADS, outcomes
    assert len(set(Film.objects.values_list("reference", flat=True))) == THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_campaigns_with_one_name():
    body = {"name": "Renégociation 2031", "deadline": "2031-12-31"}
    outcomes = _concurrently(
        [lambda c=c: c.post("/api/v1/campaigns/", body, format="json") for c in _editor_clients()]
    )
    _one_created_rest_refused(outcomes, "name")
    assert RenegotiationCampaign.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_signatures_under_one_new_contract_reference():
    """Several negotiations signed at once, each creating the contract "CTR-SIGN": one
    is signed, the others refused on `contract_reference` and left open."""
    holder = RightsHolderFactory()
    clients = _editor_clients()
    negotiations = [
        Negotiation.objects.create(film=FilmFactory(), rights_holder=holder, media=["dvd"])
        for _ in range(THREADS)
    ]
    body = {"contract_reference": "CTR-SIGN", "starts_on": "2031-01-01"}
    outcomes = _concurrently(
        [
            lambda c=c, n=n: c.post(f"/api/v1/negotiations/{n.pk}/sign/", body, format="json")
            for c, n in zip(clients, negotiations, strict=True)
        ]
    )
    assert sorted(outcomes, key=lambda o: o[0]) == [(200, {})] + [
        (400, {"contract_reference": ["unique"]})
    ] * (THREADS - 1), outcomes
    assert Contract.objects.filter(reference="CTR-SIGN").count() == 1
    assert Negotiation.objects.filter(status="signed").count() == 1


@pytest.mark.embedded  # SQLite tells the violated column in its own words
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/contracts/", {"reference": "CTR-1"}, "reference"),
        (
            "/api/v1/films/",
            {"reference": "CN-1", "title": "T", "year": 2001, "runtime_minutes": 52},
            "reference",
        ),
        ("/api/v1/campaigns/", {"name": "C", "deadline": "2031-12-31"}, "name"),
    ],
)
def test_a_duplicate_is_a_400_on_its_field(editor_api, url, body, field):
    if url == "/api/v1/contracts/":
        body = {**body, "rights_holder": RightsHolderFactory().pk}
    assert editor_api.post(url, body, format="json").status_code == 201
    response = editor_api.post(url, body, format="json")
    assert response.status_code == 400, response.json()
    assert [e["code"] for e in response.json()["fields"][field]] == ["unique"]
