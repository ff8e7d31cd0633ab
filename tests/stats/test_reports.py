"""Reports: the annual report refuses impossible years; the COUNTER-style title report
and where patrons live count what the records say."""

import csv
import datetime
import io

import pytest

from tests.factories import FilmFactory, UserFactory
from tests.stats.conftest import make_patron_view, make_subscription, make_view

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Choisissez une année entre 2000 et l'année prochaine."),
        ("en", "Choose a year between 2000 and next year."),
    ],
)
def test_annual_report_refuses_an_impossible_year(editor_api, language, message):
    response = editor_api.get("/api/v1/reports/annual/1850/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["fields"]["year"][0]["message"] == message


def test_counter_title_report(library_api, library, other_library):
    first, second = FilmFactory(title="Alpha"), FilmFactory(title="Bêta")
    make_view(library=library, film=first, day=datetime.date(2024, 1, 5), viewer="a")
    make_view(library=library, film=first, day=datetime.date(2024, 1, 6), viewer="a")
    make_view(library=library, film=first, day=datetime.date(2024, 3, 6), viewer="b")
    make_view(library=library, film=second, day=datetime.date(2024, 2, 6), viewer="a")
    make_view(library=other_library, film=second, day=datetime.date(2024, 2, 6), viewer="z")
    query = {"start": "2024-01-15", "end": "2024-03-10"}  # whole months: January to March
    report = library_api.get("/api/v1/reports/counter/title-requests/", query).json()
    assert report["report_header"]["begin_date"] == "2024-01-01"
    assert report["report_header"]["end_date"] == "2024-03-31"
    items = {item["title"]: item for item in report["report_items"]}
    assert items["Alpha"]["totals"] == {"Total_Item_Requests": 3, "Unique_Title_Requests": 2}
    assert [p["Total_Item_Requests"] for p in items["Alpha"]["performance"]] == [2, 0, 1]
    assert [p["Unique_Title_Requests"] for p in items["Alpha"]["performance"]] == [1, 0, 1]
    assert items["Bêta"]["totals"]["Total_Item_Requests"] == 1
    response = library_api.get(
        "/api/v1/reports/counter/title-requests/", {**query, "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Title",
        "Item_ID",
        "Metric_Type",
        "Reporting_Period_Total",
        "2024-01",
        "2024-02",
        "2024-03",
    ]
    assert ["Alpha", first.reference, "Total_Item_Requests", "3", "2", "0", "1"] in rows


def test_where_patrons_live_against_the_library(library_api, library):
    """The library is in the Rhône (69, Auvergne-Rhône-Alpes)."""
    subscription = make_subscription(library)
    film, day = FilmFactory(), datetime.date(2024, 5, 2)
    for area in ["69123", "69", "38185", "35238", "", "99999"]:
        make_patron_view(
            library=library,
            film=film,
            day=day,
            home_area=area,
            subscription=subscription,
            user_factory=UserFactory,
        )
    make_view(library=library, film=film, day=day, viewer="staff")  # no patron record
    query = {"start": "2024-01-01", "end": "2024-12-31"}
    body = library_api.get("/api/v1/stats/home-areas/", query).json()
    rows = {(r["department"], r["relation"]): (r["patrons"], r["views"]) for r in body["rows"]}
    assert rows == {
        ("69", "library_department"): (2, 2),
        ("38", "library_region"): (1, 1),
        ("35", "elsewhere"): (1, 1),
        ("", "unknown"): (2, 3),
    }
    summary = {r["relation"]: r["views"] for r in body["summary"]}
    assert summary == {"library_department": 2, "library_region": 1, "elsewhere": 1, "unknown": 3}
    assert all("home_area" not in r for r in body["rows"])  # departments only, never communes
    chart = library_api.get("/api/v1/stats/charts/home-areas/", {**query, "measure": "patrons"})
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert chart.content.decode().count("<rect") == 4
    assert "le département de la bibliothèque : 2" in chart.content.decode()
