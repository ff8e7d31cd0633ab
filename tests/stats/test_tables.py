"""The tables count what the records say: each grouping against counts made directly on
the generated records (hypothesis), empty months in the series, screenings and orders
measures, constant query counts, CSV and SVG answers, bad input in French and English."""

import datetime
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from institutions.models import Institution
from orders.models import Order, OrderLine
from stats.selectors.scope import Period, StatsScope
from stats.selectors.tables import GROUPINGS, TABLES, stats_table, stats_table_size
from stats.selectors.usage import SOURCES, VIEWS, usage_table, usage_table_size
from tests.factories import FilmFactory, InstitutionFactory, MembershipFactory, NetworkFactory
from tests.stats.conftest import make_order, make_screening, make_subscription, make_view

pytestmark = pytest.mark.django_db

START = datetime.date(2024, 1, 1)
PERIOD = Period(START, datetime.date(2024, 4, 30))
JOINED = datetime.date(2024, 2, 15)


@pytest.fixture
def world(db):
    network = NetworkFactory(code="NET-A")
    libraries = [
        InstitutionFactory(code="LIB-A", department_code="69", region_code="84"),
        InstitutionFactory(code="LIB-B", department_code="38", region_code="84"),
        InstitutionFactory(code="LIB-C", department_code="35", region_code="53"),
    ]
    MembershipFactory(network=network, library=libraries[0], joined_on=datetime.date(2020, 1, 1))
    MembershipFactory(network=network, library=libraries[1], joined_on=JOINED)
    films = [FilmFactory(), FilmFactory(), FilmFactory()]
    return network, libraries, films


events = st.lists(
    st.tuples(
        st.integers(0, 2),  # library
        st.integers(0, 2),  # film
        st.integers(-10, 140),  # day after 1 January 2024 (some outside the period)
        st.integers(0, 7200),  # seconds
        st.integers(0, 4),  # viewer
    ),
    max_size=25,
)


def _expected(world, generated, grouping):
    network, libraries, films = world
    table = defaultdict(lambda: {"views": 0, "seconds": 0, "viewers": set()})
    for lib, film, offset, seconds, viewer in generated:
        day = START + datetime.timedelta(days=offset)
        if not PERIOD.start <= day <= PERIOD.end:
            continue
        library = libraries[lib]
        if grouping == "network":
            if lib == 2 or (lib == 1 and day < JOINED):
                continue
            key = network.pk
        else:
            key = {
                "month": day.strftime("%Y-%m"),
                "film": films[film].pk,
                "library": library.pk,
                "department": library.department_code,
                "region": library.region_code,
            }[grouping]
        row = table[key]
        row["views"] += 1
        row["seconds"] += seconds
        row["viewers"].add(viewer)
    return {
        key: (row["views"], round(row["seconds"] / 60), len(row["viewers"]))
        for key, row in table.items()
    }


KEY_OF = {
    "month": "month",
    "film": "film_pk",
    "library": "library_pk",
    "network": "network_pk",
    "department": "department",
    "region": "region",
}


@pytest.mark.embedded
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(generated=events)
def test_every_grouping_matches_direct_counts(world, generated):
    network, libraries, films = world
    with transaction.atomic():
        for lib, film, offset, seconds, viewer in generated:
            make_view(
                library=libraries[lib],
                film=films[film],
                day=START + datetime.timedelta(days=offset),
                seconds=seconds,
                viewer=f"viewer-{viewer}",
            )
        for grouping, key in KEY_OF.items():
            rows = usage_table(VIEWS, scope=StatsScope(None), period=PERIOD, group_by=[grouping])
            got = {row[key]: (row["views"], row["minutes"], row["viewers"]) for row in rows}
            assert got == _expected(world, generated, grouping), grouping
            # counted without building it: as many as the groups found by hand
            for scope in (StatsScope(None), StatsScope(network), StatsScope(libraries[1])):
                size = usage_table_size(VIEWS, scope=scope, period=PERIOD, group_by=[grouping])
                built = usage_table(VIEWS, scope=scope, period=PERIOD, group_by=[grouping])
                assert size == len(built), (grouping, scope)
            assert usage_table_size(
                VIEWS, scope=StatsScope(None), period=PERIOD, group_by=[grouping]
            ) == len(_expected(world, generated, grouping))
        # a network's scope is its members' records while they were members
        network_rows = usage_table(
            VIEWS, scope=StatsScope(network), period=PERIOD, group_by=["month"]
        )
        expected = _expected(world, generated, "network")
        assert sum(r["views"] for r in network_rows) == sum(v[0] for v in expected.values())
        transaction.set_rollback(True)


