"""CSV exports neutralise cells a spreadsheet would read as a formula (`=`, `+`, `-`, `@`,
a tab or a carriage return first): free text typed by someone — a library's name, a film's
title, a withdrawal reason, a carrier reference — reaches the cinema staff's spreadsheets.
Numbers stay numbers."""

import csv
import datetime
import io

import pytest

from backend.api.renderers import neutralise
from catalogue.models import Film
from orders import services as orders
from stats.exports import csv_response
from tests.factories import FilmFactory
from tests.orders.conftest import make_edition

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+1", "+33 1 2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_would_start_a_formula_is_written_as_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Médiathèque", "-12", "-12.50", "+3", "1e-3", 12, -3, None, ""])
def test_other_cells_are_written_as_they_are(value):
    assert neutralise(value) == value


def _rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_dvd_orders_export(editor_api, library):
    library.name = "=cmd|' /C calc'!A0"
    library.dvd_authorised_since = datetime.date(2015, 1, 1)
    library.save()
    edition = make_edition(film=FilmFactory(title="@Film"))
    order, _ = orders.cart_get_or_create(library=library)
    orders.cart_line_add(order=order, edition=edition, quantity=2)
    (row,) = _rows(editor_api.get("/api/v1/orders/", {"format": "csv"}))
    assert row["library"] == "'=cmd|' /C calc'!A0"
    assert row["film"] == "'@Film"
    assert row["quantity"] == "2"


def test_the_rights_reports(editor_api):
    FilmFactory(
        title='=HYPERLINK("http://x","y")',
        status=Film.Status.WITHDRAWN,
        withdrawn_on=datetime.date(2017, 6, 1),
        withdrawal_reason="-2+3",
    )
    rows = _rows(
        editor_api.get(
            "/api/v1/rights-reports/withdrawn-films/",
            {"format": "csv", "start": "2017-01-01", "end": "2017-12-31"},
        )
    )
    (row,) = rows
    assert row["title"] == '\'=HYPERLINK("http://x","y")'
    assert row["withdrawal_reason"] == "'-2+3"


def test_the_stats_tables():
    response = csv_response("t", ["name", "views"], [["+33 sneaky", -4], ["ok", 3]])
    assert response.content.decode().splitlines() == ["name,views", "'+33 sneaky,-4", "ok,3"]
