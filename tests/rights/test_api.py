"""Contracts, grants, availability and the catalogue's rights summary through the API."""

import datetime

import pytest
from django.utils import timezone

from catalogue.models import Film
from institutions.models import Institution
from rights.models import Contract, Medium, RightsGrant
from tests.factories import FilmFactory, RightsHolderFactory
from tests.rights.conftest import ContractFactory, GrantFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
ONE_DAY = datetime.timedelta(days=1)


def _grant_body(contract, film, **fields):
    return {
        "contract": contract.pk,
        "film": film.pk,
        "medium": "stream_home",
        "starts_on": "2017-01-01",
        "ends_on": "2017-12-31",
        **fields,
    }


@pytest.mark.embedded
def test_staff_create_a_contract_and_read_its_grants(editor_api):
    holder = RightsHolderFactory()
    response = editor_api.post(
        "/api/v1/contracts/",
        {"reference": "C-1", "rights_holder": holder.pk, "fee": "1200.00", "status": "signed"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    contract = Contract.objects.get(reference="C-1")
    assert contract.signed_on is not None
    GrantFactory(contract=contract)
    body = editor_api.get(f"/api/v1/contracts/{contract.pk}/").json()
    assert len(body["grants"]) == 1
    assert body["grants"][0]["territories"] == ["FR-DOM", "FR-MET"]


def test_contract_negative_fee_is_refused(editor_api):
    holder = RightsHolderFactory()
    response = editor_api.post(
        "/api/v1/contracts/",
        {"reference": "C-2", "rights_holder": holder.pk, "fee": "-1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "fee" in response.json()["fields"]
    assert not Contract.objects.exists()


def test_contracts_are_reserved_to_cinema_staff(library_api):
    assert library_api.get("/api/v1/contracts/").status_code == 403
    assert library_api.get("/api/v1/grants/").status_code == 403


def test_contract_with_grants_in_force_cannot_be_deleted(editor_api):
    grant = GrantFactory(starts_on=TODAY() - ONE_DAY, ends_on=None)
    response = editor_api.delete(f"/api/v1/contracts/{grant.contract_id}/")
    assert response.status_code == 409
    assert response.json()["code"] == "contract_has_grants_in_force"
    assert Contract.objects.filter(pk=grant.contract_id).exists()
    old = GrantFactory(ends_on=datetime.date(2017, 12, 31))
    assert editor_api.delete(f"/api/v1/contracts/{old.contract_id}/").status_code == 204


def test_contract_status_follows_its_machine(editor_api):
    contract = ContractFactory(
        status=Contract.Status.TERMINATED, terminated_on=datetime.date(2017, 1, 1)
    )
    response = editor_api.patch(
        f"/api/v1/contracts/{contract.pk}/", {"status": "draft"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "status_through_action"
    for action in ("sign", "negotiate", "return-to-draft"):
        response = editor_api.post(f"/api/v1/contracts/{contract.pk}/{action}/")
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_status_transition"
    contract.refresh_from_db()
    assert (contract.status, contract.terminated_on) == (
        Contract.Status.TERMINATED,
        datetime.date(2017, 1, 1),
    )


def test_staff_create_a_grant_with_defaults(editor_api, contract, film):
    response = editor_api.post("/api/v1/grants/", _grant_body(contract, film), format="json")
    assert response.status_code == 201, response.json()
    grant = RightsGrant.objects.get()
    assert sorted(grant.eligible_kinds) == sorted(Institution.Kind.values)
    assert response.json()["territories"] == ["FR-DOM", "FR-MET"]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"ends_on": "2016-12-31"}, "ends_on", None),
        ({"territories": ["FR-MET", "XX"]}, "territories", "unknown_territory"),
        ({"eligible_kinds": ["cinema"]}, "eligible_kinds", "unknown_institution_kind"),
        ({"medium": "vhs"}, "medium", "invalid_choice"),
        ({"max_screenings_per_year": 0}, "max_screenings_per_year", None),
    ],
)
def test_bad_grants_are_refused_naming_the_field(editor_api, contract, film, fields, field, code):
    response = editor_api.post(
        "/api/v1/grants/", _grant_body(contract, film, **fields), format="json"
    )
    assert response.status_code == 400, response.json()
    errors = response.json()["fields"]
    assert field in errors
    if code:
        assert errors[field][0]["code"] == code
    assert not RightsGrant.objects.exists()


def test_overlapping_grant_with_other_terms_is_refused(editor_api, contract, film):
    GrantFactory(contract=contract, film=film)
    same_terms = _grant_body(contract, film, starts_on="2017-06-01", ends_on="2018-06-30")
    assert editor_api.post("/api/v1/grants/", same_terms, format="json").status_code == 201
    other_terms = _grant_body(
        contract, film, starts_on="2017-06-01", ends_on=None, eligible_kinds=["municipal"]
    )
    response = editor_api.post("/api/v1/grants/", other_terms, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "overlapping_grant"
    assert "starts_on" in response.json()["fields"]
    assert RightsGrant.objects.count() == 2
    other_territory = _grant_body(contract, film, territories=["FR-DOM"], holdback_until=None)
    other_territory["territories"] = ["FR-DOM"]
    other_territory["eligible_kinds"] = ["association"]
    # FR-DOM is also covered by the first grants (both territories by default): refused
    assert editor_api.post("/api/v1/grants/", other_territory, format="json").status_code == 400


def test_grant_on_a_withdrawn_film_is_refused(editor_api, contract):
    film = FilmFactory(status=Film.Status.WITHDRAWN, withdrawn_on=datetime.date(2017, 5, 1))
    response = editor_api.post("/api/v1/grants/", _grant_body(contract, film), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "film_withdrawn"
    assert "film" in response.json()["fields"]
    assert not RightsGrant.objects.exists()


def test_grant_filters(editor_api, film):
    soon = GrantFactory(film=film, starts_on=TODAY() - ONE_DAY, ends_on=TODAY() + 30 * ONE_DAY)
    GrantFactory(film=film, medium=Medium.DVD, starts_on=TODAY(), ends_on=None)
    GrantFactory()
    ids = lambda r: [g["id"] for g in r.json()["results"]]  # noqa: E731
    assert ids(editor_api.get("/api/v1/grants/", {"expiring_within": 60})) == [soon.pk]
    assert len(ids(editor_api.get("/api/v1/grants/", {"film": film.pk}))) == 2
    assert len(ids(editor_api.get("/api/v1/grants/", {"medium": "dvd"}))) == 1


# --- availability ---------------------------------------------------------------------


@pytest.mark.embedded
def test_availability_for_the_callers_institution(library_api, film):
    GrantFactory(film=film, starts_on=datetime.date(2017, 1, 1), ends_on=None)
    response = library_api.get(
        f"/api/v1/films/{film.pk}/availability/", {"medium": "stream_home", "on": "2018-02-03"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["allowed"], body["reason"], body["valid_until"]) == (True, "ok", None)
    refused = library_api.get(f"/api/v1/films/{film.pk}/availability/", {"medium": "dvd"})
    assert refused.json()["reason"] == "no_rights"


def test_availability_bad_input(library_api, editor_api, film):
    url = f"/api/v1/films/{film.pk}/availability/"
    response = library_api.get(url, {"medium": "vhs"})
    assert response.status_code == 400
    assert "medium" in response.json()["fields"]
    assert "on" in library_api.get(url, {"medium": "dvd", "on": "2017-13-01"}).json()["fields"]
    staff = editor_api.get(url, {"medium": "dvd"})
    assert staff.status_code == 400
    assert "institution" in staff.json()["fields"]


def test_staff_name_the_institution(editor_api, film, other_library):
    GrantFactory(film=film, territories=["FR-DOM"])
    response = editor_api.get(
        f"/api/v1/films/{film.pk}/availability/",
        {"medium": "stream_home", "on": "2017-05-05", "institution": other_library.pk},
    )
    assert response.json()["reason"] == "territory"


def test_availability_for_another_institution_is_not_found(library_api, film, other_library):
    response = library_api.get(
        f"/api/v1/films/{film.pk}/availability/",
        {"medium": "dvd", "institution": other_library.pk},
    )
    assert response.status_code == 404


def test_availability_needs_a_login(api, film):
    assert api.get(f"/api/v1/films/{film.pk}/availability/", {"medium": "dvd"}).status_code in {
        401,
        403,
    }


# --- the catalogue: rights summary and ?available= -------------------------------------


def _films_with_rights(count):
    contract = ContractFactory()
    films = []
    for _ in range(count):
        film = FilmFactory()
        GrantFactory(contract=contract, film=film, starts_on=TODAY() - ONE_DAY, ends_on=None)
        GrantFactory(
            contract=contract,
            film=film,
            medium=Medium.DVD,
            starts_on=TODAY() - ONE_DAY,
            ends_on=TODAY() + 9 * ONE_DAY,
        )
        films.append(film)
    return films


def test_film_list_carries_the_rights_summary(library_api, api):
    film = _films_with_rights(1)[0]
    FilmFactory()
    body = library_api.get("/api/v1/films/").json()
    rights = {f["id"]: f["rights"] for f in body["results"]}
    assert rights[film.pk]["stream_home"] == {"allowed": True, "reason": "ok", "valid_until": None}
    assert rights[film.pk]["dvd"]["valid_until"] == str(TODAY() + 9 * ONE_DAY)
    assert rights[film.pk]["public_screening"]["reason"] == "no_rights"
    detail = library_api.get(f"/api/v1/films/{film.pk}/").json()
    assert detail["rights"] == rights[film.pk]
    assert all(f["rights"] is None for f in api.get("/api/v1/films/").json()["results"])


def test_film_list_with_rights_costs_constant_queries(library_api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _films_with_rights(50)
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            response = library_api.get("/api/v1/films/", {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_available_filter(library_api, api):
    films = _films_with_rights(2)
    FilmFactory()
    overseas_only = FilmFactory()
    GrantFactory(film=overseas_only, territories=["FR-DOM"], starts_on=TODAY(), ends_on=None)
    body = library_api.get("/api/v1/films/", {"available": "stream_home"}).json()
    assert {f["id"] for f in body["results"]} == {f.pk for f in films}
    assert library_api.get("/api/v1/films/", {"available": "vhs"}).status_code == 400
    assert api.get("/api/v1/films/", {"available": "dvd"}).json()["count"] == 0


# --- timeline ---------------------------------------------------------------------------


def test_rights_timeline_shows_who_changed_what(editor_api, editor, contract, film):
    created = editor_api.post("/api/v1/grants/", _grant_body(contract, film), format="json")
    grant_id = created.json()["id"]
    editor_api.patch(f"/api/v1/grants/{grant_id}/", {"ends_on": "2018-12-31"}, format="json")
    body = editor_api.get(f"/api/v1/films/{film.pk}/rights-timeline/").json()
    assert [g["id"] for g in body["grants"]] == [grant_id]
    grant_history = [h for h in body["history"] if h["object"] == "grant"]
    assert [(h["change"], h["who"], h["object_id"]) for h in grant_history] == [
        ("created", "editor", grant_id),
        ("changed", "editor", grant_id),
    ]
    assert grant_history[1]["changed_fields"] == ["ends_on"]
    assert grant_history[1]["changes"][0]["after"] == "2018-12-31"


def test_rights_timeline_is_staff_only(library_api, film):
    assert library_api.get(f"/api/v1/films/{film.pk}/rights-timeline/").status_code == 403
