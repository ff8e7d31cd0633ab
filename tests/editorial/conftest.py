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


def at(offset: int, hour: int = 20) -> datetime.datetime:
    """A moment `offset` days from today, in Paris."""
    return timezone.make_aware(datetime.datetime.combine(day(offset), datetime.time(hour, 0)))


def view(film, institution, offset: int, *, seconds: int = 600, viewer: str = "p1"):
    from media.models import ViewEvent

    return ViewEvent.objects.create(
        film=film,
        institution=institution,
        viewer_pseudonym=viewer,
        medium="stream_home",
        seconds_watched=seconds,
        started_at=at(offset),
    )


def active_subscription(subscriber, *, plan_code: str = "platform"):
    from subscriptions.models import Plan
    from subscriptions.services.subscriptions import (
        subscription_activate,
        subscription_quote_create,
    )
    from tests.subscriptions.conftest import make_grid

    year = timezone.localdate().year
    grid = make_grid(year) if not Plan.objects.filter(grid__year=year).exists() else None
    plan = (grid.plans if grid else Plan.objects.filter(grid__year=year)).get(code=plan_code)
    return subscription_activate(
        subscription=subscription_quote_create(
            subscriber=subscriber, plan=plan, starts_on=day(0).replace(month=1, day=1)
        )
    )
