"""The annual activity report reproduces the seed's 2017 figures, computed from the demo
records (shared/DOMAIN.md), through the API and `manage.py annual_report`."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.conftest import client_for
from tests.factories import CinemaStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_api(seeded):
    return client_for(CinemaStaffFactory(username="annual-report-reader"))


#: the 2017 annual report quoted in shared/DOMAIN.md, literally
SEED_2017 = {
    "films_in_catalogue": 881,
    "films_platform_only": 39,
    "films_all_media": 261,
    "films_withdrawn": 170,
    "films_new_on_platform": 26,
    "dvd_copies_ordered": 221,
    "dvd_titles_ordered": 151,
    "ordering_libraries": 31,
    "copies_per_library_min": 1,
    "copies_per_library_max": 23,
    "authorised_libraries": 645,
    "platform_subscribers": 33,
    "libraries_covered": 1069,
}


@pytest.fixture
def seeded(demo_data):
    return demo_data


def test_annual_report_gives_the_seed_figures(staff_api):
    response = staff_api.get("/api/v1/reports/annual/2017/")
    assert response.status_code == 200
    figures = response.json()["figures"]
    assert {name: figures[name] for name in SEED_2017} == SEED_2017
    assert figures["films_dvd_only"] == 881 - 39 - 261
    assert round(Decimal(figures["copies_per_library_average"])) == 7
    assert figures["authorised_libraries_joined"] == 5


def test_annual_report_command_json_and_csv(seeded):
    out = io.StringIO()
    call_command("annual_report", "2017", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert {name: report[name] for name in SEED_2017} == SEED_2017
    out = io.StringIO()
    call_command("annual_report", "2017", "--format", "csv", stdout=out)
    rows = {row["figure"]: row["value"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert {name: int(rows[name]) for name in SEED_2017} == SEED_2017


def test_annual_report_csv_endpoint_in_french(staff_api):
    response = staff_api.get("/api/v1/reports/annual/2017/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "figure,label,value"
    assert "films_in_catalogue,Films au catalogue en fin d'année,881" in lines
