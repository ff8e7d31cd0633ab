"""Negotiations and renegotiation campaigns: the status flow, the dated log, signing into
contracts and grants (all or nothing), campaign progress, history."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Film
from rights.models import Contract, Medium, Negotiation, RightsGrant
from tests.factories import FilmFactory, RightsHolderFactory
from tests.rights.conftest import ContractFactory, GrantFactory

pytestmark = pytest.mark.django_db

STREAMING = [Medium.STREAM_ONSITE, Medium.STREAM_HOME]


def _negotiation(editor_api, film, holder, media=STREAMING, **extra):
    body = {"film": film.pk, "rights_holder": holder.pk, "media": media, **extra}
    response = editor_api.post("/api/v1/negotiations/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_negotiation_moves_through_its_statuses_and_keeps_a_log(editor_api, editor, film):
    holder = RightsHolderFactory()
    negotiation = _negotiation(editor_api, film, holder, due_on="2030-06-30")
    assert negotiation["status"] == "to_contact"
    url = f"/api/v1/negotiations/{negotiation['id']}/"

    # a note is not a contact; a call is, and starts the negotiation
    editor_api.post(url + "exchanges/", {"occurred_on": "2030-01-10", "summary": "À appeler"})
    assert editor_api.get(url).json()["status"] == "to_contact"
    body = editor_api.post(
        url + "exchanges/",
        {"occurred_on": "2030-01-12", "kind": "call", "summary": "Intéressés par la plateforme"},
    ).json()
    assert body["status"] == "in_negotiation"
    assert [(e["occurred_on"], e["kind"], e["author"]) for e in body["exchanges"]] == [
        ("2030-01-10", "note", "editor"),
        ("2030-01-12", "call", "editor"),
    ]

    assert editor_api.patch(url, {"status": "agreed"}).json()["status"] == "agreed"
    refused = editor_api.patch(url, {"status": "refused"}).json()
    assert (refused["status"], refused["closed_on"] is not None) == ("refused", True)
    # closed: only reopening is possible
    response = editor_api.patch(url, {"status": "agreed"})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_status_transition")
    assert editor_api.patch(url, {"status": "to_contact"}).json()["closed_on"] is None


def test_status_signed_only_through_the_sign_action(editor_api, film):
    negotiation = _negotiation(editor_api, film, RightsHolderFactory())
    response = editor_api.patch(f"/api/v1/negotiations/{negotiation['id']}/", {"status": "signed"})
    assert (response.status_code, response.json()["code"]) == (409, "sign_through_action")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"media": ["vhs"]}, "media"),
        ({"media": []}, "media"),
        ({"film": 999999}, "film"),
    ],
)
def test_negotiation_bad_input_names_the_field(editor_api, film, body, field):
    holder = RightsHolderFactory()
    payload = {"film": film.pk, "rights_holder": holder.pk, "media": STREAMING, **body}
    response = editor_api.post(
        "/api/v1/negotiations/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_signing_creates_a_signed_contract_and_one_grant_per_medium(editor_api, editor, film):
    holder = RightsHolderFactory()
    negotiation = _negotiation(editor_api, film, holder)
    response = editor_api.post(
        f"/api/v1/negotiations/{negotiation['id']}/sign/",
        {
            "contract_reference": "CTR-NEG-1",
            "starts_on": "2031-01-01",
            "ends_on": "2035-12-31",
            "fee": "1200.00",
            "max_concurrent_streams": 3,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "signed"
    contract = Contract.objects.get(reference="CTR-NEG-1")
    assert (contract.status, contract.rights_holder, contract.fee, contract.in_charge) == (
        Contract.Status.SIGNED,
        holder,
        Decimal("1200.00"),
        editor,
    )
    grants = RightsGrant.objects.filter(contract=contract, film=film).order_by("medium")
    assert [(g.medium, g.starts_on, g.ends_on, g.max_concurrent_streams) for g in grants] == [
        (Medium.STREAM_HOME, datetime.date(2031, 1, 1), datetime.date(2035, 12, 31), 3),
        (Medium.STREAM_ONSITE, datetime.date(2031, 1, 1), datetime.date(2035, 12, 31), 3),
    ]
    assert response.json()["contract"] == contract.pk


def test_signing_under_an_existing_contract_extends_its_grant(editor_api, film):
    grant = GrantFactory(
        film=film,
        medium=Medium.STREAM_HOME,
        starts_on=datetime.date(2017, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
    )
    contract = grant.contract
    negotiation = _negotiation(editor_api, film, contract.rights_holder, media=[Medium.STREAM_HOME])
    response = editor_api.post(
        f"/api/v1/negotiations/{negotiation['id']}/sign/",
        {"contract": contract.pk, "starts_on": "2031-01-01", "ends_on": "2033-12-31"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    grant.refresh_from_db()
    assert (grant.starts_on, grant.ends_on) == (
        datetime.date(2017, 1, 1),
        datetime.date(2033, 12, 31),
    )
    assert RightsGrant.objects.filter(film=film).count() == 1


def test_signing_is_all_or_nothing(editor_api, film):
    # another contract already grants home streaming on other terms over the same days
    GrantFactory(
        film=film,
        medium=Medium.STREAM_HOME,
        starts_on=datetime.date(2031, 6, 1),
        ends_on=None,
        max_concurrent_streams=1,
    )
    negotiation = _negotiation(editor_api, film, RightsHolderFactory())
    response = editor_api.post(
        f"/api/v1/negotiations/{negotiation['id']}/sign/",
        {"contract_reference": "CTR-NEG-2", "starts_on": "2031-01-01", "ends_on": "2032-12-31"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "overlapping_grant")
    assert not Contract.objects.filter(reference="CTR-NEG-2").exists()
    assert RightsGrant.objects.filter(film=film).count() == 1
    assert Negotiation.objects.get(pk=negotiation["id"]).status == "to_contact"


def test_signing_refuses_another_holders_contract_and_a_missing_contract(editor_api, film):
    negotiation = _negotiation(editor_api, film, RightsHolderFactory())
    url = f"/api/v1/negotiations/{negotiation['id']}/sign/"
    foreign = ContractFactory()
    response = editor_api.post(url, {"contract": foreign.pk, "starts_on": "2031-01-01"})
    assert (response.json()["code"], list(response.json()["fields"])) == (
        "contract_other_rights_holder",
        ["contract"],
    )
    response = editor_api.post(url, {"starts_on": "2031-01-01"})
    assert response.json()["code"] == "contract_required"
    response = editor_api.post(
        url, {"contract_reference": "X-1", "starts_on": "2031-01-01", "ends_on": "2030-01-01"}
    )
    assert (response.status_code, list(response.json()["fields"])) == (400, ["ends_on"])
    assert not Contract.objects.filter(reference="X-1").exists()


def test_negotiations_are_staff_only(library_api, film):
    assert library_api.get("/api/v1/negotiations/").status_code == 403
    assert library_api.get("/api/v1/campaigns/").status_code == 403


# --- campaigns ------------------------------------------------------------------------------


def _dvd_titles(count):
    return [GrantFactory(medium=Medium.DVD, ends_on=None).film for _ in range(count)]


def test_campaign_progress_counts_statuses_late_and_done(editor_api):
    films = _dvd_titles(4)
    campaign = editor_api.post(
        "/api/v1/campaigns/",
        {"name": "500 titres DVD vers la plateforme", "deadline": "2019-12-31"},
    ).json()
    assert campaign["progress"]["titles"] == 0
    result = editor_api.post(
        f"/api/v1/campaigns/{campaign['id']}/titles/",
        {"films": [f.pk for f in films], "media": STREAMING, "due_on": "2040-01-01"},
        format="json",
    ).json()
    assert (result["added"], result["already_in_campaign"]) == (4, 0)
    # adding the same titles again leaves them as they are
    again = editor_api.post(
        f"/api/v1/campaigns/{campaign['id']}/titles/",
        {"films": [films[0].pk], "media": STREAMING},
        format="json",
    ).json()
    assert (again["added"], again["already_in_campaign"]) == (0, 1)

    negotiations = {n.film_id: n for n in Negotiation.objects.filter(campaign_id=campaign["id"])}
    # each title goes back to the rights holder of its current contract
    assert {n.rights_holder_id for n in negotiations.values()} == {
        RightsGrant.objects.get(film=f).contract.rights_holder_id for f in films
    }
    first, second, third, _ = (negotiations[f.pk] for f in films)
    editor_api.patch(f"/api/v1/negotiations/{first.pk}/", {"status": "in_negotiation"})
    editor_api.patch(f"/api/v1/negotiations/{second.pk}/", {"due_on": "2001-01-01"})
    editor_api.post(
        f"/api/v1/negotiations/{third.pk}/sign/",
        {"contract_reference": "CTR-CAMP-1", "starts_on": "2041-01-01"},
        format="json",
    )
    progress = editor_api.get(f"/api/v1/campaigns/{campaign['id']}/").json()["progress"]
    assert progress["titles"] == 4
    assert progress["by_status"] == {
        "to_contact": 2,
        "in_negotiation": 1,
        "agreed": 0,
        "signed": 1,
        "refused": 0,
        "abandoned": 0,
    }
    assert (progress["done"], progress["late"], progress["percent_done"]) == (1, 1, 25.0)
    late = editor_api.get("/api/v1/negotiations/", {"campaign": campaign["id"], "late": "true"})
    assert [n["id"] for n in late.json()["results"]] == [second.pk]


def test_campaign_refuses_titles_without_a_known_rights_holder(editor_api):
    known, unknown = _dvd_titles(1)[0], FilmFactory()
    campaign = editor_api.post(
        "/api/v1/campaigns/", {"name": "Renouvellements", "deadline": "2030-12-31"}
    ).json()
    response = editor_api.post(
        f"/api/v1/campaigns/{campaign['id']}/titles/",
        {"films": [known.pk, unknown.pk], "media": STREAMING},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "no_known_rights_holder")
    assert response.json()["films"] == [unknown.pk]
    assert not Negotiation.objects.exists()


def test_campaign_list_costs_a_constant_number_of_queries(editor_api):
    counts = []
    for size in (1, 4):
        for index in range(size):
            campaign = editor_api.post(
                "/api/v1/campaigns/", {"name": f"C{size}-{index}", "deadline": "2030-01-01"}
            ).json()
            editor_api.post(
                f"/api/v1/campaigns/{campaign['id']}/titles/",
                {"films": [f.pk for f in _dvd_titles(2)], "media": STREAMING},
                format="json",
            )
        with CaptureQueriesContext(connection) as ctx:
            assert editor_api.get("/api/v1/campaigns/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_negotiation_list_costs_a_constant_number_of_queries(editor_api):
    counts = []
    for _ in range(2):
        for film in _dvd_titles(3):
            _negotiation(editor_api, film, RightsHolderFactory())
            negotiation = Negotiation.objects.latest("pk")
            editor_api.post(
                f"/api/v1/negotiations/{negotiation.pk}/exchanges/",
                {"occurred_on": "2030-01-01", "kind": "email", "summary": "Envoyé"},
            )
        with CaptureQueriesContext(connection) as ctx:
            assert len(editor_api.get("/api/v1/negotiations/").json()["results"]) >= 3
        counts.append(len(ctx))
    assert counts[0] == counts[1]


# --- history ---------------------------------------------------------------------------------


def test_timeline_holds_contract_grant_and_negotiation_changes_before_and_after(editor_api, film):
    holder = RightsHolderFactory()
    negotiation = _negotiation(editor_api, film, holder, media=[Medium.DVD])
    editor_api.patch(f"/api/v1/negotiations/{negotiation['id']}/", {"due_on": "2031-03-01"})
    editor_api.post(
        f"/api/v1/negotiations/{negotiation['id']}/sign/",
        {"contract_reference": "CTR-TL", "starts_on": "2031-01-01", "ends_on": "2031-12-31"},
        format="json",
    )
    contract = Contract.objects.get(reference="CTR-TL")
    editor_api.patch(f"/api/v1/contracts/{contract.pk}/", {"fee": "250.00"}, format="json")

    body = editor_api.get(f"/api/v1/films/{film.pk}/rights-timeline/").json()
    assert [n["status"] for n in body["negotiations"]] == ["signed"]
    by_object = {}
    for entry in body["history"]:
        by_object.setdefault(entry["object"], []).append(entry)
    assert [e["change"] for e in by_object["contract"]] == ["created", "changed"]
    fee_change = by_object["contract"][1]["changes"]
    assert fee_change == [{"field": "fee", "before": "0.00", "after": "250.00"}]
    assert all(e["who"] == "editor" for e in body["history"])
    due = [c for e in by_object["negotiation"] for c in e["changes"] if c["field"] == "due_on"]
    assert due == [{"field": "due_on", "before": None, "after": "2031-03-01"}]
    assert [e["change"] for e in by_object["grant"]] == ["created"]

    contract_history = editor_api.get(f"/api/v1/contracts/{contract.pk}/history/").json()
    assert [(e["object"], e["change"]) for e in contract_history] == [
        ("contract", "created"),
        ("grant", "created"),
        ("contract", "changed"),
    ]


def test_withdrawn_film_cannot_be_signed(editor_api):
    film = FilmFactory(status=Film.Status.WITHDRAWN, withdrawn_on=datetime.date(2020, 1, 1))
    negotiation = _negotiation(editor_api, film, RightsHolderFactory())
    response = editor_api.post(
        f"/api/v1/negotiations/{negotiation['id']}/sign/",
        {"contract_reference": "CTR-W", "starts_on": "2031-01-01"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "film_withdrawn")
    assert not Contract.objects.filter(reference="CTR-W").exists()
