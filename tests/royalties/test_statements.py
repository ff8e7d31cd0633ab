"""Statements through the staff API: usage counted from the records, amounts from the
terms in force on each day (expected values written by hand), the life of a statement
(approve, inputs changed, send, pay) and its documents."""

import csv as csv_module
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.errors import ConflictError
from orders.models import Order
from rights.models import Contract, Medium, RightsHolderContact
from royalties.models import Statement, StatementLine, StatementUsage
from royalties.periods import quarter, year
from royalties.services import statement_draft, statements_draft_period
from tests.factories import FilmFactory
from tests.royalties.conftest import (
    ContractFactory,
    D,
    GrantFactory,
    make_screening,
    make_shipment,
    make_terms,
    make_view_on,
)

URL = "/api/v1/royalty-statements/"


@pytest.fixture
def case(libraries, subscription):
    """A contract signed in 2016 for two films, two terms versions in 2017 and a year of
    records, some of which it must not count."""
    film_a, film_b, stranger = FilmFactory(), FilmFactory(), FilmFactory()
    contract = ContractFactory(signed_on=D(2016, 5, 1))
    RightsHolderContact.objects.create(
        rights_holder=contract.rights_holder, name="Compta", email="compta@prod.example"
    )
    GrantFactory(
        contract=contract, film=film_a, medium=Medium.STREAM_HOME,
        starts_on=D(2017, 1, 1), ends_on=D(2017, 6, 30),
    )  # fmt: skip
    GrantFactory(
        contract=contract, film=film_a, medium=Medium.DVD, starts_on=D(2010, 1, 1), ends_on=None
    )
    GrantFactory(
        contract=contract, film=film_b, medium=Medium.PUBLIC_SCREENING,
        starts_on=D(2017, 1, 1), ends_on=D(2017, 12, 31),
    )  # fmt: skip
    make_terms(
        contract, D(2017, 1, 1), D(2017, 3, 31),
        rates=[
            (Medium.STREAM_HOME, "view", "0.50"),
            (Medium.STREAM_HOME, "minute", "0.0125"),
            (Medium.PUBLIC_SCREENING, "screening", "40.00"),
            (Medium.DVD, "copy", "2.50"),
        ],
        flat_fee=Decimal("1000.00"), fee_schedule="on_signature",
    )  # fmt: skip
    make_terms(
        contract, D(2017, 4, 1), None,
        rates=[(Medium.STREAM_HOME, "view", "0.75"), (Medium.PUBLIC_SCREENING, "screening", "40.00")],
        minimum_guarantee=Decimal("100.00"), advance=Decimal("50.00"),
    )  # fmt: skip
    lib1, lib2 = libraries
    # counted: 2 views in February (v1, v2), 1 in May (v1) — film A at home
    make_view_on(library=lib1, film=film_a, day=D(2017, 2, 3), seconds=600, viewer="v1")
    make_view_on(library=lib2, film=film_a, day=D(2017, 2, 20), seconds=90, viewer="v2")
    make_view_on(library=lib1, film=film_a, day=D(2017, 5, 9), seconds=601, viewer="v1")
    # not counted: after the grant's end, on site (no grant), another film, another year
    make_view_on(library=lib1, film=film_a, day=D(2017, 7, 1), viewer="v3")
    make_view_on(library=lib1, film=film_a, day=D(2017, 2, 3), medium=Medium.STREAM_ONSITE)
    make_view_on(library=lib1, film=stranger, day=D(2017, 2, 3))
    make_view_on(library=lib1, film=film_a, day=D(2016, 12, 31))
    # screenings of film B: two held in March (30 and 12 people), one booked, one cancelled
    make_screening(
        library=lib1, film=film_b, day=D(2017, 3, 10), subscription=subscription, attendance=30
    )
    make_screening(
        library=lib2, film=film_b, day=D(2017, 3, 24), subscription=subscription, attendance=12
    )
    make_screening(library=lib1, film=film_b, day=D(2017, 9, 1), subscription=subscription)
    make_screening(
        library=lib1, film=film_b, day=D(2017, 9, 2), subscription=subscription, cancelled=True
    )
    # DVD: 3 copies of film A shipped in March; 5 validated but not shipped
    make_shipment(library=lib2, film=film_a, day=D(2017, 3, 15), quantity=3)
    make_shipment(
        library=lib1, film=film_a, day=D(2017, 11, 15), quantity=5, status=Order.Status.VALIDATED
    )
    return {"contract": contract, "film_a": film_a, "film_b": film_b}


