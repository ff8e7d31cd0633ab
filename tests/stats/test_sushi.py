"""The SUSHI API answers COUNTER's exceptions with their HTTP status, never a 500; the
credentials are managed by the institution's staff, the key shown once and stored only
as a keyed digest."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from stats.models import SushiCredential
from stats.services import sushi_credential_create
from tests.factories import FilmFactory
from tests.stats.conftest import make_view

pytestmark = pytest.mark.django_db


@pytest.fixture
def credential(library):
    return sushi_credential_create(institution=library)


def sushi(path, **query):
    return APIClient().get(f"/api/v1/sushi/{path}", query)


def good(credential, **overrides):
    query = {
        "requestor_id": credential.credential.requestor_id,
        "api_key": credential.api_key,
        "customer_id": credential.credential.institution.code,
        "begin_date": "2024-01",
        "end_date": "2024-02",
    }
    query.update(overrides)
    return {k: v for k, v in query.items() if v is not None}


def test_status_needs_no_credential():
    response = sushi("status")
    assert response.status_code == 200
    assert response.json()[0]["Service_Active"] is True


def test_service_switched_off_is_1000(credential, settings):
    settings.SUSHI_ENABLED = False
    response = sushi("reports/ir_m1", **good(credential))
    assert response.status_code == 503
    assert response.json() == {
        "Code": 1000,
        "Message": "Service Not Available",
        "Data": "The SUSHI service is switched off.",
    }


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"api_key": "wrong"}, 401, 2020),
        ({"api_key": None}, 401, 2020),
        ({"requestor_id": "nobody"}, 401, 2000),
        ({"requestor_id": None}, 401, 2000),
        ({"customer_id": "NO-SUCH-LIBRARY"}, 403, 2010),
        ({"customer_id": None}, 400, 1030),
        ({"begin_date": None}, 400, 1030),
        ({"begin_date": "2024-13"}, 400, 3020),
        ({"begin_date": "2024-02-30"}, 400, 3020),
        ({"begin_date": "janvier"}, 400, 3020),
        ({"begin_date": "1990-01"}, 400, 3020),
        ({"begin_date": "2024-03", "end_date": "2024-01"}, 400, 3020),  # reversed
        ({"begin_date": "2000-01", "end_date": "2100-12"}, 400, 3020),  # over ten years
        ({"customer_id": "x\x00y"}, 403, 2010),
        ({"begin_date": "2024\x00"}, 400, 3020),
        ({"api_key": "k" * 500}, 401, 2020),
    ],
)
@pytest.mark.parametrize("report", ["ir_m1", "pr_p1"])
def test_bad_requests_answer_counter_exceptions(credential, report, overrides, status, code):
    response = sushi(f"reports/{report}", **good(credential, **overrides))
    assert response.status_code == status
    body = response.json()
    assert body["Code"] == code
    assert body["Message"]


def test_another_institutions_customer_id_is_2010(credential, other_library):
    response = sushi("reports/ir_m1", **good(credential, customer_id=other_library.code))
    assert response.status_code == 403
    assert response.json()["Code"] == 2010


def test_period_in_the_future_is_3031_without_items(credential):
    next_year = timezone.localdate().year + 1
    query = good(credential, begin_date=f"{next_year}-01", end_date=f"{next_year}-03")
    response = sushi("reports/ir_m1", **query)
    assert response.status_code == 200
    body = response.json()
    assert body["Report_Items"] == []
    assert [e["Code"] for e in body["Report_Header"]["Exceptions"]] == [3031]
    assert body["Report_Header"]["Report_Filters"]["Begin_Date"] == f"{next_year}-01-01"


def test_period_ending_in_the_future_is_cut_at_the_current_month(credential, library):
    today = timezone.localdate()
    make_view(library=library, film=FilmFactory(), day=today)
    query = good(credential, begin_date=f"{today:%Y-%m}", end_date=f"{today.year + 1}-12")
    body = sushi("reports/pr_p1", **query).json()
    header = body["Report_Header"]
    assert [e["Code"] for e in header["Exceptions"]] == [3031]
    assert header["Report_Filters"]["End_Date"][:7] == f"{today:%Y-%m}"
    performance = body["Report_Items"][0]["Attribute_Performance"][0]["Performance"]
    assert performance["Total_Item_Requests"] == {f"{today:%Y-%m}": 1}


def test_unknown_parameters_are_named_in_3050(credential):
    query = good(credential, metric_type="Searches_Platform", attributes_to_show="YOP")
    body = sushi("reports/ir_m1", **query).json()
    assert body["Report_Header"]["Exceptions"][0] == {
        "Code": 3050,
        "Message": "Parameter Not Recognized in this Context",
        "Data": "Ignored: attributes_to_show, metric_type.",
    }


def test_no_usage_is_3030(credential):
    body = sushi("reports/ir_m1", **good(credential)).json()
    assert body["Report_Items"] == []
    assert body["Report_Header"]["Exceptions"] == [
        {"Code": 3030, "Message": "No Usage Available for Requested Dates"}
    ]


def test_a_revoked_credential_no_longer_harvests(library_api, library, credential):
    url = f"/api/v1/institutions/{library.pk}/sushi-credentials/"
    library_api.post(f"{url}{credential.credential.pk}/revoke/")
    assert sushi("reports/ir_m1", **good(credential)).json()["Code"] == 2000


def test_members_and_reports_lists(credential, library):
    members = sushi("members", **good(credential, customer_id=None)).json()
    assert [m["Customer_ID"] for m in members] == [library.code]
    reports = sushi("reports", **good(credential)).json()
    assert {r["Report_ID"] for r in reports} == {"IR_M1", "PR_P1"}
    assert {r["Release"] for r in reports} == {"5.1"}
    assert sushi("members", api_key="x").status_code == 401


def test_a_network_lists_its_members(network, library):
    new = sushi_credential_create(institution=network)
    query = {"requestor_id": new.credential.requestor_id, "api_key": new.api_key}
    members = sushi("members", **query).json()
    assert [m["Customer_ID"] for m in members] == [network.code, library.code]


def test_a_library_harvests_its_own_usage_only(credential, library, other_library):
    film = FilmFactory()
    make_view(library=library, film=film, day=datetime.date(2024, 1, 5))
    make_view(library=other_library, film=film, day=datetime.date(2024, 1, 5))
    body = sushi("reports/ir_m1", **good(credential)).json()
    performance = body["Report_Items"][0]["Attribute_Performance"][0]["Performance"]
    assert performance["Total_Item_Requests"] == {"2024-01": 1}


# --- credentials management ----------------------------------------------------------------
def test_admin_creates_a_credential_the_key_shown_once_and_not_stored(library_api, library):
    url = f"/api/v1/institutions/{library.pk}/sushi-credentials/"
    response = library_api.post(url, {"label": "ERM"}, format="json")
    assert response.status_code == 201
    body = response.json()
    key = body["api_key"]
    assert body["customer_id"] == library.code
    stored = SushiCredential.objects.get(requestor_id=body["requestor_id"])
    assert key not in stored.key_digest and key not in str(stored.__dict__)
    listed = library_api.get(url).json()["results"]
    assert [c["requestor_id"] for c in listed] == [body["requestor_id"]]
    assert key not in str(listed)
    query = {
        "requestor_id": body["requestor_id"],
        "api_key": key,
        "customer_id": library.code,
        "begin_date": "2024-01",
        "end_date": "2024-01",
    }
    assert sushi("reports/pr_p1", **query).status_code == 200


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Seul un administrateur de l'établissement peut le faire."),
        ("en", "Only an institution administrator can do this."),
    ],
)
def test_only_an_administrator_creates_credentials(library, language, message):
    from accounts.models import User
    from tests.conftest import client_for
    from tests.factories import UserFactory

    member = client_for(UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library))
    url = f"/api/v1/institutions/{library.pk}/sushi-credentials/"
    assert member.get(url).status_code == 200
    response = member.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert response.json() == {"code": "admin_required", "detail": message}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Cet accès SUSHI est déjà révoqué."),
        ("en", "This SUSHI credential is already revoked."),
    ],
)
def test_revoking_twice_is_409(library_api, library, credential, language, message):
    url = f"/api/v1/institutions/{library.pk}/sushi-credentials/{credential.credential.pk}/revoke/"
    assert library_api.post(url).json()["is_active"] is False
    response = library_api.post(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 409
    assert response.json()["detail"] == message


def test_another_institutions_credential_is_404(other_library_api, library, other_library):
    theirs = sushi_credential_create(institution=library).credential
    url = f"/api/v1/institutions/{other_library.pk}/sushi-credentials/{theirs.pk}/revoke/"
    assert other_library_api.post(url).status_code == 404
    url = f"/api/v1/institutions/{library.pk}/sushi-credentials/"
    assert other_library_api.post(url, {}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
