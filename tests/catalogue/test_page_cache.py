"""The film list's response cache: a repeated page costs one query (none while a worker
remembers the revision), and every change the page depends on is visible on the very
next request of the worker that made it, and within the revision's delay in others."""

import datetime
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.revision import counter as revision
from catalogue.models import Film
from media.models import Asset
from rights.models import Medium
from tests.factories import FilmFactory, InstitutionFactory, PersonFactory
from tests.rights.conftest import GrantFactory

pytestmark = pytest.mark.django_db


def _queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def test_a_repeated_page_costs_one_query_and_the_same_body(api):
    for _ in range(3):
        FilmFactory().directors.add(PersonFactory())
    first_count, first = _queries(api, "/api/v1/films/")
    second_count, second = _queries(api, "/api/v1/films/")
    assert second == first
    assert second_count == 1 < first_count


def test_a_grant_change_shows_on_the_next_request(library_api):
    film = FilmFactory()
    _, before = _queries(library_api, "/api/v1/films/")
    assert before["results"][0]["rights"]["stream_home"]["allowed"] is False
    today = timezone.localdate()
    grant = GrantFactory(film=film, starts_on=today, ends_on=None)
    _, after = _queries(library_api, "/api/v1/films/")
    assert after["results"][0]["rights"]["stream_home"] == {
        "allowed": True,
        "reason": "ok",
        "valid_until": None,
    }
    grant.delete()
    _, gone = _queries(library_api, "/api/v1/films/")
    assert gone["results"][0]["rights"]["stream_home"]["allowed"] is False


def test_film_and_relation_changes_show_on_the_next_request(api):
    film = FilmFactory(title="Avant")
    api.get("/api/v1/films/")
    Film.objects.filter(pk=film.pk).first().save()  # no change: still one body
    film.title = "Après"
    film.save()
    assert api.get("/api/v1/films/").json()["results"][0]["title"] == "Après"
    director = PersonFactory(name="Agnès Varda")
    film.directors.add(director)
    body = api.get("/api/v1/films/").json()
    assert [d["name"] for d in body["results"][0]["directors"]] == ["Agnès Varda"]


def test_each_institution_gets_its_own_rights_summary(
    library_api, other_library_api, other_library
):
    film = FilmFactory()
    GrantFactory(
        film=film,
        medium=Medium.STREAM_HOME,
        starts_on=datetime.date(2000, 1, 1),
        ends_on=None,
        eligible_kinds=[other_library.kind],
    )
    other_library.kind = "association"
    other_library.save()
    mine = library_api.get("/api/v1/films/").json()["results"][0]["rights"]["stream_home"]
    theirs = other_library_api.get("/api/v1/films/").json()["results"][0]["rights"]["stream_home"]
    assert (mine["reason"], theirs["reason"]) == ("ok", "institution_kind")


def test_staff_and_public_see_different_pages(api, editor_api):
    FilmFactory(status=Film.Status.PROPOSED)
    assert api.get("/api/v1/films/").json()["count"] == 0
    assert editor_api.get("/api/v1/films/").json()["count"] == 1


def test_errors_are_not_cached_and_each_caller_gets_its_language(api):
    FilmFactory()
    french = api.get("/api/v1/films/", {"status": "nope"}).json()
    english = api.get("/api/v1/films/", {"status": "nope"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert french != english  # errors are not cached; each in its language
    page_fr = api.get("/api/v1/films/").json()
    page_en = api.get("/api/v1/films/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert page_fr == page_en


def test_each_app_bumps_the_revision_for_its_own_models():
    """The catalogue, the rights, the institutions and the media apps each register in
    their AppConfig.ready() the models that bump the revision."""
    grant = GrantFactory()
    library = InstitutionFactory()
    asset = Asset.objects.create(film=grant.film, kind=Asset.Kind.POSTER)
    person = PersonFactory()
    changes = [
        grant.film.save,  # catalogue
        lambda: grant.film.directors.add(person),  # catalogue, many-to-many
        grant.contract.save,  # rights
        grant.save,  # rights
        library.save,  # institutions
        asset.save,  # media
    ]
    for change in changes:
        before = revision.current()  # inside the test's transaction: read, not remembered
        change()
        assert revision.current() > before, change


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_the_revision_alone():
    FilmFactory()
    before = revision.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        FilmFactory()
        assert revision.current() == before + 1
        raise RuntimeError
    assert revision.current() == before


# --- the revision a worker remembers (outside transactions, as requests run) ------------
def _bump_from_another_worker():
    """What another worker's change does to this one: the revision row moves in the
    database, and this process is not told."""
    from django.db.models import F

    from backend.revision.models import CatalogueRevision

    assert CatalogueRevision.objects.filter(pk=1).update(number=F("number") + 1) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_remembers_the_revision_for_its_ttl(api, settings):
    settings.CATALOGUE_REVISION_TTL_SECONDS = 0.3
    FilmFactory(title="Avant")
    _queries(api, "/api/v1/films/")
    count, page = _queries(api, "/api/v1/films/")
    assert count == 0
    Film.objects.update(title="Après")  # a bulk write: no signal, as another worker's
    _bump_from_another_worker()
    count, page = _queries(api, "/api/v1/films/")
    assert (count, page["results"][0]["title"]) == (0, "Avant")  # within the delay
    time.sleep(0.35)
    count, page = _queries(api, "/api/v1/films/")
    assert page["results"][0]["title"] == "Après"
    assert count > 1  # the revision read, then the page built again


@pytest.mark.django_db(transaction=True)
def test_the_worker_that_changes_the_catalogue_sees_it_at_once(api, settings):
    settings.CATALOGUE_REVISION_TTL_SECONDS = 60
    film = FilmFactory(title="Avant")
    _queries(api, "/api/v1/films/")
    film.title = "Après"
    film.save()
    assert _queries(api, "/api/v1/films/")[1]["results"][0]["title"] == "Après"


@pytest.mark.django_db(transaction=True)
def test_a_zero_ttl_reads_the_revision_on_every_request(api, settings):
    settings.CATALOGUE_REVISION_TTL_SECONDS = 0
    FilmFactory()
    _queries(api, "/api/v1/films/")
    assert _queries(api, "/api/v1/films/")[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_revision_read_inside_a_rolled_back_transaction_is_not_remembered(settings):
    settings.CATALOGUE_REVISION_TTL_SECONDS = 60
    FilmFactory()
    before = revision.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        FilmFactory()
        assert revision.current() == before + 1
        raise RuntimeError
    assert revision.current() == before
