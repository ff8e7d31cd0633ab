"""The rights holder's pages: their space and their statements, nothing of another
holder's, at a constant number of queries."""

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
from tests.factories import FilmFactory, InstitutionFactory, UserFactory
from tests.royalties.conftest import ContractFactory, D, GrantFactory, make_terms, make_view_on


def _holder_user(holder):
    user = UserFactory(role=User.Role.RIGHTS_HOLDER, institution=None)
    RightsHolderMember.objects.create(user=user, rights_holder=holder)
    return user


@pytest.fixture
def holders(db, editor):
    """Two holders with a contract, a film and an approved 2017 statement each; the first
    one's film has a right ending in 90 days."""
    library = InstitutionFactory(name="Médiathèque Secrète", department_code="35", region_code="53")
    result = []
    for title in ("Les Glaneurs", "Autre film"):
        contract = ContractFactory(in_charge=editor)
        film = FilmFactory(title=title)
        GrantFactory(
            contract=contract,
            film=film,
            medium=Medium.STREAM_HOME,
            starts_on=D(2017, 1, 1),
            ends_on=None,
        )
        make_terms(contract, D(2017, 1, 1), rates=[(Medium.STREAM_HOME, "view", "1.50")])
        make_view_on(library=library, film=film, day=D(2017, 3, 1), viewer="patron-secret")
        statement = statement_approve(
            statement=statement_draft(contract=contract, period=year(2017))
        )
        result.append({"contract": contract, "film": film, "statement": statement})
    today = timezone.localdate()
    GrantFactory(
        contract=result[0]["contract"], film=result[0]["film"], medium=Medium.DVD,
        starts_on=today - datetime.timedelta(days=5), ends_on=today + datetime.timedelta(days=90),
    )  # fmt: skip
    return result


def test_the_space_shows_contracts_ending_rights_and_statements(web, holders, editor):
    editor.email = "negociation@service.example"
    editor.save()
    mine = holders[0]
    web.force_login(_holder_user(mine["contract"].rights_holder))
    page = web.get("/ayants-droit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert mine["contract"].reference in text and "Les Glaneurs" in text
    assert "negociation@service.example" in text  # whom to write to about the ending right
    assert f"/ayants-droit/releves/{mine['statement'].pk}" in text
    assert holders[1]["contract"].reference not in text and "Autre film" not in text
    statement = web.get(f"/ayants-droit/releves/{mine['statement'].pk}")
    assert statement.status_code == 200
    body = statement.content.decode()
    assert "1,50" in body  # French by default
    assert "Médiathèque Secrète" not in body and "patron-secret" not in body
    # the usage over the year, in March, in the 35 (Brittany): never the library
    for heading in ("usage-title", "usage-month-title", "usage-department-title"):
        assert f'id="{heading}"' in body
    assert "<td>03/2017</td>" in body and "<td>35</td><td>53</td>" in body
    pdf = web.get(f"/ayants-droit/releves/{mine['statement'].pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert web.get(f"/ayants-droit/releves/{mine['statement'].pk}/xls").status_code == 404


def test_another_holder_s_statement_is_not_found(web, holders):
    web.force_login(_holder_user(holders[0]["contract"].rights_holder))
    theirs = holders[1]["statement"].pk
    for url in (f"/ayants-droit/releves/{theirs}", f"/ayants-droit/releves/{theirs}/pdf"):
        assert web.get(url).status_code == 404


def test_other_users_are_sent_away(web, holders, patron):
    assert web.get("/ayants-droit/")["Location"].startswith("/connexion/")
    web.force_login(patron)
    assert web.get("/ayants-droit/").status_code == 403


def test_the_space_costs_constant_queries(web, holders):
    holder = holders[0]["contract"].rights_holder
    web.force_login(_holder_user(holder))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert web.get("/ayants-droit/").status_code == 200
        return len(queries)

    before = count()
    for _ in range(3):
        contract = ContractFactory(rights_holder=holder)
        GrantFactory(
            contract=contract,
            film=FilmFactory(),
            medium=Medium.DVD,
            starts_on=D(2017, 1, 1),
            ends_on=None,
        )
        statement_approve(statement=statement_draft(contract=contract, period=year(2017)))
    assert count() == before


def test_a_film_s_use_by_month_medium_and_department(web, holders):
    mine = holders[0]
    web.force_login(_holder_user(mine["contract"].rights_holder))
    page = web.get(f"/ayants-droit/films/{mine['film'].pk}?periode=2017")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<td>03/2017</td>" in text and "<td>35</td>" in text
    assert "Médiathèque Secrète" not in text and "patron-secret" not in text
    bad = web.get(f"/ayants-droit/films/{mine['film'].pk}?periode=2017-Q7")
    assert bad.status_code == 400 and "2017-Q3" in bad.content.decode()
    assert web.get(f"/ayants-droit/films/{holders[1]['film'].pk}?periode=2017").status_code == 404


def test_the_holder_s_pages_are_never_cached(web, holders):
    mine = holders[0]
    web.force_login(_holder_user(mine["contract"].rights_holder))
    statement = mine["statement"].pk
    for url in (
        "/ayants-droit/",
        f"/ayants-droit/releves/{statement}",
        f"/ayants-droit/releves/{statement}/pdf",
    ):
        response = web.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