def _draft(editor_api, contract, period="2017"):
    return editor_api.post(URL, {"contract": contract.pk, "period": period}, format="json")


def test_a_year_statement_counts_the_records_and_applies_the_terms_by_hand(editor_api, case):
    response = _draft(editor_api, case["contract"])
    assert response.status_code == 201, response.content
    body = response.json()
    film_a, film_b = case["film_a"].pk, case["film_b"].pk
    assert {row["breakdown"] for row in body["usage"]} == {"period", "month", "department"}
    totals = {
        (row["film"], row["medium"]): row for row in body["usage"] if row["breakdown"] == "period"
    }
    assert all(r["month"] is None and r["department"] == "" for r in totals.values())
    home = totals[(film_a, "stream_home")]
    assert (home["views"], home["minutes"], home["viewers"]) == (3, "21.52", 2)  # 1291 s
    screening = totals[(film_b, "public_screening")]
    assert (screening["screenings"], screening["attendance"]) == (2, 42)
    assert totals[(film_a, "dvd")]["copies"] == 3
    assert set(totals) == {(film_a, "stream_home"), (film_b, "public_screening"), (film_a, "dvd")}
    # by month (v1 on 3 February and 9 May, v2 on 20 February) and by department (v1 in
    # the 35 twice, v2 in the 69), each with its own distinct viewers; never a library
    figures = ("views", "minutes", "viewers", "screenings", "attendance")
    by_month = {
        (r["film"], r["medium"], r["month"]): tuple(r[f] for f in figures)
        for r in body["usage"]
        if r["breakdown"] == "month" and r["medium"] != "dvd"
    }
    assert by_month == {
        (film_a, "stream_home", "2017-02"): (2, "11.50", 2, 0, 0),  # 690 s
        (film_a, "stream_home", "2017-05"): (1, "10.02", 1, 0, 0),  # 601 s
        (film_b, "public_screening", "2017-03"): (0, "0.00", 0, 2, 42),
    }
    by_department = {
        (r["film"], r["medium"], r["department"], r["region"]): tuple(r[f] for f in figures)
        for r in body["usage"]
        if r["breakdown"] == "department" and r["medium"] != "dvd"
    }
    assert by_department == {
        (film_a, "stream_home", "35", "53"): (2, "20.02", 1, 0, 0),  # 1201 s, v1 twice
        (film_a, "stream_home", "69", "84"): (1, "1.50", 1, 0, 0),
        (film_b, "public_screening", "35", "53"): (0, "0.00", 0, 1, 30),
        (film_b, "public_screening", "69", "84"): (0, "0.00", 0, 1, 12),
    }
    assert all(r["month"] is None for r in body["usage"] if r["breakdown"] == "department")
    lines = sorted(
        (line["medium"], line["unit"], line["quantity"], line["amount"]) for line in body["lines"]
    )
    assert lines == [
        ("dvd", "copy", 3, "7.50"),  # 3 × 2.50
        ("public_screening", "screening", 2, "80.00"),  # 2 × 40.00
        ("stream_home", "minute", 690, "0.14"),  # 690 s × 0.0125 / 60 = 0.14375
        ("stream_home", "view", 1, "0.75"),  # May, second version
        ("stream_home", "view", 2, "1.00"),  # February, first version
    ]
    assert body["per_use_amount"] == "89.39"
    assert body["minimum_guarantee"] == "100.00"
    assert body["guarantee_top_up"] == "10.61"
    assert body["advance_recouped"] == "50.00"
    assert body["flat_fee_amount"] == "1000.00"  # due on the first version's first day
    assert body["total"] == "1050.00"  # 1000 + 89.39 − 50 + 10.61
    assert body["status"] == "draft"
    assert body["due_on"] == "2018-03-01"  # 60 days after the period


