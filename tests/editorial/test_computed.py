"""Computed collections: most watched and most screened over a period (against direct
counts of the records), films leaving soon (as the rights engine says); each shows only
the films the caller's institution may use."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from media.models import ViewEvent
from rights.models import Medium
from subscriptions.models import ScreeningBooking
from tests.conftest import client_for
from tests.editorial.conftest import active_subscription, at, day, film_with, view
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _ids(rows):
    return [row["film"]["id"] for row in rows]


@pytest.fixture
def ranked_films(db):
    """Three films the library may stream, one it may only order on DVD."""
    return [film_with(Medium.STREAM_HOME) for _ in range(3)] + [film_with(Medium.DVD)]


@pytest.mark.embedded
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    plan=st.lists(
        st.tuples(st.integers(0, 3), st.integers(-40, 0), st.integers(0, 1)), max_size=25
    ),
    start=st.integers(-35, -1),
)
def test_most_watched_equals_a_direct_count(library_admin, ranked_films, plan, start):
    """Views of films by two libraries on various days: the ranking is the direct count
    of the period's views (every library's), most first, ties by film id."""
    ViewEvent.objects.all().delete()
    library, films = library_admin.institution, ranked_films
    elsewhere = InstitutionFactory()
    for index, offset, where in plan:
        view(films[index], library if where else elsewhere, offset)
    response = client_for(library_admin).get(
        f"/api/v1/editorial/most-watched/?start={day(start)}&end={day(0)}&limit=3"
    )
    assert response.status_code == 200
    counts = Counter(films[index].pk for index, offset, _ in plan if offset >= start)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]
    assert [(r["film"]["id"], r["views"]) for r in response.json()] == expected
    assert [r["rank"] for r in response.json()] == list(range(1, len(expected) + 1))


def test_patrons_rank_only_what_they_may_stream(patron_api, library):
    streamed, dvd_only = film_with(Medium.STREAM_HOME), film_with(Medium.DVD)
    restricted = film_with(Medium.STREAM_HOME, kinds=["departmental"])
    for film, times in ((streamed, 1), (dvd_only, 5), (restricted, 9)):
        for _ in range(times):
            view(film, library, -1)
    rows = patron_api.get("/api/v1/editorial/most-watched/").json()
    assert [(r["film"]["id"], r["views"]) for r in rows] == [(streamed.pk, 1)]


def test_cinema_staff_rank_everything(editor_api, library):
    films = [film_with(Medium.STREAM_HOME), film_with()]
    view(films[1], library, -2)
    view(films[1], library, -2)
    view(films[0], library, -2)
    rows = editor_api.get("/api/v1/editorial/most-watched/").json()
    assert [(r["film"]["id"], r["views"], r["film"]["media"]) for r in rows] == [
        (films[1].pk, 2, None),
        (films[0].pk, 1, None),
    ]


def test_most_screened_counts_booked_and_held_not_cancelled(library_api, library, other_library):
    subscription = active_subscription(library)
    other_subscription = active_subscription(other_library)
    films = [film_with(Medium.PUBLIC_SCREENING) for _ in range(3)]
    restricted = film_with(Medium.PUBLIC_SCREENING, kinds=["departmental"])
    bookings = [
        (library, subscription, films[0], -3, "booked"),
        (other_library, other_subscription, films[0], -2, "held"),
        (library, subscription, films[1], -1, "booked"),
        (library, subscription, films[1], -1, "cancelled"),
        (library, subscription, films[1], -1, "cancelled"),
        (other_library, other_subscription, films[2], -60, "held"),  # before the period
        (library, subscription, restricted, -1, "booked"),
        (library, subscription, restricted, -2, "booked"),
        (library, subscription, restricted, -3, "booked"),
    ]
    for where, sub, film, offset, status in bookings:
        ScreeningBooking.objects.create(
            library=where,
            subscription=sub,
            film=film,
            starts_at=at(offset),
            venue="Auditorium",
            expected_audience=40,
            status=status,
            actual_attendance=30 if status == "held" else None,
        )
    rows = library_api.get("/api/v1/editorial/most-screened/").json()
    assert [(r["film"]["id"], r["screenings"]) for r in rows] == [
        (films[0].pk, 2),
        (films[1].pk, 1),
    ]
    wide = library_api.get(f"/api/v1/editorial/most-screened/?start={day(-90)}").json()
    assert [r["film"]["id"] for r in wide] == [films[0].pk, films[1].pk, films[2].pk]


def test_leaving_soon_follows_the_rights_engine(library_api, patron_api, editor_api):
    soon = film_with(Medium.STREAM_HOME, Medium.DVD, ends_in=10, title="Bientôt")
    later = film_with(Medium.STREAM_HOME, ends_in=100, title="Plus tard")
    dvd_soon = film_with(Medium.DVD, ends_in=5, title="DVD bientôt")
    restricted = film_with(Medium.STREAM_HOME, ends_in=3, kinds=["departmental"])
    rows = library_api.get("/api/v1/editorial/leaving-soon/").json()
    assert [(r["film"]["title"], r["last_day"], r["media"]) for r in rows] == [
        ("DVD bientôt", day(5).isoformat(), ["dvd"]),
        ("Bientôt", day(10).isoformat(), ["dvd", "stream_home"]),
    ]
    patron_rows = patron_api.get("/api/v1/editorial/leaving-soon/?days=120").json()
    assert [r["film"]["title"] for r in patron_rows] == ["Bientôt", "Plus tard"]
    # the cinema staff: films whose every platform right ends soon, for anyone
    staff_rows = editor_api.get("/api/v1/editorial/leaving-soon/?days=30").json()
    assert {r["film"]["id"] for r in staff_rows} == {soon.pk, restricted.pk}
    assert later.pk not in _ids(staff_rows) and dvd_soon.pk not in _ids(staff_rows)


def test_computed_lists_cost_a_constant_number_of_queries(library_api, library):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert library_api.get(url).status_code == 200
        return len(captured)

    urls = [
        "/api/v1/editorial/most-watched/?limit=50",
        "/api/v1/editorial/leaving-soon/",
    ]
    film_with(Medium.STREAM_HOME, ends_in=5)
    view(film_with(Medium.STREAM_HOME), library, -1)
    small = [queries(url) for url in urls]
    for _ in range(8):
        film_with(Medium.STREAM_HOME, ends_in=7)
        view(film_with(Medium.STREAM_HOME, Medium.DVD), library, -1)
    assert [queries(url) for url in urls] == small


def test_bad_periods_and_institutions(library_api, other_library):
    url = "/api/v1/editorial/most-watched/"
    response = library_api.get(f"{url}?start={day(0)}&end={day(-3)}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_period"
    assert response.json()["detail"] == "La période se termine avant de commencer."
    english = library_api.get(f"{url}?start={day(0)}&end={day(-3)}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "The period ends before it starts."
    assert library_api.get(f"{url}?limit=0").json()["fields"]["limit"][0]["code"] == "min_value"
    assert library_api.get(f"{url}?start=hier").status_code == 400
    assert library_api.get(f"{url}?institution={other_library.pk}").status_code == 404
    assert library_api.get("/api/v1/editorial/leaving-soon/?days=0").status_code == 400
