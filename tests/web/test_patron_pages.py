"""The patron's pages through Django's test client: the watch page before Play, my list,
ratings and the most appreciated films, my space, my data. The player itself is tested in
a real browser (tests/browser/web/)."""

import datetime
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial.models import FilmRating, SavedFilm
from media.models import PlaybackSession
from rights.models import Medium
from tests.editorial.conftest import film_with
from tests.factories import UserFactory
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    # template syntax never reaches a page (a multi-line {# #} comment would)
    assert "{#" not in body and "{%" not in body and "{{" not in body
    return re.sub(r"\s+", " ", body)


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


def watched(user, film, *, position=0.0):
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
        ended_at=now,
        position_seconds=position,
        duration_seconds=3600,
    )


def post(client, url, data=None, **headers):
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(client), **(data or {})}, **headers)


# --- who may come in -----------------------------------------------------------------------------


def test_visitors_are_sent_to_sign_in_and_librarians_told_why(web, staff_web, catalogue):
    film = catalogue["streamed"]
    response = web.get(f"/films/{film.reference}/regarder")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/connexion/?next=/films/{film.reference}/regarder")
    refused = staff_web.get("/mon-espace/")
    assert refused.status_code == 403
    assert "fr-header" in refused.content.decode()


# --- the watch page, before Play ------------------------------------------------------------


def test_watch_page_tells_the_month_left_and_carries_the_players_start(
    patron_web, patron, catalogue, streaming_subscription
):
    streaming_subscription.patron_monthly_films = 4
    streaming_subscription.save(update_fields=["patron_monthly_films"])
    film = catalogue["streamed"]
    page = text(patron_web.get(f"/films/{film.reference}/regarder"))
    assert "Il vous reste 4 films ce mois-ci sur 4" in page
    config = json.loads(
        re.search(r'<script id="player-config" type="application/json">(.*?)</script>', page).group(
            1
        )
    )
    assert config["start"] == f"/api/v1/films/{film.pk}/playback/"
    assert config["csrf"]
    assert "vendor/hls.js/hls.min.js" in page


def test_at_the_monthly_quota_the_page_says_when_it_renews_before_play(
    patron_web, patron, catalogue, streaming_subscription
):
    from subscriptions.models import StreamingLoan

    streaming_subscription.patron_monthly_films = 1
    streaming_subscription.save(update_fields=["patron_monthly_films"])
    other = film_with(Medium.STREAM_HOME)
    now = timezone.now()
    StreamingLoan.objects.create(
        subscription=streaming_subscription,
        library=patron.institution,
        user=patron,
        film=other,
        started_at=now,
        window_ends_at=now,
        day=timezone.localdate(),
    )
    page = text(patron_web.get(f"/films/{catalogue['streamed'].reference}/regarder"))
    renews = (timezone.localdate().replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    assert str(renews.day) in page and str(renews.year) in page
    assert 'role="status" id="quota"' in page


def test_a_patron_without_a_streaming_subscription_reads_why(patron_web, catalogue):
    page = text(patron_web.get(f"/films/{catalogue['streamed'].reference}/regarder"))
    assert "fr-alert--warning" in page


# --- my list ---------------------------------------------------------------------------------


def test_a_film_is_added_to_my_list_and_taken_out(patron_web, patron, catalogue):
    film = catalogue["streamed"]
    url = f"/films/{film.reference}/liste"
    response = post(patron_web, url, {"saved": "1"})
    assert response.status_code == 302
    assert SavedFilm.objects.filter(user=patron, film=film).exists()
    post(patron_web, url, {"saved": "1"})  # twice changes nothing
    assert SavedFilm.objects.filter(user=patron).count() == 1
    swapped = post(patron_web, url, {"saved": "0"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert "Ajouter à ma liste" in swapped.content.decode()
    assert not SavedFilm.objects.filter(user=patron).exists()


def test_my_space_lists_my_films_my_history_and_ratings(patron_web, patron, catalogue):
    film, other = catalogue["streamed"], catalogue["dvd_only"]
    SavedFilm.objects.create(user=patron, film=film)
    SavedFilm.objects.create(user=patron, film=other)  # no longer usable by the library
    watched(patron, film, position=1200)
    FilmRating.objects.create(user=patron, film=film, stars=4)
    someone_else = UserFactory(role="patron", institution=patron.institution)
    SavedFilm.objects.create(user=someone_else, film=catalogue["coming"])
    page = text(patron_web.get("/mon-espace/"))
    assert film.title in page and other.title in page
    assert catalogue["coming"].title not in page  # another patron's list
    assert "20 min 00 s / 1 h 00 min" in page
    assert "4 étoiles" in page


def test_my_space_costs_the_same_queries_with_a_longer_list(patron_web, patron):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert patron_web.get("/mon-espace/").status_code == 200
        return len(captured)

    first = film_with(Medium.STREAM_HOME)
    SavedFilm.objects.create(user=patron, film=first)
    watched(patron, first)
    few = queries()
    for _ in range(12):
        film = film_with(Medium.STREAM_HOME)
        SavedFilm.objects.create(user=patron, film=film)
        watched(patron, film)
    assert queries() == few


# --- ratings -----------------------------------------------------------------------------------


def test_a_patron_rates_only_what_they_watched_and_may_change_it(patron_web, patron, catalogue):
    film = catalogue["streamed"]
    url = f"/films/{film.reference}/note"
    refused = post(patron_web, url, {"stars": "5"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert "Vous pourrez noter ce film après l’avoir regardé." in refused.content.decode()
    assert not FilmRating.objects.exists()
    watched(patron, film)
    post(patron_web, url, {"stars": "5"})
    post(patron_web, url, {"stars": "3"})
    assert list(FilmRating.objects.values_list("stars", flat=True)) == [3]
    for bad in ("0", "6", "x", ""):
        post(patron_web, url, {"stars": bad})
    assert list(FilmRating.objects.values_list("stars", flat=True)) == [3]


def test_ratings_feed_most_appreciated_after_the_refresh(web, library, catalogue, settings):
    settings.APPRECIATED_MIN_RATINGS = 2
    liked, disliked = (
        film_with(Medium.STREAM_HOME, title="Aimé"),
        film_with(Medium.STREAM_HOME, title="Boudé"),
    )
    for stars_liked, stars_disliked in ((5, 1), (4, 2)):
        patron = UserFactory(role="patron", institution=library)
        for film, stars in ((liked, stars_liked), (disliked, stars_disliked)):
            watched(patron, film)
            FilmRating.objects.create(user=patron, film=film, stars=stars)
    before = text(web.get("/"))
    assert "Aimé" not in before
    call_command("refresh_appreciated")
    after = text(web.get("/"))
    section = after[after.index("appreciated-title") :]
    assert section.index("Aimé") < section.index("Boudé")
    assert "4,50 sur 5" in section


# --- my data -------------------------------------------------------------------------------------


def test_my_data_shows_and_downloads_what_is_kept(patron_web, library):
    from subscriptions.services.patrons import patron_register

    patron = patron_register(institution=library, card="0012345678", pin="482193", home_area="69")
    patron_web.force_login(patron.user, backend="subscriptions.backends.PatronCardBackend")
    page = text(patron_web.get("/mon-espace/donnees/"))
    assert patron.user.username in page
    download = patron_web.get("/mon-espace/donnees/", {"download": "json"})
    assert download["Content-Type"].startswith("application/json")
    assert json.loads(download.content)["home_area"] == "69"
    assert "0012345678" not in download.content.decode()
