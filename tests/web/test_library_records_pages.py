"""The back office's catalogue records page: the full file and the daily update files
in three formats (the records API's files, signed by the session), the proxy prefix of
the 856 link (administrators; a bad address refused in place); a library without a
streaming subscription is told why it has no records."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from records.models import RecordChange, RecordSettings
from rights.models import Medium
from tests.editorial.conftest import film_with
from tests.factories import UserFactory
from tests.records.conftest import subscribe
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(client, url), **data})


def test_the_files_are_offered_and_download_with_the_session(staff_web, network, library):
    subscribe(network)
    film = film_with(Medium.STREAM_HOME, title="Les Glaneurs")
    day = timezone.localdate() - datetime.timedelta(days=1)
    RecordChange.objects.create(institution=library, film=film, day=day, kind="new")
    page = staff_web.get("/bibliotheque/notices/").content.decode()
    assert 'href="/api/v1/records/?format=unimarc"' in page
    update = f"/api/v1/records/updates/{day:%Y-%m-%d}/?format=marcxml"
    assert f'href="{update}"' in page
    full = staff_web.get("/api/v1/records/?format=marcxml")
    assert full.status_code == 200 and b"Les Glaneurs" in full.content
    assert staff_web.get(update).status_code == 200


def test_a_library_without_streaming_is_told_why(staff_web, library):
    page = unescape(staff_web.get("/bibliotheque/notices/").content.decode())
    assert "cette bibliothèque n'en a pas aujourd'hui" in page
    assert "/api/v1/records/?format" not in page


def test_the_proxy_prefix_changes_the_856_link(staff_web, library):
    saved = post(
        staff_web,
        "/bibliotheque/notices/",
        {"proxy_prefix": "https://proxy.bib.example/login?url="},
    )
    assert saved.status_code == 302
    assert RecordSettings.objects.get(institution=library).proxy_prefix.startswith("https://proxy")
    page = staff_web.get("/bibliotheque/notices/").content.decode()
    assert "https://proxy.bib.example/login?url=http" in page
    bad = post(staff_web, "/bibliotheque/notices/", {"proxy_prefix": "pas une adresse"})
    assert bad.status_code == 400 and 'id="id_proxy_prefix-error"' in bad.content.decode()


def test_a_member_may_not_change_the_prefix(library):
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert 'id="records-proxy"' not in client.get("/bibliotheque/notices/").content.decode()
    refused = post(client, "/bibliotheque/notices/", {"proxy_prefix": "https://x.example/?u="})
    assert refused.status_code == 403
    assert not RecordSettings.objects.filter(institution=library).exists()


def test_the_page_costs_the_same_queries_with_more_update_files(staff_web, network, library):
    subscribe(network)
    film = film_with(Medium.STREAM_HOME)
    today = timezone.localdate()

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_web.get("/bibliotheque/notices/").status_code == 200
        return len(captured)

    RecordChange.objects.create(institution=library, film=film, day=today, kind="new")
    few = count()
    for days in (1, 2, 3):
        RecordChange.objects.create(
            institution=library, film=film, day=today - datetime.timedelta(days=days), kind="new"
        )
    assert count() == few


def test_the_856_example_is_the_services_address_and_opens_the_films_page(
    staff_web, network, library, settings
):
    """The example link is the service's public address (FRONTEND_BASE_URL; `make run`
    sets it to the address it answers on): followed on that server, it opens the film."""
    settings.FRONTEND_BASE_URL = "http://127.0.0.1:8765"
    subscribe(network)
    film_with(Medium.STREAM_HOME, title="Les Glaneurs", reference="CN-000001")
    page = unescape(staff_web.get("/bibliotheque/notices/").content.decode())
    link = f"http://127.0.0.1:8765/films/CN-000001?bib={library.code}"
    assert f'<code class="web-code">{link}</code>' in page
    opened = staff_web.get(link.removeprefix("http://127.0.0.1:8765"))
    assert opened.status_code == 200 and "Les Glaneurs" in unescape(opened.content.decode())
