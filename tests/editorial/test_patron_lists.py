"""The patron's own lists on the API: ratings (once watched, 1 to 5, one per patron and
film, changeable), "my list" (saved films), the most appreciated films; their place in
the patron's data export and erasure."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from editorial import ratings, saved_films
from editorial.models import AppreciatedFilm, FilmRating, SavedFilm
from media.models import PlaybackSession
from rights.models import Medium
from tests.editorial.conftest import film_with
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _subscription_of(user):
    from subscriptions.models import Subscription
    from subscriptions.services.subscriptions import (
        subscription_activate,
        subscription_quote_create,
    )
    from tests.subscriptions.conftest import make_grid

    found = Subscription.objects.filter(subscriber=user.institution).first()
    if found is not None:
        return found
    grid = make_grid(timezone.localdate().year)
    plan = grid.plans.get(code="platform")
    quote = subscription_quote_create(
        subscriber=user.institution, plan=plan, starts_on=timezone.localdate()
    )
    return subscription_activate(subscription=quote)


def watched(user, film):
    """A playback session of the user's (its subscription: any of their library's)."""
    now = timezone.now()
    return PlaybackSession.objects.create(
        film=film,
        user=user,
        institution=user.institution,
        subscription=_subscription_of(user),
        medium=Medium.STREAM_HOME,
        started_at=now,
        last_heartbeat_at=now,
    )


@pytest.fixture
def film(db):
    return film_with(Medium.STREAM_HOME, title="Les Glaneurs")


def test_rating_needs_a_viewing_and_refuses_bad_stars(patron_api, patron, film):
    url = f"/api/v1/films/{film.pk}/rating/"
    response = patron_api.put(url, {"stars": 4}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_watched"
    watched(patron, film)
    for bad in (0, 6, "x", None):
        response = patron_api.put(url, {"stars": bad}, format="json")
        assert response.status_code == 400 and "stars" in response.json()["fields"]
    assert not FilmRating.objects.exists()
    assert patron_api.put(url, {"stars": 4}, format="json").json()["stars"] == 4
    assert patron_api.put(url, {"stars": 2}, format="json").json()["stars"] == 2
    assert list(FilmRating.objects.values_list("stars", flat=True)) == [2]
    assert patron_api.get("/api/v1/me/ratings/").json()[0]["stars"] == 2
    assert patron_api.delete(url).status_code == 204
    assert not FilmRating.objects.exists()


def test_only_patrons_rate_and_keep_lists(library_api, editor_api, film):
    for client in (library_api, editor_api):
        response = client.put(f"/api/v1/films/{film.pk}/rating/", {"stars": 3}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "patrons_only"
        response = client.post("/api/v1/me/saved-films/", {"film": film.pk}, format="json")
        assert response.status_code == 403
    assert not SavedFilm.objects.exists()


def test_my_list_on_the_api(patron_api, patron, film):
    dvd_only = film_with(Medium.DVD, title="Sur DVD")
    for saved in (film, dvd_only, film):
        assert (
            patron_api.post(
                "/api/v1/me/saved-films/", {"film": saved.pk}, format="json"
            ).status_code
            == 201
        )
    rows = patron_api.get("/api/v1/me/saved-films/").json()
    assert [row["film"]["title"] for row in rows] == ["Sur DVD", "Les Glaneurs"]
    assert rows[0]["film"]["media"] == []  # kept, but no longer for this patron's library
    assert rows[1]["film"]["media"] == ["stream_home"]
    assert patron_api.delete(f"/api/v1/me/saved-films/{film.pk}/").status_code == 204
    assert SavedFilm.objects.filter(user=patron).count() == 1
    unknown = patron_api.post("/api/v1/me/saved-films/", {"film": 10**9}, format="json")
    assert unknown.status_code == 404


def test_the_list_is_bounded(patron, film, monkeypatch):
    monkeypatch.setattr(saved_films, "SAVED_FILMS_MAX", 2)
    for _ in range(2):
        saved_films.saved_film_add(user=patron, film_id=film_with(Medium.STREAM_HOME).pk)
    with pytest.raises(Exception) as refused:
        saved_films.saved_film_add(user=patron, film_id=film.pk)
    assert refused.value.code == "list_full"
    assert SavedFilm.objects.filter(user=patron).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_cannot_pass_the_bound(patron, monkeypatch):
    """Ten saves at once of ten films, room for three: the patron's row lock lets three
    in, on real concurrent connections."""
    monkeypatch.setattr(saved_films, "SAVED_FILMS_MAX", 3)
    films = [film_with(Medium.STREAM_HOME) for _ in range(10)]
    barrier = threading.Barrier(len(films))

    def save(film_id):
        try:
            barrier.wait()
            saved_films.saved_film_add(user=patron, film_id=film_id)
        except Exception:  # noqa: S110 - the refusals are what is counted below
            pass
        finally:
            close_old_connections()

    threads = [threading.Thread(target=save, args=(f.pk,)) for f in films]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    connection.close()
    assert SavedFilm.objects.filter(user=patron).count() == 3


@settings(max_examples=25, deadline=None)
@given(stars=st.lists(st.lists(st.integers(1, 5), min_size=3, max_size=3), min_size=1, max_size=6))
def test_the_ranking_is_the_average_of_the_ratings(stars):
    """For any patrons' ratings of three films: the ranking holds the films with enough
    ratings, by average stars (two decimals, half up), then number of ratings, then id."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.db import transaction

    with transaction.atomic():
        library = UserFactory(role="patron").institution
        films = [film_with(Medium.STREAM_HOME) for _ in range(3)]
        for row in stars:
            patron = UserFactory(role="patron", institution=library)
            for film, value in zip(films, row, strict=True):
                FilmRating.objects.create(user=patron, film=film, stars=value)
        ratings.appreciated_refresh()
        expected = sorted(
            (
                -(sum(r[i] for r in stars) / len(stars)),
                -len(stars),
                films[i].pk,
            )
            for i in range(3)
        )
        ranked = list(AppreciatedFilm.objects.order_by("rank").values_list("film_id", flat=True))
        if len(stars) < 3:  # APPRECIATED_MIN_RATINGS
            assert ranked == []
        else:
            assert ranked == [film_id for _avg, _count, film_id in expected]
            first = AppreciatedFilm.objects.get(rank=1)
            assert first.average_stars == Decimal(str(-expected[0][0])).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        transaction.set_rollback(True)