def test_a_quarter_guarantees_a_quarter_and_prices_with_that_quarter_s_terms(editor_api, case):
    body = _draft(editor_api, case["contract"], "2017-Q2").json()
    assert [(line["unit"], line["amount"]) for line in body["lines"]] == [("view", "0.75")]
    assert body["minimum_guarantee"] == "25.00"
    assert body["guarantee_top_up"] == "24.25"
    assert body["advance_recouped"] == "0.75"  # at most the per-use amounts
    assert body["flat_fee_amount"] == "0.00"
    # the guarantee tops the per-use amounts up; the advance is recouped from them
    assert body["total"] == "24.25"  # 0.75 − 0.75 + 24.25


def test_approving_freezes_and_approving_twice_changes_nothing(editor_api, case, libraries):
    statement_id = _draft(editor_api, case["contract"]).json()["id"]
    first = editor_api.post(f"{URL}{statement_id}/approve/")
    assert first.status_code == 200 and first.json()["status"] == "approved"
    rows = list(StatementLine.objects.filter(statement_id=statement_id).values_list("pk", "amount"))
    # a new record after the approval changes nothing in the frozen statement
    make_view_on(library=libraries[0], film=case["film_a"], day=D(2017, 2, 5), viewer="v9")
    again = editor_api.post(f"{URL}{statement_id}/approve/")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert (
        list(StatementLine.objects.filter(statement_id=statement_id).values_list("pk", "amount"))
        == rows
    )
    # neither recomputed nor drafted again
    assert (
        editor_api.post(f"{URL}{statement_id}/recompute/").json()["code"]
        == "invalid_status_transition"
    )
    refused = _draft(editor_api, case["contract"])
    assert (refused.status_code, refused.json()["code"]) == (409, "statement_exists")


def test_approving_a_draft_whose_inputs_changed_is_refused_until_recomputed(
    editor_api, case, libraries
):
    statement_id = _draft(editor_api, case["contract"]).json()["id"]
    make_view_on(library=libraries[0], film=case["film_a"], day=D(2017, 2, 5), viewer="v9")
    refused = editor_api.post(f"{URL}{statement_id}/approve/")
    assert (refused.status_code, refused.json()["code"]) == (409, "inputs_changed")
    assert Statement.objects.get(pk=statement_id).status == "draft"
    recomputed = editor_api.post(f"{URL}{statement_id}/recompute/").json()
    # 3 views × 0.50 = 1.50; 1290 s × 0.0125 / 60 = 0.26875 → 0.27; + 0.75 + 80 + 7.50
    assert recomputed["per_use_amount"] == "90.02"
    assert editor_api.post(f"{URL}{statement_id}/approve/").json()["status"] == "approved"


