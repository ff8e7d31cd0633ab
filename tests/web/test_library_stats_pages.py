"""The back office's statistics page: charts with the table beside, a period and a
grouping, the CSV of each table; a network's administrator reads its members' figures;
another library's figures never appear (404 when asked for); SUSHI credentials created
(the key shown once) and revoked by an administrator."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from stats.models import SushiCredential
from stats.services import sushi_key_digest
from tests.factories import FilmFactory, UserFactory
from tests.stats.conftest import make_view
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 14)
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def views(library, other_library):
    mine = FilmFactory(title="Les Glaneurs")
    theirs = FilmFactory(title="Film de l'autre")
    for viewer in ("a", "b", "c"):
        make_view(library=library, film=mine, day=DAY, viewer=viewer, seconds=1200)
    make_view(library=other_library, film=theirs, day=DAY, viewer="z")
    return mine, theirs


def test_charts_and_tables_of_the_library_and_never_another_librarys(staff_web, views):
    mine, theirs = views
    response = staff_web.get("/bibliotheque/statistiques/", PERIOD)
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert page.count('<svg class="web-chart"') >= 4  # views, screenings, orders, top films
    assert '<title id="chart-views-title">Visionnages par mois (visionnages)</title>' in page
    march = re.search(r"<tr><td>2025-03</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", page)
    assert march and march.groups() == ("3", "3", "60")  # views, distinct viewers, minutes
    assert mine.title in page and theirs.title not in page


def test_a_grouping_and_its_csv(staff_web, views):
    mine, _theirs = views
    response = staff_web.get(
        "/bibliotheque/statistiques/", {**PERIOD, "group_by": "film", "csv": "views"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["film_title"], row["views"]) for row in rows] == [(mine.title, "3")]


def test_a_bad_period_is_refused_in_place(staff_web, views):
    response = staff_web.get(
        "/bibliotheque/statistiques/", {"start": "2025-06-01", "end": "2025-01-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_end-error"' in page and "La période se termine avant de commencer." in page
    assert (
        staff_web.get("/bibliotheque/statistiques/", {"start": "pas une date"}).status_code == 400
    )


def test_another_institution_is_not_found(staff_web, other_library, views):
    response = staff_web.get("/bibliotheque/statistiques/", {"institution": other_library.pk})
    assert response.status_code == 404
    assert "Film de l" not in response.content.decode()


def test_a_network_administrator_reads_the_network_and_each_member(network, library, views):
    admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)
    client = Client()
    client.force_login(admin)
    mine, theirs = views
    whole = unescape(
        client.get(
            "/bibliotheque/statistiques/", {**PERIOD, "group_by": "library"}
        ).content.decode()
    )
    assert library.name in whole and mine.title in whole and theirs.title not in whole
    member = client.get("/bibliotheque/statistiques/", {**PERIOD, "institution": library.pk})
    assert member.status_code == 200
    assert "Où vivent les usagers" in unescape(member.content.decode())


def test_sushi_credentials_are_created_once_and_revoked(staff_web, library):
    url = "/bibliotheque/statistiques/"
    response = staff_web.post(
        url + "sushi/", {"csrfmiddlewaretoken": csrf_of(staff_web, url), "label": "Mon SIGB"}
    )
    assert response.status_code == 200
    key = re.search(r'<code id="shown-secret">([^<]+)</code>', response.content.decode()).group(1)
    credential = SushiCredential.objects.get(institution=library)
    assert credential.key_digest == sushi_key_digest(key) and credential.label == "Mon SIGB"
    listed = staff_web.get(url).content.decode()
    assert credential.requestor_id in listed and key not in listed
    revoked = staff_web.post(
        f"{url}sushi/{credential.pk}/revoquer", {"csrfmiddlewaretoken": csrf_of(staff_web, url)}
    )
    assert revoked.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_at is not None


def test_a_member_may_not_create_credentials_nor_revoke_anothers(library, other_library):
    from stats.services import sushi_credential_create

    theirs = sushi_credential_create(institution=other_library).credential
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = "/bibliotheque/statistiques/"
    assert 'id="sushi-new"' not in client.get(url).content.decode()
    refused = client.post(url + "sushi/", {"csrfmiddlewaretoken": csrf_of(client, url)})
    assert (
        refused.status_code == 302
        and not SushiCredential.objects.filter(institution=library).exists()
    )
    other = client.post(
        f"{url}sushi/{theirs.pk}/revoquer", {"csrfmiddlewaretoken": csrf_of(client, url)}
    )
    assert other.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_page_costs_the_same_queries_with_more_figures(staff_web, library, views):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert (
                staff_web.get(
                    "/bibliotheque/statistiques/", {**PERIOD, "group_by": "film"}
                ).status_code
                == 200
            )
        return len(captured)

    few = count()
    for index in range(4):
        make_view(
            library=library, film=FilmFactory(), day=DAY + datetime.timedelta(days=40 * index)
        )
    assert count() == few