def test_most_appreciated_shows_only_what_the_caller_may_see(api, patron_api, patron, settings):
    settings.APPRECIATED_MIN_RATINGS = 1
    streamed, dvd_only = film_with(Medium.STREAM_HOME), film_with(Medium.DVD)
    for film in (streamed, dvd_only):
        FilmRating.objects.create(user=patron, film=film, stars=5)
    ratings.appreciated_refresh()
    public = api.get("/api/v1/editorial/most-appreciated/").json()
    assert {row["film"]["id"] for row in public} == {streamed.pk, dvd_only.pk}
    mine = patron_api.get("/api/v1/editorial/most-appreciated/").json()
    assert [row["film"]["id"] for row in mine] == [streamed.pk]


def test_export_and_erasure_cover_the_list_and_the_ratings(library_api, library, film):
    from subscriptions.models import Patron

    body = library_api.post(
        "/api/v1/patrons/", {"card": "0012345678", "pin": "482193"}, format="json"
    ).json()
    patron = Patron.objects.get(pk=body["id"])
    watched(patron.user, film)
    FilmRating.objects.create(user=patron.user, film=film, stars=5)
    SavedFilm.objects.create(user=patron.user, film=film)
    export = library_api.get(f"/api/v1/patrons/{patron.pk}/export/").json()
    assert export["ratings"] == [
        {"film": film.reference, "stars": 5, "rated_at": export["ratings"][0]["rated_at"]}
    ]
    assert export["saved_films"][0]["film"] == film.reference
    assert export["viewing_history"][0]["film"] == film.reference
    assert library_api.post(f"/api/v1/patrons/{patron.pk}/erase/").status_code in (200, 204)
    assert not FilmRating.objects.exists() and not SavedFilm.objects.exists()
    assert PlaybackSession.objects.count() == 1  # statistics stay, linked to nobody