@pytest.mark.embedded
def test_a_view_at_midnight_in_paris_counts_in_its_paris_month(world):
    _, libraries, films = world
    make_view(library=libraries[0], film=films[0], day=datetime.date(2024, 3, 1), hour=0)
    rows = usage_table(VIEWS, scope=StatsScope(None), period=PERIOD, group_by=["month"])
    assert [(r["month"], r["views"]) for r in rows] == [("2024-03", 1)]


def test_screenings_and_orders_measures(world, editor_api):
    _, libraries, films = world
    subscription = make_subscription(libraries[0])
    day = datetime.date(2024, 2, 10)
    make_screening(library=libraries[0], film=films[0], day=day, subscription=subscription)
    make_screening(
        library=libraries[0], film=films[1], day=day, subscription=subscription, attendance=35
    )
    make_screening(
        library=libraries[0], film=films[1], day=day, subscription=subscription, cancelled=True
    )
    make_order(
        library=libraries[0],
        day=day,
        lines=[(films[0], 3, "accepted"), (films[1], 2, "accepted"), (films[2], 5, "rejected")],
    )
    make_order(library=libraries[1], day=day, lines=[(films[0], 1, "accepted")])
    make_order(
        library=libraries[1],
        day=day,
        lines=[(films[2], 4, "cancelled")],
        status=Order.Status.CANCELLED,
    )
    query = {"start": "2024-01-01", "end": "2024-04-30", "group_by": "library"}
    screenings = editor_api.get("/api/v1/stats/screenings/", query).json()["rows"]
    assert [
        (r["library_code"], r["screenings"], r["held"], r["attendance"]) for r in screenings
    ] == [("LIB-A", 2, 1, 35)]
    orders = {
        r["library_code"]: (r["copies"], r["titles"], r["orders"])
        for r in editor_api.get("/api/v1/stats/orders/", query).json()["rows"]
    }
    assert orders == {"LIB-A": (5, 2, 1), "LIB-B": (1, 1, 1)}
    direct = sum(OrderLine.objects.filter(status="accepted").values_list("quantity", flat=True))
    assert sum(c for c, _, _ in orders.values()) == direct
    by_network = editor_api.get("/api/v1/stats/orders/", {**query, "group_by": "network"})
    # LIB-B joined the network on 15 February, after its order of 10 February
    assert [(r["network_code"], r["copies"]) for r in by_network.json()["rows"]] == [("NET-A", 5)]


def test_every_tables_size_is_its_rows_counted_without_building_it(world):
    """The number the page and the API decide on (a CSV written at once or prepared in
    the background) is the number of rows the table has: screenings and orders too, the
    month tables with their empty months, the most watched films at most ten."""
    network, libraries, films = world
    films += [FilmFactory() for _ in range(10)]  # 13 films: the top ten is cut
    subscription = make_subscription(libraries[0])
    for number, film in enumerate(films):
        make_view(library=libraries[number % 3], film=film, day=datetime.date(2024, 3, 1))
    day = datetime.date(2024, 2, 20)
    make_screening(library=libraries[0], film=films[0], day=day, subscription=subscription)
    make_screening(library=libraries[1], film=films[1], day=day, subscription=subscription)
    make_order(library=libraries[1], day=day, lines=[(films[2], 1, "accepted")])
    make_order(library=libraries[2], day=day, lines=[(films[3], 2, "accepted")])
    checked = 0
    for scope in (StatsScope(None), StatsScope(network), StatsScope(libraries[0])):
        for name in TABLES:
            if name == "home_areas" and (scope.institution is None or scope.is_network):
                continue
            for grouping in GROUPINGS:
                rows = stats_table(name, scope=scope, period=PERIOD, group_by=grouping)
                size = stats_table_size(name, scope=scope, period=PERIOD, group_by=grouping)
                assert size == len(rows), (name, grouping, scope)
                checked += 1
    assert checked > 40
    national = StatsScope(None)
    assert stats_table_size("top_films", scope=national, period=PERIOD) == 10
    assert stats_table_size("views", scope=national, period=PERIOD, group_by="film") == 13
    assert stats_table_size("views", scope=national, period=PERIOD) == 4  # January to April
    assert stats_table_size("orders", scope=national, period=PERIOD, group_by="library") == 2


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("grouping", list(KEY_OF))
def test_table_endpoints_take_a_constant_number_of_queries(editor_api, world, source, grouping):
    _, libraries, films = world
    url = f"/api/v1/stats/{source}/"
    query = {"start": "2024-01-01", "end": "2024-12-31", "group_by": grouping}

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert editor_api.get(url, query).status_code == 200
        return len(ctx.captured_queries)

    make_view(library=libraries[0], film=films[0], day=datetime.date(2024, 1, 5))
    few = count()
    for offset, library in enumerate(libraries * 3):
        for film in [*films, FilmFactory()]:
            make_view(
                library=library, film=film, day=datetime.date(2024, 1 + offset % 9, 5 + offset)
            )
    subscription = make_subscription(libraries[0])
    for film in films:
        make_screening(
            library=libraries[0],
            film=film,
            day=datetime.date(2024, 3, 3),
            subscription=subscription,
        )
        make_order(
            library=libraries[2], day=datetime.date(2024, 5, 5), lines=[(film, 2, "accepted")]
        )
    assert count() == few


