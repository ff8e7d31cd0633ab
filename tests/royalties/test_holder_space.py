"""The rights holder's own space: their contracts, grants, films, usage and approved
statements — and a 404 on anything of another holder."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from rights.models import Medium
from royalties.models import RightsHolderMember
from royalties.periods import year
from royalties.services import statement_approve, statement_draft
from tests.conftest import client_for
from tests.factories import FilmFactory, UserFactory
from tests.royalties.conftest import ContractFactory, D, GrantFactory, make_terms, make_view_on

BASE = "/api/v1/my-rights/"


def holder_client(holder):
    user = UserFactory(role=User.Role.RIGHTS_HOLDER, institution=None)
    RightsHolderMember.objects.create(user=user, rights_holder=holder)
    return client_for(user)


@pytest.fixture
def world(libraries):
    """Two holders, each with a signed contract, a film streamed at home and an approved
    2017 statement; the first one's film was viewed twice in 2017."""
    mine, theirs = ContractFactory(), ContractFactory()
    film, other_film = FilmFactory(), FilmFactory()
    GrantFactory(
        contract=mine, film=film, medium=Medium.STREAM_HOME, starts_on=D(2017, 1, 1), ends_on=None
    )
    GrantFactory(
        contract=theirs,
        film=other_film,
        medium=Medium.STREAM_HOME,
        starts_on=D(2017, 1, 1),
        ends_on=None,
    )
    make_terms(mine, D(2017, 1, 1), rates=[(Medium.STREAM_HOME, "view", "1.00")])
    make_view_on(library=libraries[0], film=film, day=D(2017, 3, 1), viewer="patron-secret-1")
    make_view_on(library=libraries[1], film=film, day=D(2017, 3, 2), viewer="patron-secret-2")
    make_view_on(library=libraries[0], film=other_film, day=D(2017, 3, 1))
    statements = {}
    for contract in (mine, theirs):
        statements[contract.pk] = statement_approve(
            statement=statement_draft(contract=contract, period=year(2017))
        )
    return {
        "mine": mine,
        "theirs": theirs,
        "film": film,
        "other_film": other_film,
        "statements": statements,
    }


def test_a_holder_reads_their_own_contracts_films_usage_and_statements(world, libraries):
    client = holder_client(world["mine"].rights_holder)
    contracts = client.get(f"{BASE}contracts/").json()
    assert [c["reference"] for c in contracts["results"]] == [world["mine"].reference]
    assert contracts["results"][0]["payment_terms"][0]["rates"][0]["rate"] == "1.0000"
    films = client.get(f"{BASE}films/").json()["results"]
    assert [f["id"] for f in films] == [world["film"].pk]
    usage = client.get(f"{BASE}films/{world['film'].pk}/usage/?period=2017").json()
    assert sorted((row["month"], row["department"], row["views"]) for row in usage) == [
        ("2017-03", "35", 1),
        ("2017-03", "69", 1),
    ]
    statement = world["statements"][world["mine"].pk]
    listed = client.get(f"{BASE}statements/").json()["results"]
    assert [s["id"] for s in listed] == [statement.pk]
    detail = client.get(f"{BASE}statements/{statement.pk}/")
    assert detail.json()["total"] == "2.00"
    text = (
        detail.content.decode()
        + client.get(f"{BASE}statements/{statement.pk}/csv/").content.decode()
    )
    for library in libraries:
        assert library.name not in text and library.code not in text
    assert "patron-secret" not in text
    assert client.get(f"{BASE}statements/{statement.pk}/pdf/").content.startswith(b"%PDF")


def test_another_holder_s_objects_are_not_found(world):
    client = holder_client(world["mine"].rights_holder)
    theirs = world["theirs"]
    statement = world["statements"][theirs.pk]
    for url in (
        f"{BASE}contracts/{theirs.pk}/",
        f"{BASE}films/{world['other_film'].pk}/",
        f"{BASE}films/{world['other_film'].pk}/usage/?period=2017",
        f"{BASE}statements/{statement.pk}/",
        f"{BASE}statements/{statement.pk}/pdf/",
        f"{BASE}statements/{statement.pk}/csv/",
    ):
        response = client.get(url)
        assert (url, response.status_code, response.json()["code"]) == (url, 404, "not_found")


def test_a_holder_reads_nothing_of_the_staff_s_or_the_libraries(world):
    client = holder_client(world["mine"].rights_holder)
    for url in ("/api/v1/royalty-statements/", "/api/v1/payment-terms/", "/api/v1/contracts/"):
        assert client.get(url).status_code == 403


def test_drafts_are_not_shown_to_the_holder(world, editor_api):
    draft = statement_draft(contract=world["mine"], period=year(2018), today=D(2019, 1, 2))
    client = holder_client(world["mine"].rights_holder)
    assert client.get(f"{BASE}statements/{draft.pk}/").status_code == 404


def test_rights_ending_within_180_days_come_with_the_service_s_contact(world, editor):
    today = timezone.localdate()
    editor.email = "negociation@service.example"
    editor.save()
    world["mine"].in_charge = editor
    world["mine"].save()
    ending = GrantFactory(
        contract=world["mine"], film=world["film"], medium=Medium.DVD,
        starts_on=today - datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=90),
    )  # fmt: skip
    GrantFactory(
        contract=world["mine"], film=world["film"], medium=Medium.PUBLIC_SCREENING,
        starts_on=today - datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=200),
    )  # fmt: skip
    GrantFactory(
        contract=world["theirs"], film=world["other_film"], medium=Medium.DVD,
        starts_on=today - datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=30),
    )  # fmt: skip
    rows = holder_client(world["mine"].rights_holder).get(f"{BASE}ending-soon/").json()
    assert [(row["id"], row["contact"]["email"]) for row in rows] == [
        (ending.pk, "negociation@service.example")
    ]


def test_the_staff_invite_a_holder_s_user(world, editor_api, library_api):
    holder = world["mine"].rights_holder
    url = f"/api/v1/rights-holders/{holder.pk}/users/"
    body = {"username": "prod-compta", "email": "compta@prod.example"}
    assert library_api.post(url, body, format="json").status_code == 403
    response = editor_api.post(url, body, format="json")
    assert response.status_code == 201
    user = User.objects.get(username="prod-compta")
    assert user.role == "rights_holder" and not user.has_usable_password()
    assert user.rights_holder_membership.rights_holder == holder
    again = editor_api.post(url, body, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "username_taken")
    assert User.objects.filter(username="prod-compta").count() == 1


def test_holder_lists_cost_constant_queries(world):
    client = holder_client(world["mine"].rights_holder)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [f"{BASE}contracts/", f"{BASE}grants/", f"{BASE}films/", f"{BASE}statements/"]
    before = [count(url) for url in urls]
    for _ in range(3):
        contract = ContractFactory(rights_holder=world["mine"].rights_holder)
        GrantFactory(
            contract=contract,
            film=FilmFactory(),
            medium=Medium.DVD,
            starts_on=D(2017, 1, 1),
            ends_on=None,
        )
        make_terms(contract, D(2017, 1, 1), rates=[(Medium.DVD, "copy", "1.00")])
        statement_approve(statement=statement_draft(contract=contract, period=year(2017)))
    assert [count(url) for url in urls] == before
