"""The cinema staff's royalties pages (`/equipe/redevances/`): the statements due, overdue
and their totals with their filters, a statement's figures and its life — recompute,
approve, send, pay, each refusal as the service's sentence and field errors in place —,
a contract's payment terms with their history and a new version, a rights holder's users
and their invitation; nobody else opens them; each page costs a constant number of
queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from rights.models import Medium
from royalties.models import (
    PaymentTerms,
    PerUseRate,
    RightsHolderMember,
    Statement,
    StatementLine,
    StatementUsage,
)
from royalties.periods import quarter, year
from royalties.services import statement_approve, statement_draft
from tests.factories import TEST_PASSWORD, FilmFactory, InstitutionFactory, UserFactory
from tests.royalties.conftest import D, GrantFactory, contracted, make_view_on
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db

BASE = "/equipe/redevances/"


def post(client, url, data, *, token_from=None):
    token = csrf_of(client, token_from or url)
    return client.post(url, {"csrfmiddlewaretoken": token, **data})


@pytest.fixture
def editor_web(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    return client


def _holder_user(holder):
    user = UserFactory(role=User.Role.RIGHTS_HOLDER, institution=None)
    RightsHolderMember.objects.create(user=user, rights_holder=holder)
    return user


def test_only_the_cinema_staff_open_the_royalties_pages(web, library_admin, patron):
    contract = contracted()
    statement = statement_approve(statement=statement_draft(contract=contract, period=year(2017)))
    urls = [
        BASE,
        f"{BASE}releves/{statement.pk}/",
        f"{BASE}releves/{statement.pk}/pdf",
        f"{BASE}contrats/{contract.pk}/conditions/",
        f"{BASE}ayants-droit/{contract.rights_holder_id}/utilisateurs/",
    ]
    for url in urls:
        response = web.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    # a rights holder (even of this very contract), a library's staff, a patron: 403
    for user in (_holder_user(contract.rights_holder), library_admin, patron):
        web.force_login(user)
        for url in urls:
            response = web.get(url)
            assert response.status_code == 403, (user.role, url)
            assert "Réservé au personnel du service" in response.content.decode()
        assert web.post(urls[1], {"action": "approve"}).status_code == 403
    statement.refresh_from_db()
    assert statement.status == Statement.Status.APPROVED  # the refused POSTs changed nothing


def test_the_list_shows_states_totals_and_filters(editor_web):
    mine = contracted()
    other = contracted(title="Autre film", rate="2.00")
    overdue = statement_approve(statement=statement_draft(contract=mine, period=year(2017)))
    statement_draft(contract=other, period=quarter(2017, 1))  # a draft, overdue since 2017

    page = editor_web.get(BASE)
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{BASE}releves/{overdue.pk}/" in text
    assert mine.reference in text and other.reference in text
    assert "3,00" in text and "2,00" in text  # 2 views × 1.50, 1 view × 2.00 (French)
    assert "En retard" in text
    assert "5,00 EUR" in text  # the overdue panel's total, in French, with its cents
    costly = contracted(title="Cher", rate="600.00")  # 2 views: 1,200.00
    statement_draft(contract=costly, period=year(2017))
    text = editor_web.get(BASE).content.decode()
    assert "1\xa0205,00 EUR" in text  # overdue: 5.00 + 1,200.00, its thousands apart

    by_holder = editor_web.get(BASE, {"holder": mine.rights_holder_id}).content.decode()
    assert mine.reference in by_holder and other.reference not in by_holder
    quarters = editor_web.get(BASE, {"period": "2017-Q1"}).content.decode()
    assert other.reference in quarters and mine.reference not in quarters
    assert "1 relevé" in quarters
    paid = editor_web.get(BASE, {"state": "paid"}).content.decode()
    assert "Aucun relevé ne correspond à ces filtres." in paid

    bad = editor_web.get(BASE, {"period": "2017-Q9"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'id="id_period-error"' in body and "2017-Q3" in body


def test_the_list_costs_constant_queries(editor_web):
    statement_draft(contract=contracted(), period=year(2017))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor_web.get(BASE, {"state": "overdue"}).status_code == 200
        return len(queries)

    before = count()
    for number in range(3):
        statement_approve(
            statement=statement_draft(contract=contracted(title=f"F{number}"), period=year(2017))
        )
    assert count() == before


def test_drafting_from_the_list_and_the_mixed_periods_refusal(editor_web):
    contract = contracted()
    drafted = post(
        editor_web, BASE, {"draft-contract": contract.reference, "draft-period": "2017-Q2"}
    )
    assert drafted.status_code == 302
    statement = Statement.objects.get(contract=contract)
    assert drafted["Location"] == f"{BASE}releves/{statement.pk}/"
    assert statement.period_kind == "quarter" and statement.total == Decimal("1.50")

    mixed = post(editor_web, BASE, {"draft-contract": contract.reference, "draft-period": "2017"})
    assert mixed.status_code == 409
    text = mixed.content.decode()
    assert "un relevé d’une autre durée" in text and "2017-Q2" in text
    assert Statement.objects.count() == 1 and StatementLine.objects.count() == 1

    unknown = post(editor_web, BASE, {"draft-contract": "NOPE-1", "draft-period": "2017"})
    assert unknown.status_code == 400
    assert 'id="id_draft-contract-error"' in unknown.content.decode()
    future = post(editor_web, BASE, {"draft-contract": contract.reference, "draft-period": "2999"})
    assert future.status_code == 400 and 'id="id_draft-period-error"' in future.content.decode()
    assert Statement.objects.count() == 1


def test_approve_send_and_pay_a_statement(editor_web, editor, django_capture_on_commit_callbacks):
    contract = contracted(minimum_guarantee=Decimal("40.00"), advance=Decimal("2.00"))
    statement = statement_draft(contract=contract, period=year(2017))
    url = f"{BASE}releves/{statement.pk}/"
    page = editor_web.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    # usage by film, medium, month and department; lines; recoupment; guarantee; total
    assert "Les Glaneurs" in text and "<td>02/2017</td>" in text and "<td>35</td>" in text
    assert "Médiathèque Secrète" not in text and "patron-secret" not in text
    assert "<td>3,00</td>" in text  # the line: 2 views × 1.50
    assert "<td>−2,00</td>" in text  # the advance recouped
    assert "<td>37,00</td>" in text  # the guarantee's top-up: 40.00 − 3.00
    assert "<strong>38,00</strong>" in text  # 3.00 − 2.00 + 37.00
    assert f'href="{url}pdf"' in text and f'href="{url}csv"' in text

    assert post(editor_web, url, {"action": "approve"}).status_code == 302
    statement.refresh_from_db()
    assert statement.status == "approved" and statement.approved_by == editor

    with django_capture_on_commit_callbacks(execute=True):
        sent = post(editor_web, url, {"action": "send"})
    assert sent.status_code == 302
    assert mail.outbox[-1].to == ["compta@prod.example"]
    assert mail.outbox[-1].attachments[0][2] == "application/pdf"
    assert "envoyé à compta@prod.example" in editor_web.get(url).content.decode()

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = post(editor_web, url, {"action": "pay", "paid_on": tomorrow, "reference": "VIR-1"})
    assert future.status_code == 400
    text = future.content.decode()
    assert (
        'id="id_paid_on-error"' in text
        and "Un paiement s&#x27;enregistre une fois effectué." in text
    )
    missing = post(editor_web, url, {"action": "pay", "paid_on": "2018-02-01", "reference": ""})
    assert missing.status_code == 400 and 'id="id_reference-error"' in missing.content.decode()
    statement.refresh_from_db()
    assert statement.status == "sent"

    paid = post(editor_web, url, {"action": "pay", "paid_on": "2018-02-01", "reference": "VIR-1"})
    assert paid.status_code == 302
    statement.refresh_from_db()
    assert (statement.status, statement.paid_on, statement.payment_reference) == (
        "paid", D(2018, 2, 1), "VIR-1",
    )  # fmt: skip
    again = post(editor_web, url, {"action": "pay", "paid_on": "2018-03-01", "reference": "X"})
    assert again.status_code == 409
    assert "Le statut du relevé ne le permet pas." in again.content.decode()


def test_refusals_are_the_service_s_sentences(editor_web):
    contract = contracted(contact=False)
    statement = statement_draft(contract=contract, period=year(2017))
    url = f"{BASE}releves/{statement.pk}/"
    # the terms changed since the draft was computed: approving is refused until recomputed
    PerUseRate.objects.filter(terms__contract=contract).update(rate=Decimal("3.00"))
    refused = post(editor_web, url, {"action": "approve"})
    assert refused.status_code == 409
    assert "ont changé depuis son calcul : recalculez-le" in refused.content.decode()
    statement.refresh_from_db()
    assert statement.status == "draft" and statement.total == Decimal("3.00")

    assert post(editor_web, url, {"action": "recompute"}).status_code == 302
    statement.refresh_from_db()
    assert statement.total == Decimal("6.00")
    assert post(editor_web, url, {"action": "approve"}).status_code == 302
    # nobody to send it to
    unsent = post(editor_web, url, {"action": "send"})
    assert unsent.status_code == 409
    assert "aucun contact avec une adresse électronique" in unsent.content.decode()
    statement.refresh_from_db()
    assert statement.status == "approved" and not mail.outbox
    # an approved statement is not recomputed
    frozen = post(editor_web, url, {"action": "recompute"})
    assert frozen.status_code == 409 and statement.total == Decimal("6.00")
    assert post(editor_web, url, {"action": "dance"}).status_code == 400


def test_a_correction_is_drafted_from_an_approved_statement(editor_web):
    contract = contracted()
    statement = statement_approve(statement=statement_draft(contract=contract, period=year(2017)))
    response = post(editor_web, f"{BASE}releves/{statement.pk}/", {"action": "correct"})
    correction = Statement.objects.get(corrects=statement)
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}releves/{correction.pk}/"
    text = editor_web.get(response["Location"]).content.decode()
    assert f"{BASE}releves/{statement.pk}/" in text  # it refers to the corrected one


def test_the_statement_page_costs_constant_queries(editor_web, editor):
    contract = contracted()
    statement = statement_draft(contract=contract, period=year(2017))
    url = f"{BASE}releves/{statement.pk}/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor_web.get(url).status_code == 200
        return len(queries)

    before = count()
    library = InstitutionFactory(department_code="69", region_code="84")
    for number in range(3):
        film = FilmFactory(title=f"Film {number}")
        GrantFactory(
            contract=contract, film=film, medium=Medium.STREAM_HOME,
            starts_on=D(2017, 1, 1), ends_on=None,
        )  # fmt: skip
        make_view_on(library=library, film=film, day=D(2017, 3 + number, 2), viewer=f"v{number}")
    statement_draft(contract=contract, period=year(2017))
    assert statement.lines.count() == 4
    assert count() == before


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_the_statement_shows_usage_by_month_and_by_department_a_page_at_a_time(
    editor_web, monkeypatch
):
    monkeypatch.setattr("web.statement_usage.USAGE_PAGE_SIZE", 2)
    contract = contracted()  # views in February and May, in the 35
    film = contract.grants.get().film
    for department, region, day in (("69", "84", D(2017, 7, 4)), ("13", "93", D(2017, 9, 1))):
        library = InstitutionFactory(department_code=department, region_code=region)
        make_view_on(library=library, film=film, day=day, viewer=f"v{department}")
    statement = statement_draft(contract=contract, period=year(2017))
    url = f"{BASE}releves/{statement.pk}/"

    html = editor_web.get(url).content.decode()
    period = _section(html, "usage-title")
    assert "Les Glaneurs" in period and "<td>4</td>" in period  # 4 views, 4 viewers
    months = _section(html, "usage-month-title")
    assert "02/2017" in months and "05/2017" in months and "07/2017" not in months
    departments = _section(html, "usage-department-title")
    assert "<td>13</td><td>93</td>" in departments and "<td>35</td><td>53</td>" in departments
    assert "<td>69</td>" not in departments
    assert 'aria-label="Pages de l\'utilisation par département"' in departments
    assert "?departement=2#usage-department-title" in departments

    # the second page of departments keeps the page of months, and the other way round
    html = editor_web.get(url, {"departement": "2", "mois": "2"}).content.decode()
    departments = _section(html, "usage-department-title")
    assert "<td>69</td><td>84</td>" in departments and "<td>35</td>" not in departments
    months = _section(html, "usage-month-title")
    assert "07/2017" in months and "09/2017" in months and "02/2017" not in months
    assert "?mois=2&amp;departement=1#usage-department-title" in departments
    # a page number out of range or not a number shows a page, never an error
    assert editor_web.get(url, {"departement": "99", "mois": "x"}).status_code == 200


def test_a_statement_drafted_with_months_and_departments_at_once_shows_them_as_kept(
    editor_web, editor_api
):
    """Statements drafted before 8 December 2026 kept the cross product of months and
    departments; an approved one keeps its rows as approved: its page, CSV and API show
    them as such, never as months without their department."""
    statement = statement_approve(
        statement=statement_draft(contract=contracted(), period=year(2017))
    )
    film = statement.usage.over_period().get().film
    statement.usage.exclude(month__isnull=True, department_code="").delete()
    StatementUsage.objects.create(
        statement=statement, film=film, medium=Medium.STREAM_HOME, month=D(2017, 2, 1),
        department_code="35", region_code="53", views=1, seconds=60, viewers=1,
    )  # fmt: skip
    html = editor_web.get(f"{BASE}releves/{statement.pk}/").content.decode()
    assert 'id="usage-month-title"' not in html and 'id="usage-department-title"' not in html
    cells = _section(html, "usage-cell-title")
    assert "<td>02/2017</td><td>35</td><td>53</td><td>1</td>" in cells
    csv_text = editor_web.get(f"{BASE}releves/{statement.pk}/csv").content.decode()
    assert "\r\ncell,T-" in csv_text and ",stream_home,2017-02,35,53,1,1.00,1," in csv_text
    rows = editor_api.get(f"/api/v1/royalty-statements/{statement.pk}/").json()["usage"]
    assert sorted(row["breakdown"] for row in rows) == ["cell", "period"]


def test_a_contract_s_terms_their_history_and_a_new_version(editor_web, editor):
    contract = contracted()
    url = f"{BASE}contrats/{contract.pk}/conditions/"
    page = editor_web.get(url)
    assert page.status_code == 200
    assert "1,5000" in page.content.decode()  # the version's rate

    created = post(
        editor_web,
        url,
        {
            "valid_from": "2018-01-01",
            "fee_schedule": "on_signature",
            "minimum_guarantee": "400.00",
            "advance": "",
            "rate_stream_home_view": "0.80",
            "rate_dvd_copy": "2.5",
        },
    )
    assert created.status_code == 302
    versions = list(PaymentTerms.objects.filter(contract=contract).order_by("valid_from"))
    assert [v.valid_to for v in versions] == [D(2017, 12, 31), None]  # the open one closed
    assert versions[1].created_by == editor and versions[1].minimum_guarantee == 400
    assert sorted(versions[1].rates.values_list("medium", "unit", "rate")) == [
        ("dvd", "copy", Decimal("2.5000")),
        ("stream_home", "view", Decimal("0.8000")),
    ]
    text = editor_web.get(url).content.decode()
    assert "Historique" in text and editor.username in text
    # who changed what, when: the open version closed the day before the new one
    assert "en vigueur jusqu’au : — → 31 décembre 2017" in text
    assert "création : 2,5000 EUR" in text

    def refused(data, status=400):
        before = PaymentTerms.objects.count(), PerUseRate.objects.count()
        response = post(editor_web, url, {"fee_schedule": "on_signature", **data})
        assert response.status_code == status
        assert (PaymentTerms.objects.count(), PerUseRate.objects.count()) == before
        return response.content.decode()

    assert 'id="id_flat_fee-error"' in refused({"valid_from": "2019-01-01", "flat_fee": "-5"})
    assert "Un taux ne peut pas être négatif." in refused(
        {"valid_from": "2019-01-01", "rate_dvd_copy": "-1"}
    )
    overlap = refused({"valid_from": "2017-06-01", "valid_to": "2017-07-01"})
    assert 'id="id_valid_from-error"' in overlap
    assert 'id="id_instalments-error"' in refused(
        {"valid_from": "2019-01-01", "fee_schedule": "instalments"}
    )
    assert 'id="id_valid_from-error"' in refused({"valid_from": "pas une date"})


def test_the_terms_page_costs_constant_queries(editor_web):
    contract = contracted()
    url = f"{BASE}contrats/{contract.pk}/conditions/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor_web.get(url).status_code == 200
        return len(queries)

    before = count()
    for number in range(3):
        post(
            editor_web,
            url,
            {
                "valid_from": f"{2018 + number}-01-01",
                "fee_schedule": "on_signature",
                "rate_stream_home_view": "0.5",
                "rate_stream_home_minute": "0.01",
            },
        )
    assert PaymentTerms.objects.filter(contract=contract).count() == 4
    assert count() == before


def link_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/ayants-droit/invitation/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_the_staff_invite_a_holder_s_user_who_chooses_a_password_and_signs_in(
    editor_web, django_capture_on_commit_callbacks
):
    contract, other = contracted(), contracted(title="Autre film")
    for each in (contract, other):
        statement_approve(statement=statement_draft(contract=each, period=year(2017)))
    url = f"{BASE}ayants-droit/{contract.rights_holder_id}/utilisateurs/"
    with django_capture_on_commit_callbacks(execute=True):
        invited = post(editor_web, url, {"username": "prod-compta", "email": "c@prod.example"})
    assert invited.status_code == 302
    assert "Invitation en attente" in editor_web.get(url).content.decode()
    taken = post(editor_web, url, {"username": "prod-compta", "email": "d@prod.example"})
    assert taken.status_code == 409 and 'id="id_username-error"' in taken.content.decode()
    assert len(mail.outbox) == 1
    path = link_path(mail.outbox[0])

    newcomer = Client(enforce_csrf_checks=True)
    opened = newcomer.get(path)
    assert opened.status_code == 200
    text = opened.content.decode()
    assert "Bienvenue : choisissez votre mot de passe" in text
    assert contract.rights_holder.name in text and "prod-compta" in text
    differ = post(newcomer, path, {"password1": "un-long-mot-de-passe", "password2": "autre"})
    assert differ.status_code == 400 and 'id="id_password2-error"' in differ.content.decode()
    weak = post(newcomer, path, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400 and 'id="id_password1-error"' in weak.content.decode()
    assert not User.objects.get(username="prod-compta").has_usable_password()
    done = post(
        newcomer, path, {"password1": "un-long-mot-de-passe", "password2": "un-long-mot-de-passe"}
    )
    assert done.status_code == 302
    assert done["Location"].startswith("/connexion/?next=%2Fayants-droit%2F")
    signed_in = post(
        newcomer,
        done["Location"].split("#")[0],
        {"staff-username": "prod-compta", "staff-password": "un-long-mot-de-passe"},
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/ayants-droit/"
    space = newcomer.get("/ayants-droit/").content.decode()
    assert contract.reference in space and other.reference not in space  # their own only
    for url in (BASE, f"{BASE}ayants-droit/{other.rights_holder_id}/utilisateurs/"):
        assert newcomer.get(url).status_code == 403  # not the staff's pages

    spent = Client().get(path)
    assert spent.status_code == 400
    assert "Ce lien ne fonctionne plus" in spent.content.decode()
    assert "Demandez une nouvelle invitation au service" in spent.content.decode()


def test_a_wrong_link_or_another_account_s_link_is_a_clear_400(library_admin):
    from accounts.staff import password_link

    for path in (
        "/ayants-droit/invitation/xx/yy/",
        "/ayants-droit/invitation/MTIzNDU2/abc-def/",
        # a library account's own link (a forgotten password) does not open this page
        "/ayants-droit/invitation/"
        + password_link(library_admin).split("/connexion/mot-de-passe/")[1],
    ):
        response = Client().get(path)
        assert response.status_code == 400, path
        assert "Ce lien ne fonctionne plus" in response.content.decode()
    assert library_admin.check_password(TEST_PASSWORD)


def test_the_holder_s_users_page_costs_constant_queries(editor_web, editor):
    contract = contracted()
    url = f"{BASE}ayants-droit/{contract.rights_holder_id}/utilisateurs/"
    _holder_user(contract.rights_holder)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor_web.get(url).status_code == 200
        return len(queries)

    before = count()
    for _ in range(3):
        member = RightsHolderMember.objects.create(
            user=UserFactory(role=User.Role.RIGHTS_HOLDER, institution=None),
            rights_holder=contract.rights_holder,
            invited_by=editor,
        )
        assert member.user.username in editor_web.get(url).content.decode()
    assert count() == before


def test_the_staff_s_statement_pages_and_documents_are_never_cached(editor_web):
    """Amounts and the holder's contacts: no browser or proxy keeps them."""
    statement = statement_draft(contract=contracted(), period=year(2017))
    for url in (
        BASE,
        f"{BASE}releves/{statement.pk}/",
        f"{BASE}releves/{statement.pk}/pdf",
        f"{BASE}releves/{statement.pk}/csv",
    ):
        response = editor_web.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def _invite(client, url, username, email, capture):
    with capture(execute=True):
        response = post(client, url, {"username": username, "email": email})
    assert response.status_code == 302
    return User.objects.get(username=username)


