"""Fair use of streaming, on the server: the patron's monthly quota (a film counted once
per viewing window), the library's daily and annual caps, their reset days in
Europe/Paris, the alerts at 70/80/90/100 % of the annual cap, concurrency on PostgreSQL,
and the usage read by library staff."""

import datetime
import threading
import zoneinfo

import pytest
from django.core import mail
from django.db import close_old_connections
from django.utils import timezone

from accounts.models import User
from backend.errors import ApplicationError
from media.models import Asset, EncodingProfile
from media.services.playback import playback_start
from rights.models import Medium
from subscriptions.models import CapAlert, StreamingLoan
from subscriptions.services.quotas import subscription_quotas_set
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.conftest import client_for
from tests.factories import FilmFactory, UserFactory
from tests.media.conftest import encoding_ladder  # noqa: F401 (autouse: the HLS ladder)
from tests.rights.conftest import GrantFactory
from tests.subscriptions.conftest import make_grid

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _streamable(count):
    films = []
    for _ in range(count):
        film = FilmFactory()
        GrantFactory(
            film=film, medium=Medium.STREAM_HOME, starts_on=datetime.date(2000, 1, 1), ends_on=None
        )
        master = Asset.objects.create(
            film=film, kind="master", storage_key=f"m/{film.pk}.mov", status="ready"
        )
        Asset.objects.create(
            film=film,
            kind="hls_rendition",
            source=master,
            profile_id=EncodingProfile.objects.get(name="360p").pk,
            storage_key=f"r/{film.pk}/index.m3u8",
            status="ready",
            width=640,
            height=360,
        )
        films.append(film)
    return films


@pytest.fixture
def subscription(network, today):
    # enough concurrent streams for the quota, not the stream cap, to be what is tested
    platform = make_grid(today.year, streams=100).plans.get(code="platform")
    quote = subscription_quote_create(subscriber=network, plan=platform, starts_on=today)
    return subscription_activate(subscription=quote)


def _patron(library, name):
    return UserFactory(role=User.Role.PATRON, institution=library, username=name)


def _play(user, film, now=None):
    return playback_start(user=user, film=film, ip=None, now=now)


def _refusal(user, film, now=None) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        _play(user, film, now)
    return caught.value


@pytest.mark.django_db
def test_fourth_film_allowed_fifth_refused_restart_not_counted(library, subscription, today):
    subscription_quotas_set(subscription=subscription, patron_monthly_films=4)
    patron = _patron(library, "p1")
    films = _streamable(5)
    for film in films[:4]:
        _play(patron, film)
    _play(patron, films[0])  # a restart within the viewing window: not counted
    assert StreamingLoan.objects.filter(user=patron).count() == 4
    refusal = _refusal(patron, films[4])
    first_of_next = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    assert (refusal.code, refusal.status_code) == ("patron_quota", 429)
    assert refusal.extra == {"used": 4, "limit": 4, "resets_on": first_of_next.isoformat()}
    # another patron of the same library is not affected
    _play(_patron(library, "p2"), films[4])


@pytest.mark.embedded
@pytest.mark.django_db
def test_the_quota_resets_on_the_first_of_the_month_in_paris(library, subscription, today):
    subscription_quotas_set(subscription=subscription, patron_monthly_films=1)
    patron = _patron(library, "p1")
    first, second = _streamable(2)
    next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    midnight = datetime.datetime.combine(next_month, datetime.time(0, 0), tzinfo=PARIS)
    last_evening = midnight - datetime.timedelta(minutes=30)  # still last month in Paris
    _play(patron, first, now=last_evening - datetime.timedelta(days=1))
    assert _refusal(patron, second, now=last_evening).code == "patron_quota"
    # 00:30 in Paris is still the previous day in UTC: the Paris calendar decides
    after = midnight + datetime.timedelta(minutes=30)
    assert after.astimezone(datetime.UTC).date() < next_month
    _play(patron, second, now=after)
    assert StreamingLoan.objects.get(user=patron, film=second).day == next_month


@pytest.mark.django_db
def test_a_film_counts_again_after_its_viewing_window(library, subscription):
    subscription_quotas_set(
        subscription=subscription, patron_monthly_films=10, viewing_window_hours=72
    )
    patron = _patron(library, "p1")
    [film] = _streamable(1)
    start = timezone.now() + datetime.timedelta(days=1)
    _play(patron, film, now=start)
    _play(patron, film, now=start + datetime.timedelta(hours=71))
    assert StreamingLoan.objects.filter(user=patron).count() == 1
    _play(patron, film, now=start + datetime.timedelta(hours=73))
    assert StreamingLoan.objects.filter(user=patron).count() == 2


@pytest.mark.embedded
@pytest.mark.django_db
def test_library_daily_and_annual_caps(library, subscription, today):
    subscription_quotas_set(subscription=subscription, library_daily_films=2)
    films = _streamable(3)
    _play(_patron(library, "a"), films[0])
    _play(_patron(library, "b"), films[1])
    refusal = _refusal(_patron(library, "c"), films[2])
    assert (refusal.code, refusal.extra["resets_on"]) == (
        "library_daily_cap",
        (today + datetime.timedelta(days=1)).isoformat(),
    )
    subscription_quotas_set(
        subscription=subscription, library_daily_films=None, library_annual_films=2
    )
    refusal = _refusal(_patron(library, "d"), films[2])
    assert (refusal.code, refusal.extra["resets_on"]) == (
        "library_annual_cap",
        (subscription.ends_on + datetime.timedelta(days=1)).isoformat(),
    )


