"""The life of a contract (draft → in negotiation → signed → terminated on a date, with
the date and reason kept) and the rights that follow it: grants only under a signed
contract, the decision's `contract_not_signed` / `contract_terminated`, and the same
follow-up as a grant ending when a contract is terminated."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from catalogue.models import Film
from rights import services
from rights.decisions import decide
from rights.models import Contract, Medium, RightsGrant
from tests.factories import FilmFactory, InstitutionFactory, RightsHolderFactory, UserFactory
from tests.rights.conftest import ContractFactory, GrantFactory

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def _availability(client, film, library, medium="dvd", on=None):
    url = f"/api/v1/films/{film.pk}/availability/?medium={medium}&institution={library.pk}"
    if on is not None:
        url += f"&on={on.isoformat()}"
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return response.json()


def _snapshot(contract):
    contract.refresh_from_db()
    return (
        contract.status,
        contract.signed_on,
        contract.terminated_on,
        contract.termination_reason,
    )


# --- 1. rights come from signed contracts only ------------------------------------------


def test_a_grant_under_a_draft_contract_is_refused_and_writes_nothing(editor_api):
    holder = RightsHolderFactory()
    created = editor_api.post(
        "/api/v1/contracts/",
        {"reference": "C-DRAFT", "rights_holder": holder.pk, "status": "draft"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    film = FilmFactory()
    response = editor_api.post(
        "/api/v1/grants/",
        {
            "contract": created.json()["id"],
            "film": film.pk,
            "medium": "dvd",
            "starts_on": (today() - 30 * ONE_DAY).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "contract_not_signed"
    assert "contract" in response.json()["fields"]
    assert not RightsGrant.objects.exists()


@pytest.mark.parametrize("status", [Contract.Status.DRAFT, Contract.Status.IN_NEGOTIATION])
def test_a_grant_under_an_unsigned_contract_gives_no_right(editor_api, status):
    """Grants recorded under an unsigned contract (before the rule, or written by hand)
    give nothing: the engine reads the contract."""
    library = InstitutionFactory()
    grant = GrantFactory(
        contract=ContractFactory(status=status, signed_on=None),
        medium=Medium.DVD,
        starts_on=today() - 30 * ONE_DAY,
        ends_on=None,
    )
    body = _availability(editor_api, grant.film, library)
    assert (body["allowed"], body["reason"], body["valid_until"]) == (
        False,
        "contract_not_signed",
        None,
    )


def test_signing_the_contract_gives_the_rights(editor_api):
    contract = ContractFactory(status=Contract.Status.IN_NEGOTIATION, signed_on=None)
    grant = GrantFactory(
        contract=contract, medium=Medium.DVD, starts_on=today() - 30 * ONE_DAY, ends_on=None
    )
    library = InstitutionFactory()
    signed_on = today() - 2 * ONE_DAY
    response = editor_api.post(
        f"/api/v1/contracts/{contract.pk}/sign/",
        {"signed_on": signed_on.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["signed_on"]) == (
        "signed",
        signed_on.isoformat(),
    )
    assert _availability(editor_api, grant.film, library)["reason"] == "ok"


def test_a_contract_moves_through_its_life_by_actions(editor_api):
    holder = RightsHolderFactory()
    contract_id = editor_api.post(
        "/api/v1/contracts/", {"reference": "C-LIFE", "rights_holder": holder.pk}, format="json"
    ).json()["id"]
    assert editor_api.post(f"/api/v1/contracts/{contract_id}/negotiate/").json()["status"] == (
        "in_negotiation"
    )
    assert editor_api.post(f"/api/v1/contracts/{contract_id}/sign/").json()["status"] == "signed"
    contract = Contract.objects.get(pk=contract_id)
    assert contract.signed_on == today()
    # a signed contract is not signed again, nor put back in negotiation
    for action in ("sign", "negotiate"):
        response = editor_api.post(f"/api/v1/contracts/{contract_id}/{action}/")
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "invalid_status_transition"
    assert _snapshot(contract) == (Contract.Status.SIGNED, today(), None, "")


@pytest.mark.parametrize("status", ["signed", "terminated", "in_negotiation"])
def test_an_edit_does_not_change_the_status(editor_api, status):
    contract = ContractFactory(status=Contract.Status.DRAFT, signed_on=None)
    response = editor_api.patch(
        f"/api/v1/contracts/{contract.pk}/", {"status": status, "notes": "x"}, format="json"
    )
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "status_through_action"
    assert _snapshot(contract) == (Contract.Status.DRAFT, None, None, "")
    assert Contract.objects.get(pk=contract.pk).notes == ""


def test_a_contract_is_not_created_terminated(editor_api):
    holder = RightsHolderFactory()
    response = editor_api.post(
        "/api/v1/contracts/",
        {"reference": "C-T", "rights_holder": holder.pk, "status": "terminated"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "status" in response.json()["fields"]
    assert not Contract.objects.exists()


# --- 2. terminating a contract ends its rights -------------------------------------------


def test_terminating_a_contract_ends_its_rights_and_keeps_date_and_reason(editor_api):
    grant = GrantFactory(medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None)
    library = InstitutionFactory()
    response = editor_api.post(
        f"/api/v1/contracts/{grant.contract_id}/terminate/",
        {"terminated_on": today().isoformat(), "reason": "Le distributeur a fait faillite."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["terminated_on"], body["termination_reason"]) == (
        "terminated",
        today().isoformat(),
        "Le distributeur a fait faillite.",
    )
    for day in (today(), today() + ONE_DAY):
        answer = _availability(editor_api, grant.film, library, on=day)
        assert (answer["allowed"], answer["reason"]) == (False, "contract_terminated")
    # yesterday the rights held
    assert _availability(editor_api, grant.film, library, on=today() - ONE_DAY)["allowed"]
    grant.refresh_from_db()
    assert grant.ends_on is None  # the grant keeps what was negotiated; the contract ended


def test_a_contract_terminated_from_a_future_date_holds_until_the_day_before(editor_api):
    grant = GrantFactory(medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None)
    library = InstitutionFactory()
    ends = today() + 20 * ONE_DAY
    response = editor_api.post(
        f"/api/v1/contracts/{grant.contract_id}/terminate/",
        {"terminated_on": ends.isoformat(), "reason": "Fin anticipée d'un commun accord."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    answer = _availability(editor_api, grant.film, library)
    assert (answer["allowed"], answer["reason"], answer["valid_until"]) == (
        True,
        "ok",
        (ends - ONE_DAY).isoformat(),
    )
    answer = _availability(editor_api, grant.film, library, on=ends)
    assert (answer["allowed"], answer["reason"]) == (False, "contract_terminated")


def test_the_old_patch_no_longer_terminates_silently(editor_api):
    grant = GrantFactory(medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None)
    library = InstitutionFactory()
    response = editor_api.patch(
        f"/api/v1/contracts/{grant.contract_id}/", {"status": "terminated"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "status_through_action"
    assert _snapshot(grant.contract)[0] == Contract.Status.SIGNED
    assert _availability(editor_api, grant.film, library)["allowed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"terminated_on": "2030-01-01"}, "reason"),
        ({"terminated_on": "2030-01-01", "reason": "   "}, "reason"),
        ({"terminated_on": "2015-12-31", "reason": "Avant la signature"}, "terminated_on"),
    ],
)
def test_a_termination_needs_a_reason_and_a_date_after_signature(editor_api, body, field):
    contract = ContractFactory(signed_on=datetime.date(2016, 1, 1))
    response = editor_api.post(f"/api/v1/contracts/{contract.pk}/terminate/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert _snapshot(contract) == (Contract.Status.SIGNED, datetime.date(2016, 1, 1), None, "")


@pytest.mark.parametrize("status", [Contract.Status.DRAFT, Contract.Status.IN_NEGOTIATION])
def test_only_a_signed_contract_is_terminated(editor_api, status):
    contract = ContractFactory(status=status, signed_on=None)
    response = editor_api.post(
        f"/api/v1/contracts/{contract.pk}/terminate/",
        {"terminated_on": "2030-01-01", "reason": "x"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_transition"
    assert _snapshot(contract) == (status, None, None, "")


def test_no_new_grant_under_a_terminated_contract(editor_api):
    contract = ContractFactory()
    services.contract_terminate(contract=contract, terminated_on=today() + ONE_DAY, reason="x")
    response = editor_api.post(
        "/api/v1/grants/",
        {
            "contract": contract.pk,
            "film": FilmFactory().pk,
            "medium": "dvd",
            "starts_on": today().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "contract_terminated"
    assert not RightsGrant.objects.exists()


def test_termination_withdraws_a_film_left_without_rights_from_the_termination_day(db):
    UserFactory(
        username="nego", role="rights_negotiator", institution=None, email="nego@example.org"
    )
    grant = GrantFactory(medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None)
    kept = GrantFactory(
        contract=grant.contract, medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None
    )
    GrantFactory(film=kept.film, medium=Medium.STREAM_HOME, ends_on=None)  # another contract
    services.contract_terminate(
        contract=grant.contract, terminated_on=today() - 3 * ONE_DAY, reason="Faillite"
    )
    result = services.rights_daily(today=today())
    assert result["withdrawn"] == [grant.film.pk]
    film = Film.objects.get(pk=grant.film.pk)
    assert (film.status, film.withdrawn_on) == (Film.Status.WITHDRAWN, today() - 3 * ONE_DAY)
    assert Film.objects.get(pk=kept.film.pk).status == Film.Status.IN_CATALOGUE


def test_a_future_termination_is_not_a_withdrawal_yet(db):
    grant = GrantFactory(medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None)
    services.contract_terminate(
        contract=grant.contract, terminated_on=today() + 3 * ONE_DAY, reason="Fin"
    )
    assert services.rights_daily(today=today())["withdrawn"] == []
    assert services.rights_daily(today=today() + 3 * ONE_DAY)["withdrawn"] == [grant.film.pk]


def test_termination_sends_withdrawal_notices_to_the_libraries_using_the_film(
    library, library_admin, django_capture_on_commit_callbacks
):
    from editorial.services import library_selection_create, library_selection_item_add
    from notices.models import WithdrawalNotice
    from notices.services import withdrawal_notices_send

    library_admin.email = "admin@mediatheque.example"
    library_admin.save()
    grant = GrantFactory(medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None)
    selection = library_selection_create(institution=library, title="Coups de cœur")
    library_selection_item_add(selection=selection, film=grant.film.pk)
    ends = today() + 10 * ONE_DAY
    services.contract_terminate(contract=grant.contract, terminated_on=ends, reason="Fin")

    with django_capture_on_commit_callbacks(execute=True):
        result = withdrawal_notices_send(today=today())
    assert result["notices"] == 1
    notice = WithdrawalNotice.objects.get()
    assert (notice.institution, notice.film, notice.medium, notice.last_day) == (
        library,
        grant.film,
        Medium.DVD,
        ends - ONE_DAY,
    )
    assert [m.to for m in mail.outbox] == [["admin@mediatheque.example"]]
    assert decide(library, grant.film, Medium.DVD, on=ends).reason == "contract_terminated"


def test_the_staff_reports_follow_the_contracts(editor_api):
    terminating = GrantFactory(medium=Medium.DVD, starts_on=today() - 100 * ONE_DAY, ends_on=None)
    services.contract_terminate(
        contract=terminating.contract, terminated_on=today() + 40 * ONE_DAY, reason="Fin"
    )
    draft_ending = GrantFactory(
        contract=ContractFactory(status=Contract.Status.DRAFT, signed_on=None),
        starts_on=today() - 100 * ONE_DAY,
        ends_on=today() + 10 * ONE_DAY,
    )
    signed_ending = GrantFactory(starts_on=today() - 100 * ONE_DAY, ends_on=today() + 10 * ONE_DAY)
    rows = editor_api.get("/api/v1/rights-reports/films-losing-last-medium/").json()["results"]
    assert [(r["id"], r["last_day"]) for r in rows] == [
        (signed_ending.film.pk, (today() + 10 * ONE_DAY).isoformat()),
        (terminating.film.pk, (today() + 39 * ONE_DAY).isoformat()),
    ]
    assert draft_ending.film.pk not in {r["id"] for r in rows}
    expiring = editor_api.get("/api/v1/rights-reports/expiring-grants/").json()["results"]
    assert [r["id"] for r in expiring] == [signed_ending.pk]


def test_the_admin_shows_the_status_and_signs_through_the_service(db):
    from django.test import Client

    from accounts.models import User

    staff = User.objects.create_superuser("admin-c", "admin-c@example.org", "x-Admin-2026")
    client = Client()
    client.force_login(staff)
    draft = ContractFactory(status=Contract.Status.DRAFT, signed_on=None)
    terminated = ContractFactory(
        status=Contract.Status.TERMINATED, terminated_on=datetime.date(2017, 1, 1)
    )
    # the change form does not offer the status: an edit cannot move it
    page = client.get(f"/admin/rights/contract/{draft.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    response = client.post(
        "/admin/rights/contract/",
        {"action": "sign_today", "_selected_action": [draft.pk, terminated.pk]},
    )
    assert response.status_code == 302
    assert _snapshot(draft)[:2] == (Contract.Status.SIGNED, today())
    assert _snapshot(terminated)[0] == Contract.Status.TERMINATED  # refused, unchanged