def test_a_pending_invitation_is_sent_again_or_cancelled_and_the_old_links_stop_working(
    editor_web, django_capture_on_commit_callbacks
):
    holder = contracted().rights_holder
    url = f"{BASE}ayants-droit/{holder.pk}/utilisateurs/"
    active = _holder_user(holder)  # has chosen a password: nothing to send or cancel
    pending = _invite(
        editor_web, url, "prod-compta", "c@prod.example", django_capture_on_commit_callbacks
    )
    page = editor_web.get(url).content.decode()
    for form in ("invitation-resend", "invitation-cancel"):
        assert f'id="{form}-{pending.pk}"' in page
        assert f'id="{form}-{active.pk}"' not in page
    assert "Renvoyer à prod-compta" in page
    assert "Annuler l’invitation de prod-compta" in page
    first = link_path(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        resent = post(editor_web, f"{url}{pending.pk}/renvoyer", {}, token_from=url)
    assert resent.status_code == 302 and resent["Location"] == url
    assert (
        "Une nouvelle invitation est envoyée à c@prod.example ; le lien envoyé auparavant "
        "ne fonctionne plus." in editor_web.get(url).content.decode()
    )
    assert [m.to for m in mail.outbox] == [["c@prod.example"], ["c@prod.example"]]
    second = link_path(mail.outbox[1])
    assert second != first
    old = Client().get(first)
    assert old.status_code == 400 and "Ce lien ne fonctionne plus" in old.content.decode()
    assert Client().get(second).status_code == 200

    cancelled = post(editor_web, f"{url}{pending.pk}/annuler", {}, token_from=url)
    assert cancelled.status_code == 302 and cancelled["Location"] == url
    page = editor_web.get(url).content.decode()
    assert "L’invitation de prod-compta est annulée : son lien ne fonctionne plus." in page
    assert "c@prod.example" not in page  # no longer listed
    assert not User.objects.filter(pk=pending.pk).exists()
    for path in (first, second):
        dead = Client().get(path)
        assert dead.status_code == 400 and "Ce lien ne fonctionne plus" in dead.content.decode()
    assert User.objects.filter(pk=active.pk).exists()


def test_a_forged_resend_or_cancel_of_an_accepted_invitation_says_why_and_changes_nothing(
    editor_web, library_admin
):
    holder = contracted().rights_holder
    url = f"{BASE}ayants-droit/{holder.pk}/utilisateurs/"
    active = _holder_user(holder)
    password = active.password
    for action in ("renvoyer", "annuler"):
        response = post(editor_web, f"{url}{active.pk}/{action}", {}, token_from=url)
        assert response.status_code == 302 and response["Location"] == url
        shown = editor_web.get(url).content.decode()
        assert (
            "Cette invitation a déjà été acceptée : l’utilisateur a choisi son mot de passe."
            in (shown)
        )
        assert 'class="fr-alert fr-alert--error' in shown
    active.refresh_from_db()
    assert active.password == password and active.is_active
    assert not mail.outbox
    # another holder's user, nobody, a GET: not found / not allowed; a librarian: 403
    other = contracted(title="Autre film").rights_holder
    other_url = f"{BASE}ayants-droit/{other.pk}/utilisateurs/"
    assert (
        post(editor_web, f"{other_url}{active.pk}/annuler", {}, token_from=url).status_code == 404
    )
    assert (
        post(editor_web, f"{url}{active.pk + 999}/annuler", {}, token_from=url).status_code == 404
    )
    assert editor_web.get(f"{url}{active.pk}/annuler").status_code == 405
    librarian = Client(enforce_csrf_checks=True)
    librarian.force_login(library_admin)
    assert post(librarian, f"{url}{active.pk}/annuler", {}, token_from="/").status_code == 403
    assert User.objects.filter(pk=active.pk).exists()


def test_the_holder_s_users_page_with_pending_invitations_costs_constant_queries(
    editor_web, editor
):
    holder = contracted().rights_holder
    url = f"{BASE}ayants-droit/{holder.pk}/utilisateurs/"

    def pending_member():
        user = UserFactory(role=User.Role.RIGHTS_HOLDER, institution=None)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return RightsHolderMember.objects.create(user=user, rights_holder=holder, invited_by=editor)

    first = pending_member()

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = editor_web.get(url)
        assert page.status_code == 200
        assert f'id="invitation-cancel-{first.user_id}"' in page.content.decode()
        return len(queries)

    before = count()
    for _ in range(3):
        pending_member()
    assert count() == before
