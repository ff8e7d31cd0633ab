"""Staff reports on rights: expiring grants, films losing their last medium, films
withdrawn in a period — JSON and CSV."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from catalogue.models import Film
from rights.models import Medium
from tests.factories import FilmFactory, RightsHolderFactory
from tests.rights.conftest import GrantFactory

pytestmark = pytest.mark.django_db


def _day(offset):
    return timezone.localdate() + datetime.timedelta(days=offset)


def test_expiring_grants_report_json_and_csv(editor_api):
    soon = GrantFactory(starts_on=_day(-100), ends_on=_day(10))
    later = GrantFactory(starts_on=_day(-100), ends_on=_day(170))
    GrantFactory(starts_on=_day(-100), ends_on=_day(200))
    GrantFactory(starts_on=_day(-100), ends_on=_day(-1))
    body = editor_api.get("/api/v1/rights-reports/expiring-grants/").json()
    assert [(r["id"], r["days_left"]) for r in body["results"]] == [(soon.pk, 10), (later.pk, 170)]
    assert body["results"][0]["rights_holder"] == soon.contract.rights_holder.name
    short = editor_api.get("/api/v1/rights-reports/expiring-grants/", {"days": 30}).json()
    assert [r["id"] for r in short["results"]] == [soon.pk]

    response = editor_api.get("/api/v1/rights-reports/expiring-grants/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(int(r["id"]), r["film_reference"]) for r in rows] == [
        (soon.pk, soon.film.reference),
        (later.pk, later.film.reference),
    ]


def test_films_losing_their_last_medium(editor_api):
    leaving = GrantFactory(medium=Medium.DVD, starts_on=_day(-100), ends_on=_day(40))
    GrantFactory(
        film=leaving.film,
        contract=leaving.contract,
        medium=Medium.STREAM_HOME,
        starts_on=_day(-100),
        ends_on=_day(60),
    )
    staying = GrantFactory(medium=Medium.DVD, starts_on=_day(-100), ends_on=_day(40))
    GrantFactory(
        film=staying.film,
        contract=staying.contract,
        medium=Medium.STREAM_HOME,
        starts_on=_day(-100),
        ends_on=None,
    )
    # keeps DVD but loses the platform
    platform = GrantFactory(medium=Medium.DVD, starts_on=_day(-100), ends_on=None)
    GrantFactory(
        film=platform.film,
        contract=platform.contract,
        medium=Medium.STREAM_ONSITE,
        starts_on=_day(-100),
        ends_on=_day(30),
    )
    rows = editor_api.get("/api/v1/rights-reports/films-losing-last-medium/").json()["results"]
    assert [(r["id"], r["last_day"], r["media"]) for r in rows] == [
        (leaving.film.pk, _day(60).isoformat(), ["dvd", "stream_home"])
    ]
    rows = editor_api.get(
        "/api/v1/rights-reports/films-losing-last-medium/", {"scope": "platform"}
    ).json()["results"]
    assert [r["id"] for r in rows] == [platform.film.pk, leaving.film.pk]
    # a negotiation under way shows
    editor_api.post(
        "/api/v1/negotiations/",
        {"film": leaving.film.pk, "rights_holder": RightsHolderFactory().pk, "media": ["dvd"]},
        format="json",
    )
    rows = editor_api.get("/api/v1/rights-reports/films-losing-last-medium/").json()["results"]
    assert rows[0]["renegotiating"] is True


def test_withdrawn_films_in_a_period(editor_api):
    inside = FilmFactory(status=Film.Status.WITHDRAWN, withdrawn_on=datetime.date(2017, 6, 1))
    FilmFactory(status=Film.Status.WITHDRAWN, withdrawn_on=datetime.date(2018, 1, 1))
    FilmFactory()
    body = editor_api.get(
        "/api/v1/rights-reports/withdrawn-films/", {"start": "2017-01-01", "end": "2017-12-31"}
    ).json()
    assert [r["id"] for r in body["results"]] == [inside.pk]
    response = editor_api.get(
        "/api/v1/rights-reports/withdrawn-films/",
        {"start": "2017-12-31", "end": "2017-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (response.status_code, response.json()["code"]) == (400, "period_reversed")
    assert list(response.json()["fields"]) == ["end"]
    french = editor_api.get(
        "/api/v1/rights-reports/withdrawn-films/", {"start": "2017-12-31", "end": "2017-01-01"}
    )
    assert french.json()["detail"] != response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/rights-reports/expiring-grants/",
        "/api/v1/rights-reports/films-losing-last-medium/",
        "/api/v1/rights-reports/withdrawn-films/",
    ],
)
def test_reports_are_staff_only(library_api, api, path):
    assert library_api.get(path).status_code == 403
    assert api.get(path).status_code in (401, 403)


def test_report_bad_horizon_names_the_field(editor_api):
    response = editor_api.get("/api/v1/rights-reports/expiring-grants/", {"days": "-3"})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["days"])
