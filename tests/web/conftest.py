"""Data for the web client's page tests: films with and without rights, collections, a
patron signed in through a Django test client session."""

import pytest
from django.test import Client

from editorial.models import Collection, CollectionItem
from rights.models import Medium
from tests.editorial.conftest import day, film_with
from tests.factories import FilmFactory, PersonFactory, ThemeFactory
from tests.media.conftest import grid, streaming_subscription, today  # noqa: F401 (fixtures)


@pytest.fixture
def web(db):
    """A browser-like client (sessions, CSRF checks on)."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def catalogue(db):
    """A small catalogue: a streamable film by a director, in a theme; a DVD-only film; a
    film being acquired; a withdrawn film; a committee proposal (hidden)."""
    director = PersonFactory(name="Agnès Varda", sort_name="Varda, Agnès", portrait="Une œuvre.")
    theme = ThemeFactory(name="Travail", slug="travail")
    streamed = film_with(
        Medium.STREAM_HOME,
        Medium.STREAM_ONSITE,
        Medium.PUBLIC_SCREENING,
        title="Réalité des glaneurs",
        reference="CN-00001",
        synopsis="Des glaneurs, des glaneuses.",
    )
    streamed.directors.add(director)
    streamed.themes.add(theme)
    dvd_only = film_with(Medium.DVD, title="Sur DVD", reference="CN-00002")
    coming = FilmFactory(title="Bientôt", reference="CN-00003", status="in_acquisition")
    withdrawn = FilmFactory(
        title="Parti",
        reference="CN-00004",
        status="withdrawn",
        withdrawn_on=day(-10),
        added_on=day(-400),
    )
    proposed = FilmFactory(title="Proposé", reference="CN-00005", status="proposed")
    return {
        "director": director,
        "theme": theme,
        "streamed": streamed,
        "dvd_only": dvd_only,
        "coming": coming,
        "withdrawn": withdrawn,
        "proposed": proposed,
    }


_YESTERDAY = object()


def collection(kind, films, *, title="Coups de cœur", published_from=_YESTERDAY, **fields):
    """A collection of these films, published from yesterday unless told (None: a draft)."""
    published_from = day(-1) if published_from is _YESTERDAY else published_from
    created = Collection.objects.create(
        kind=kind, title=title, published_from=published_from, **fields
    )
    for position, film in enumerate(films):
        CollectionItem.objects.create(collection=created, film=film, position=position)
    return created


@pytest.fixture
def patron_web(patron):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patron)
    return client


@pytest.fixture
def staff_web(library_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(library_admin)
    return client


def csrf_of(client, url="/") -> str:
    """The CSRF token a page gives (what a browser would send back)."""
    client.get(url)
    return client.cookies["csrftoken"].value