def test_monthly_table_and_chart_for_a_library(library_api, library):
    film = FilmFactory()
    make_view(library=library, film=film, day=datetime.date(2024, 1, 3), seconds=1200)
    make_view(library=library, film=film, day=datetime.date(2024, 3, 3), seconds=600)
    query = {"start": "2024-01-01", "end": "2024-04-30"}
    csv_response = library_api.get("/api/v1/stats/views/", {**query, "format": "csv"})
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode().splitlines()
    assert lines[0] == "month,views,viewers,minutes"
    assert lines[1:] == ["2024-01,1,1,20", "2024-03,1,1,10"]
    chart = library_api.get("/api/v1/stats/charts/monthly/", {**query, "measure": "minutes"})
    assert chart.status_code == 200
    assert chart["Content-Type"].startswith("image/svg+xml")
    svg = chart.content.decode()
    assert svg.count("<rect") == 4  # every month of the period, empty ones too
    assert "2024-02 : 0" in svg and "2024-01 : 20" in svg


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_csv_longer_than_the_threshold_is_refused_before_it_is_built(
    library_api, library, settings, language
):
    for title in ("Les Glaneurs", "Sans soleil", "Le Joli Mai"):
        make_view(library=library, film=FilmFactory(title=title), day=datetime.date(2024, 2, 1))
    query = {"start": "2024-01-01", "end": "2024-04-30", "group_by": "film", "format": "csv"}
    settings.STATS_EXPORT_BACKGROUND_ROWS = 3  # three rows: written at once
    written = library_api.get("/api/v1/stats/views/", query)
    assert written.status_code == 200 and len(written.content.decode().splitlines()) == 4

    settings.STATS_EXPORT_BACKGROUND_ROWS = 2
    with CaptureQueriesContext(connection) as queries:
        refused = library_api.get("/api/v1/stats/views/", query, HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/json")
    body = refused.json()
    assert (body["code"], body["rows"], body["limit"]) == ("table_too_long", 3, 2)
    assert ("préparer" if language == "fr" else "prepared") in body["detail"]
    # the groups were counted, the titles never read
    assert not any("title" in query["sql"] for query in queries.captured_queries)
    # the same table in JSON is not a file written: answered
    as_json = library_api.get("/api/v1/stats/views/", {**query, "format": "json"})
    assert as_json.status_code == 200 and len(as_json.json()["rows"]) == 3


def test_chart_escapes_institution_names(editor_api):
    library = InstitutionFactory(name="<script>alert(1)</script>")
    response = editor_api.get("/api/v1/stats/charts/monthly/", {"institution": library.pk})
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "La période se termine avant de commencer."),
        ("en", "The period ends before it starts."),
    ],
)
def test_period_ending_before_it_starts_is_400(library_api, language, message):
    response = library_api.get(
        "/api/v1/stats/views/",
        {"start": "2024-03-01", "end": "2024-02-01"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_period"
    assert body["fields"]["end"][0]["message"] == message


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"group_by": "planet"}, "group_by"),
        ({"start": "hier"}, "start"),
        ({"end": "1900-01-01"}, "end"),
        ({"institution": "abc"}, "institution"),
        ({"start": "2000-01-01", "end": "2024-01-01"}, "end"),
    ],
)
def test_bad_query_is_400_with_the_field(editor_api, query, field):
    response = editor_api.get("/api/v1/stats/views/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_measure_of_another_source_is_400(editor_api):
    response = editor_api.get(
        "/api/v1/stats/charts/monthly/", {"source": "orders", "measure": "minutes"}
    )
    assert response.status_code == 400
    assert "measure" in response.json()["fields"]


def test_national_home_areas_ask_for_an_institution(editor_api):
    for language, message in [
        ("fr", "Choisissez un établissement."),
        ("en", "Choose an institution."),
    ]:
        response = editor_api.get("/api/v1/stats/home-areas/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        assert response.json()["fields"]["institution"][0]["message"] == message


def test_unused_institution_row_is_absent(world):
    assert Institution.objects.count() == 4
