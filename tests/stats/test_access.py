"""Whose statistics a caller reads: a library its own, a network its own and its
members', the cinema staff everyone's; anyone else's answer 404 (never 403), patrons and
anonymous callers read none."""

import datetime

import pytest

from tests.factories import FilmFactory, InstitutionFactory, MembershipFactory
from tests.stats.conftest import make_view

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 10)
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}
TABLES = ["views", "screenings", "orders"]


@pytest.fixture
def views(library, other_library):
    film = FilmFactory()
    make_view(library=library, film=film, day=DAY, viewer="a")
    make_view(library=library, film=film, day=DAY, viewer="b")
    make_view(library=other_library, film=film, day=DAY, viewer="c")


def _total(response) -> int:
    assert response.status_code == 200, response.content
    return sum(row["views"] for row in response.json()["rows"])


def test_library_reads_only_its_own_by_default(library_api, views):
    assert _total(library_api.get("/api/v1/stats/views/", PERIOD)) == 2


@pytest.mark.parametrize("table", TABLES)
def test_another_library_statistics_are_404(library_api, other_library, table):
    response = library_api.get(f"/api/v1/stats/{table}/", {"institution": other_library.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_institution_is_404_even_for_staff(editor_api):
    response = editor_api.get("/api/v1/stats/views/", {"institution": 999_999})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_library_does_not_read_its_network(library_api, network):
    assert library_api.get("/api/v1/stats/views/", {"institution": network.pk}).status_code == 404


def test_network_reads_its_members_not_others(network_api, library, other_library, views):
    assert _total(network_api.get("/api/v1/stats/views/", PERIOD)) == 2
    member = network_api.get("/api/v1/stats/views/", {**PERIOD, "institution": library.pk})
    assert _total(member) == 2
    outsider = network_api.get("/api/v1/stats/views/", {"institution": other_library.pk})
    assert outsider.status_code == 404


def test_staff_read_everything(editor_api, library, views):
    assert _total(editor_api.get("/api/v1/stats/views/", PERIOD)) == 3
    one = editor_api.get("/api/v1/stats/views/", {**PERIOD, "institution": library.pk})
    assert _total(one) == 2


def test_patron_and_anonymous_read_nothing(patron_api, api, library, views):
    assert patron_api.get("/api/v1/stats/views/").status_code == 404
    assert api.get("/api/v1/stats/views/").status_code == 401


def test_network_counts_a_member_only_while_it_is_a_member(network_api, network):
    joined = InstitutionFactory()
    MembershipFactory(network=network, library=joined, joined_on=datetime.date(2024, 3, 1))
    film = FilmFactory()
    make_view(library=joined, film=film, day=datetime.date(2024, 2, 28))
    make_view(library=joined, film=film, day=datetime.date(2024, 3, 1))
    body = network_api.get("/api/v1/stats/views/", {**PERIOD, "group_by": "month"}).json()
    assert [(r["month"], r["views"]) for r in body["rows"]] == [("2024-03", 1)]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stats/home-areas/",
        "/api/v1/stats/charts/monthly/",
        "/api/v1/stats/charts/home-areas/",
        "/api/v1/reports/counter/title-requests/",
    ],
)
def test_other_endpoints_refuse_another_library(library_api, other_library, url):
    assert library_api.get(url, {"institution": other_library.pk}).status_code == 404


def test_annual_report_is_staff_only(library_api, network_api, editor_api):
    for client in (library_api, network_api):
        response = client.get("/api/v1/reports/annual/2024/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert editor_api.get("/api/v1/reports/annual/2024/").status_code == 200