def test_recomputing_from_the_same_inputs_keeps_the_rows_and_from_changed_ones_rewrites_them(
    case, libraries
):
    contract, film = case["contract"], case["film_a"]
    statement = statement_draft(contract=contract, period=year(2017))
    home_total = {"film": film, "medium": Medium.STREAM_HOME}
    assert statement.usage.over_period().get(**home_total).views == 3
    usage_rows = set(statement.usage.values_list("pk", "views", "viewers"))
    lines = set(statement.lines.values_list("pk", "unit", "quantity"))
    fees = set(statement.fee_lines.values_list("pk", "amount"))
    again = statement_draft(contract=contract, period=year(2017))
    assert (again.pk, again.inputs_digest) == (statement.pk, statement.inputs_digest)
    # nothing changed: the same rows, neither deleted nor written again
    assert set(again.usage.values_list("pk", "views", "viewers")) == usage_rows
    assert set(again.lines.values_list("pk", "unit", "quantity")) == lines
    assert set(again.fee_lines.values_list("pk", "amount")) == fees
    make_view_on(library=libraries[0], film=film, day=D(2017, 2, 5), viewer="v9")
    changed = statement_draft(contract=contract, period=year(2017))
    assert changed.pk == statement.pk and changed.inputs_digest != statement.inputs_digest
    assert changed.usage.over_period().get(**home_total).views == 4
    assert not {pk for pk, *_ in usage_rows} & set(changed.usage.values_list("pk", flat=True))
    assert changed.lines.get(unit="view", terms__valid_from=D(2017, 1, 1)).quantity == 3


def test_send_mails_the_pdf_after_commit_then_pay(
    editor_api, case, django_capture_on_commit_callbacks
):
    statement_id = _draft(editor_api, case["contract"]).json()["id"]
    refused = editor_api.post(f"{URL}{statement_id}/send/")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_status_transition")
    editor_api.post(f"{URL}{statement_id}/approve/")
    with django_capture_on_commit_callbacks(execute=True):
        sent = editor_api.post(f"{URL}{statement_id}/send/")
    assert sent.json()["status"] == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["compta@prod.example"]
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        editor_api.post(f"{URL}{statement_id}/send/")  # again: nothing more is sent
    assert len(mail.outbox) == 1
    future = editor_api.post(
        f"{URL}{statement_id}/pay/", {"paid_on": "2199-01-01", "reference": "VIR-1"}, format="json"
    )
    assert (future.status_code, future.json()["code"]) == (400, "paid_in_future")
    paid = editor_api.post(
        f"{URL}{statement_id}/pay/", {"paid_on": "2018-02-10", "reference": "VIR-1"}, format="json"
    )
    assert (paid.json()["status"], paid.json()["paid_on"], paid.json()["payment_reference"]) == (
        "paid",
        "2018-02-10",
        "VIR-1",
    )


def test_send_without_any_contact_address_is_refused(editor_api, case):
    RightsHolderContact.objects.all().update(email="")
    statement_id = _draft(editor_api, case["contract"]).json()["id"]
    editor_api.post(f"{URL}{statement_id}/approve/")
    refused = editor_api.post(f"{URL}{statement_id}/send/")
    assert (refused.status_code, refused.json()["code"]) == (409, "no_contact_email")
    assert Statement.objects.get(pk=statement_id).status == "approved"