@pytest.mark.django_db
def test_refusal_through_the_api_says_why_and_when(library, subscription, patron):
    subscription_quotas_set(subscription=subscription, patron_monthly_films=1)
    first, second = _streamable(2)
    api = client_for(patron)
    assert api.post(f"/api/v1/films/{first.pk}/playback/").status_code == 201
    response = api.post(f"/api/v1/films/{second.pk}/playback/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert (response.status_code, body["code"]) == (429, "patron_quota")
    assert body["resets_on"] and "films of the month" in body["detail"]
    french = api.post(f"/api/v1/films/{second.pk}/playback/").json()
    assert french["detail"] != body["detail"]


@pytest.mark.django_db
def test_each_annual_cap_threshold_alerts_once(
    library, library_admin, subscription, django_capture_on_commit_callbacks
):
    library_admin.email = "admin@bib.example.org"
    library_admin.save()
    subscription_quotas_set(subscription=subscription, library_annual_films=10)
    films = _streamable(10)
    seen = []
    for index, film in enumerate(films, start=1):
        with django_capture_on_commit_callbacks(execute=True):
            _play(_patron(library, f"v{index}"), film)
        seen.append(
            sorted(CapAlert.objects.filter(library=library).values_list("threshold", flat=True))
        )
    assert seen[5] == [] and seen[6] == [70] and seen[7] == [70, 80]
    assert seen[8] == [70, 80, 90] and seen[9] == [70, 80, 90, 100]
    assert len(mail.outbox) == 4
    assert all(message.to == ["admin@bib.example.org"] for message in mail.outbox)


@pytest.mark.django_db
def test_usage_per_member_library_and_privacy(
    library, network, other_library, subscription, library_api, other_library_api
):
    from institutions.models import NetworkMembership

    NetworkMembership.objects.create(
        network=network, library=other_library, joined_on=datetime.date(2000, 1, 1)
    )
    subscription_quotas_set(
        subscription=subscription, patron_monthly_films=1, library_annual_films=100
    )
    first, second = _streamable(2)
    _play(_patron(library, "a"), first)
    _play(_patron(library, "b"), second)
    _play(_patron(other_library, "c"), first)
    network_admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)
    usage = client_for(network_admin).get(f"/api/v1/subscriptions/{subscription.pk}/usage/").json()
    rows = {row["library"]: row for row in usage["libraries"]}
    assert (rows[library.pk]["films_this_year"], rows[other_library.pk]["films_this_year"]) == (
        2,
        1,
    )
    assert rows[library.pk]["patrons_at_monthly_quota"] == 2
    assert usage["patron_monthly_films"] == 1
    # a member library sees its own line only
    mine = library_api.get(f"/api/v1/subscriptions/{subscription.pk}/usage/").json()
    assert [row["library"] for row in mine["libraries"]] == [library.pk]


@pytest.mark.django_db
def test_quotas_are_set_by_the_subscribers_administrators(network, library_api, subscription):
    url = f"/api/v1/subscriptions/{subscription.pk}/quotas/"
    # a member library's staff may read, not set, the network's limits
    assert library_api.get(url).status_code == 200
    assert library_api.patch(url, {"patron_monthly_films": 4}).status_code == 404
    network_admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)
    api = client_for(network_admin)
    assert api.patch(url, {"patron_monthly_films": 4}).json()["patron_monthly_films"] == 4
    response = api.patch(url, {"viewing_window_hours": 0})
    assert (response.status_code, list(response.json()["fields"])) == (
        400,
        ["viewing_window_hours"],
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_cannot_exceed_the_daily_cap(library, subscription):
    """8 patrons start at the same moment, each on its own connection, under a daily cap
    of 3: exactly 3 films are counted."""
    subscription_quotas_set(subscription=subscription, library_daily_films=3)
    films = _streamable(8)
    patrons = [_patron(library, f"c{i}") for i in range(8)]
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt(user, film):
        try:
            barrier.wait()
            _play(user, film)
            outcomes.append("ok")
        except Exception as exc:  # the reason code is what we count
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(patrons, films, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["library_daily_cap"] * 5 + ["ok"] * 3
    assert StreamingLoan.objects.filter(subscription=subscription).count() == 3


@pytest.mark.django_db
def test_a_patron_reads_their_own_month(library, subscription, patron, today):
    subscription_quotas_set(subscription=subscription, patron_monthly_films=4)
    first, second = _streamable(2)
    _play(patron, first)
    _play(patron, second)
    _play(_patron(library, "someone-else"), first)
    body = client_for(patron).get("/api/v1/me/streaming-quota/").json()
    assert (body["patron_monthly_films"], body["films_this_month"]) == (4, 2)
    assert sorted(w["film"] for w in body["open_windows"]) == sorted([first.pk, second.pk])
    assert (
        body["resets_on"]
        == (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1).isoformat()
    )


@pytest.mark.django_db
def test_no_streaming_subscription_no_quota(patron):
    response = client_for(patron).get("/api/v1/me/streaming-quota/")
    assert (response.status_code, response.json()["code"]) == (403, "no_streaming_subscription")
