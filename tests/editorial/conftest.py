"""Films with and without rights for a library, and collections built through the API."""

import datetime

import pytest
from django.utils import timezone

from institutions.models import Institution
from rights.models import Medium
from tests.factories import FilmFactory, PersonFactory
from tests.rights.conftest import GrantFactory


def day(offset: int = 0) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def film_with(*media, kinds=None, ends_in=None, **film_fields):
    """A film in the catalogue with an open (or ending) right on each medium given."""
    film = FilmFactory(**film_fields)
    for medium in media:
        extra = {"eligible_kinds": kinds} if kinds else {}
        GrantFactory(
            film=film,
            medium=medium,
            starts_on=day(-365),
            ends_on=day(ends_in) if ends_in is not None else None,
            **extra,
        )
    return film


@pytest.fixture
def films(db):
    """streamed: everyone may stream it; dvd_only: DVD only; departmental: streaming for
    departmental libraries only; none: no right at all."""
    director = PersonFactory(name="Agnès Varda", sort_name="Varda, Agnès")
    streamed = film_with(Medium.STREAM_HOME, Medium.STREAM_ONSITE, title="Les Glaneurs")
    streamed.directors.add(director)
    return {
        "streamed": streamed,
        "dvd_only": film_with(Medium.DVD, title="Sur DVD"),
        "departmental": film_with(
            Medium.STREAM_HOME, kinds=[Institution.Kind.DEPARTMENTAL], title="Pour les BDP"
        ),
        "none": FilmFactory(title="Sans droits"),
    }


def create_collection(editor_api, films_in_order, **fields):
    body = {
        "kind": "favourites",
        "title": "Coups de cœur",
        "published_from": day(-1).isoformat(),
        "items": [{"film": film.pk} for film in films_in_order],
        **fields,
    }
    response = editor_api.post("/api/v1/collections/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()