def test_pdf_and_csv_show_films_and_departments_never_a_library(editor_api, case, libraries):
    statement_id = _draft(editor_api, case["contract"]).json()["id"]
    pdf = editor_api.get(f"{URL}{statement_id}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    csv = editor_api.get(f"{URL}{statement_id}/csv/")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode()
    rows = list(csv_module.reader(io.StringIO(text)))
    assert rows[0][:8] == [
        "breakdown", "film_reference", "film_title", "medium", "month", "department", "region",
        "views",
    ]  # fmt: skip
    usage = {tuple(row[:7]): row[7:10] for row in rows[1 : rows.index([])]}
    ref, title = case["film_a"].reference, case["film_a"].title
    assert usage[("period", ref, title, "stream_home", "", "", "")] == ["3", "21.52", "2"]
    assert usage[("month", ref, title, "stream_home", "2017-02", "", "")] == ["2", "11.50", "2"]
    assert usage[("department", ref, title, "stream_home", "", "35", "53")] == ["2", "20.02", "1"]
    for library in libraries:
        assert library.name not in text and library.code not in text
    for viewer in ("v1", "v2"):
        assert f",{viewer}," not in text
    detail = editor_api.get(f"{URL}{statement_id}/").content.decode()
    for library in libraries:
        assert library.name not in detail and library.code not in detail
    assert '"v1"' not in detail


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"period": "2017-Q5"}, 400, "invalid_period"),
        ({"period": "17"}, 400, "invalid_period"),
        ({"period": "2999"}, 400, "period_not_over"),
    ],
)
def test_bad_periods_are_refused_with_nothing_written(editor_api, case, body, status, code):
    response = editor_api.post(URL, {"contract": case["contract"].pk, **body}, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Statement.objects.exists() and not StatementUsage.objects.exists()


def test_an_unsigned_contract_has_no_statement(editor_api):
    contract = ContractFactory(status=Contract.Status.DRAFT, signed_on=None)
    response = _draft(editor_api, contract)
    assert (response.status_code, response.json()["code"]) == (409, "contract_not_signed")
    assert not Statement.objects.exists()


def test_a_year_over_quarters_is_refused_through_the_api_with_nothing_written(editor_api, case):
    """Quarters then the year over them would recoup the advance and apply the guarantee
    twice: the year is refused with its reason, and nothing of it is written."""
    assert _draft(editor_api, case["contract"], "2017-Q2").status_code == 201
    before = (Statement.objects.count(), StatementLine.objects.count())
    response = _draft(editor_api, case["contract"], "2017")
    assert (response.status_code, response.json()["code"]) == (409, "mixed_periods")
    assert "2017-Q2" in response.json()["detail"]
    assert (Statement.objects.count(), StatementLine.objects.count()) == before
    # another quarter of the same year, and the year before, are fine
    assert _draft(editor_api, case["contract"], "2017-Q3").status_code == 201
    assert _draft(editor_api, case["contract"], "2016").status_code == 201


def test_a_quarter_inside_a_drafted_year_is_refused_by_the_service(case):
    contract = case["contract"]
    statement_draft(contract=contract, period=year(2017))
    with pytest.raises(ConflictError) as refused:
        statement_draft(contract=contract, period=quarter(2017, 4))
    assert refused.value.code == "mixed_periods" and refused.value.status_code == 409
    assert list(Statement.objects.values_list("period_kind", flat=True)) == ["year"]
    # the year itself is recomputed as before; the next year's quarter is drafted
    statement_draft(contract=contract, period=year(2017))
    statement_draft(contract=contract, period=quarter(2018, 1))
    assert Statement.objects.count() == 2


def test_drafting_a_period_keeps_a_contract_whose_statements_are_of_the_other_length(case):
    statement_draft(contract=case["contract"], period=quarter(2017, 1))
    counts = statements_draft_period(period=year(2017))
    assert counts == {"drafted": 0, "kept": 1}
    assert list(Statement.objects.values_list("period_kind", flat=True)) == ["quarter"]


def test_the_list_and_summary_cost_constant_queries(editor_api, case, libraries):
    for period in ("2017-Q1", "2017-Q2"):
        _draft(editor_api, case["contract"], period)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert editor_api.get(url).status_code == 200
        return len(queries)

    few, few_summary = count(URL), count(f"{URL}summary/")
    for _ in range(3):
        other = ContractFactory(signed_on=D(2016, 1, 1))
        GrantFactory(
            contract=other,
            film=case["film_a"],
            medium=Medium.DVD,
            starts_on=D(2010, 1, 1),
            ends_on=None,
        )
        _draft(editor_api, other, "2017-Q1")
    assert Statement.objects.count() == 5
    assert count(URL) == few
    assert count(f"{URL}summary/") == few_summary
    summary = {row["state"]: row for row in editor_api.get(f"{URL}summary/").json()}
    assert summary["overdue"]["count"] == 5  # drafts of 2017, due long ago
    assert summary["paid"] == {"state": "paid", "count": 0, "total": "0.00"}


def test_other_roles_see_no_statement(case, editor_api, library_api, patron_api, api):
    statement_id = _draft(editor_api, case["contract"]).json()["id"]
    for client in (library_api, patron_api):
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{statement_id}/pdf/").status_code == 403
    assert api.get(URL).status_code == 401


def test_a_correction_restates_an_approved_statement_and_refers_to_it(editor_api, case, libraries):
    original = _draft(editor_api, case["contract"]).json()["id"]
    editor_api.post(f"{URL}{original}/approve/")
    assert editor_api.post(f"{URL}{original}/correct/").status_code == 201  # a draft, for now
    make_view_on(library=libraries[0], film=case["film_a"], day=D(2017, 2, 5), viewer="v9")
    response = editor_api.post(f"{URL}{original}/correct/")  # the draft, recomputed
    assert response.status_code == 201
    correction = response.json()
    assert Statement.objects.filter(corrects_id=original).count() == 1
    assert (correction["corrects"], correction["status"]) == (original, "draft")
    # per-use 90.02 instead of 89.39 (the statement above); the guarantee tops up to 100
    assert (correction["previously_stated"], correction["total"]) == ("1050.00", "1050.00")
    assert correction["per_use_amount"] == "90.02" and correction["guarantee_top_up"] == "9.98"
    assert correction["balance"] == "0.00"
    assert editor_api.post(f"{URL}{correction['id']}/approve/").json()["status"] == "approved"
    again = editor_api.post(f"{URL}{original}/correct/")
    assert (again.status_code, again.json()["code"]) == (409, "statement_exists")
    first = editor_api.get(f"{URL}{original}/").json()
    assert (first["status"], first["per_use_amount"]) == ("approved", "89.39")
    draft = editor_api.post(f"{URL}{correction['id']}/correct/").json()
    assert (draft["corrects"], draft["previously_stated"]) == (correction["id"], "1050.00")
    refused = editor_api.post(f"{URL}{draft['id']}/correct/")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_status_transition")


def test_a_film_granted_under_two_contracts_for_two_territories_pays_each_its_own(editor_api):
    """Metropolitan France under one contract, overseas under another, at the same time:
    each view goes to the contract whose grant allowed it, drafted alone or with every
    contract's statement."""
    from institutions.models import Institution
    from royalties.periods import year
    from royalties.services import statements_draft_period
    from tests.factories import InstitutionFactory

    film = FilmFactory()
    metro, overseas = ContractFactory(), ContractFactory()
    for contract, territory in ((metro, "FR-MET"), (overseas, "FR-DOM")):
        GrantFactory(
            contract=contract, film=film, medium=Medium.STREAM_HOME, territories=[territory],
            eligible_kinds=["municipal"], starts_on=D(2017, 1, 1), ends_on=None,
        )  # fmt: skip
    rennes = InstitutionFactory(department_code="35", region_code="53", kind="municipal")
    reunion = InstitutionFactory(department_code="974", region_code="04", kind="municipal")
    association = InstitutionFactory(
        department_code="974", region_code="04", kind=Institution.Kind.ASSOCIATION
    )
    make_view_on(library=rennes, film=film, day=D(2017, 5, 1))
    for _ in range(2):
        make_view_on(library=reunion, film=film, day=D(2017, 5, 2))
    make_view_on(library=association, film=film, day=D(2017, 5, 3))  # no grant allowed it
    for mode in ("alone", "every"):
        if mode == "alone":
            for contract in (metro, overseas):
                _draft(editor_api, contract)
        else:
            statements_draft_period(period=year(2017))
        views = {
            contract.pk: StatementUsage.objects.over_period()
            .get(statement__contract=contract)
            .views
            for contract in (metro, overseas)
        }
        assert views == {metro.pk: 1, overseas.pk: 2}, mode


@pytest.mark.embedded
def test_a_use_two_contracts_cover_goes_to_the_grant_created_first(db):
    """Two contracts granting the same film and medium for overlapping windows: reading
    every contract's usage gives each view to the grant created first (one statement
    counts it, never both), and a grant of the first contract inside another of its own
    counts nothing twice. Embedded: the view events are read by one SQL query on
    PostgreSQL and through the ORM on SQLite; both follow the rule."""
    from royalties import usage
    from royalties.periods import year
    from tests.factories import InstitutionFactory

    film = FilmFactory()
    first, second = ContractFactory(), ContractFactory()
    for contract, starts_on, ends_on in (
        (second, D(2017, 3, 1), None),  # created first: March onwards
        (first, D(2017, 1, 1), D(2017, 6, 30)),
        (first, D(2017, 5, 1), D(2017, 5, 31)),  # inside the previous one
    ):
        GrantFactory(
            contract=contract, film=film, medium=Medium.STREAM_HOME, starts_on=starts_on,
            ends_on=ends_on,
        )  # fmt: skip
    library = InstitutionFactory(department_code="35", region_code="53")
    for day in (D(2017, 2, 1), D(2017, 4, 1), D(2017, 5, 10), D(2017, 8, 1)):
        make_view_on(library=library, film=film, day=day)
    every = usage.usage_of_every_contract(year(2017))
    views = {pk: [row["views"] for row in every[pk].totals] for pk in every}
    assert views == {first.pk: [1], second.pk: [3]}
    # read alone (drafted alone, recomputed, approved), each contract counts the same
    # uses: none twice, none another contract's earlier grant covers
    alone = {
        contract.pk: [row["views"] for row in usage.usage_of(contract, year(2017)).totals]
        for contract in (first, second)
    }
    assert alone == {first.pk: [1], second.pk: [3]}


@pytest.mark.embedded
def test_statements_drafted_with_every_contract_are_approved_as_drafted(db):
    """A film granted under two contracts over overlapping windows: the period's
    statements, drafted together, are approved as they are (approving recomputes each
    alone and finds the same figures), and a view is paid by one statement only."""
    from royalties.periods import year
    from royalties.services import statement_approve
    from tests.factories import InstitutionFactory

    film = FilmFactory()
    older, newer = ContractFactory(), ContractFactory()
    for contract, starts_on in ((older, D(2017, 3, 1)), (newer, D(2017, 1, 1))):
        GrantFactory(
            contract=contract, film=film, medium=Medium.STREAM_HOME, starts_on=starts_on,
            ends_on=None,
        )  # fmt: skip
    library = InstitutionFactory(department_code="35", region_code="53")
    for day in (D(2017, 2, 1), D(2017, 4, 1)):
        make_view_on(library=library, film=film, day=day)
    statements_draft_period(period=year(2017))
    views = {}
    for statement in Statement.objects.filter(contract__in=[older, newer]):
        statement_approve(statement=statement)  # not refused as inputs_changed
        views[statement.contract_id] = statement.usage.over_period().get().views
    assert views == {newer.pk: 1, older.pk: 1}


@pytest.mark.postgres
def test_the_planner_settings_of_the_usage_query_stay_with_it(db):
    """The view events' query turns nested loops, merge joins and JIT off for itself only:
    the connection's next queries, inside a transaction or not, plan as before."""
    from django.db import transaction

    from royalties import usage

    def settings_now():
        shown = []
        with connection.cursor() as cursor:
            for name in ("enable_nestloop", "enable_mergejoin"):
                cursor.execute(f"SHOW {name}")
                shown.append(cursor.fetchone()[0])
        return shown

    film = FilmFactory()
    GrantFactory(
        contract=ContractFactory(), film=film, medium=Medium.STREAM_HOME,
        starts_on=D(2017, 1, 1), ends_on=None,
    )  # fmt: skip
    from tests.factories import InstitutionFactory

    make_view_on(library=InstitutionFactory(), film=film, day=D(2017, 2, 1))
    assert settings_now() == ["on", "on"]
    assert usage.usage_of_every_contract(year(2017))
    assert settings_now() == ["on", "on"]
    with transaction.atomic():
        assert usage.usage_of_every_contract(year(2017))
        assert settings_now() == ["on", "on"]
