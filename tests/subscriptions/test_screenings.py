"""Public screening bookings: each condition refused with its reason code and nothing
consumed; the credit ledger; cancellation and attendance; concurrency on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import close_old_connections
from django.utils import timezone

from backend.revision import counter as catalogue_revision
from catalogue.models import Film
from rights.models import Medium
from subscriptions.models import ScreeningBooking, ScreeningCreditEntry, Subscription
from subscriptions.selectors import credit_balance
from subscriptions.services.screenings import booking_cancel, booking_create
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.factories import FilmFactory
from tests.rights.conftest import GrantFactory
from tests.subscriptions.conftest import screenable_film


def _active(subscriber, plan, starts_on):
    subscription = subscription_quote_create(subscriber=subscriber, plan=plan, starts_on=starts_on)
    return subscription_activate(subscription=subscription)


def _when(days=10):
    return (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)


def book(client, film, starts_at=None, **extra):
    return client.post(
        "/api/v1/screenings/",
        {
            "film": film.pk,
            "starts_at": (starts_at or _when()).isoformat(),
            "venue": "Auditorium",
            "expected_audience": 40,
            **extra,
        },
        format="json",
    )


def _nothing_consumed(subscription):
    assert not ScreeningBooking.objects.exists()
    assert not ScreeningCreditEntry.objects.filter(kind="booking").exists()
    assert credit_balance(subscription.pk) == subscription.plan.screenings_per_year


@pytest.mark.embedded
@pytest.mark.django_db
def test_booking_consumes_one_credit(library_api, library, pack3, today):
    subscription = _active(library, pack3, today)
    film = screenable_film()
    response = book(library_api, film)
    assert response.status_code == 201, response.content
    assert response.json()["subscription"] == subscription.pk
    assert credit_balance(subscription.pk) == 2
    credits = library_api.get(f"/api/v1/subscriptions/{subscription.pk}/credits/").json()
    assert credits["balance"] == 2
    assert [e["kind"] for e in credits["entries"]] == ["allowance", "booking"]


@pytest.mark.django_db
def test_network_subscription_covers_member_bookings(
    library_api, network, library, platform, today
):
    _active(network, platform, today)
    assert book(library_api, screenable_film()).status_code == 201


@pytest.mark.django_db
def test_no_subscription(library_api, library, pack3, today, other_library):
    subscription = _active(other_library, pack3, today)
    response = book(library_api, screenable_film())
    assert response.status_code == 400
    assert response.json()["code"] == "no_subscription"
    _nothing_consumed(subscription)


@pytest.mark.django_db
def test_no_credit_left(library_api, library, pack3, today):
    subscription = _active(library, pack3, today)
    film = screenable_film()
    for days in (5, 6, 7):
        assert book(library_api, film, _when(days)).status_code == 201
    response = book(library_api, film, _when(8))
    assert response.status_code == 400
    assert response.json()["code"] == "no_credit_left"
    assert ScreeningBooking.objects.count() == 3
    assert credit_balance(subscription.pk) == 0


@pytest.mark.django_db
def test_no_rights(library_api, library, pack3, today):
    subscription = _active(library, pack3, today)
    film = FilmFactory()
    GrantFactory(film=film, medium=Medium.DVD, starts_on=datetime.date(2000, 1, 1), ends_on=None)
    response = book(library_api, film)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "no_rights"
    assert body["condition"] == "rights"
    _nothing_consumed(subscription)


@pytest.mark.django_db
def test_rights_expired_before_the_screening_date(library_api, library, pack3, today):
    subscription = _active(library, pack3, today)
    film = FilmFactory()
    GrantFactory(
        film=film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=datetime.date(2000, 1, 1),
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert book(library_api, film, _when(2)).status_code == 201
    response = book(library_api, film, _when(20))
    assert response.json()["code"] == "expired"
    assert ScreeningBooking.objects.count() == 1
    assert credit_balance(subscription.pk) == 2


@pytest.mark.django_db
def test_withdrawn_film(library_api, library, pack3, today):
    subscription = _active(library, pack3, today)
    film = screenable_film()
    Film.objects.filter(pk=film.pk).update(
        status=Film.Status.WITHDRAWN, withdrawn_on=timezone.localdate()
    )
    response = book(library_api, film)
    assert response.status_code == 400
    assert response.json()["code"] == "film_withdrawn"
    _nothing_consumed(subscription)


@pytest.mark.django_db
def test_date_in_the_past(library_api, library, pack3, today):
    subscription = _active(library, pack3, today)
    response = book(library_api, screenable_film(), _when(-1))
    assert response.status_code == 400
    assert response.json()["code"] == "date_in_past"
    assert "starts_at" in response.json()["fields"]
    _nothing_consumed(subscription)


@pytest.mark.embedded
@pytest.mark.django_db
def test_cancel_before_gives_the_credit_back(library_api, library, pack3, today):
    subscription = _active(library, pack3, today)
    booking_id = book(library_api, screenable_film()).json()["id"]
    response = library_api.post(f"/api/v1/screenings/{booking_id}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert credit_balance(subscription.pk) == 3
    again = library_api.post(f"/api/v1/screenings/{booking_id}/cancel/")
    assert again.status_code == 409
    assert credit_balance(subscription.pk) == 3


@pytest.mark.django_db
def test_cancel_after_the_date_keeps_the_credit_used(library, pack3, today):
    subscription = _active(library, pack3, today)
    starts_at = _when(2)
    booking = booking_create(
        library=library,
        film=screenable_film(),
        starts_at=starts_at,
        venue="Salle",
        expected_audience=10,
    )
    booking_cancel(booking=booking, now=starts_at + datetime.timedelta(hours=3))
    assert credit_balance(subscription.pk) == 2


@pytest.mark.django_db
def test_attendance_only_after_the_screening(library_api, library, pack3, today):
    _active(library, pack3, today)
    booking_id = book(library_api, screenable_film()).json()["id"]
    early = library_api.post(
        f"/api/v1/screenings/{booking_id}/attendance/", {"actual_attendance": 12}, format="json"
    )
    assert early.status_code == 409
    assert early.json()["code"] == "not_yet_held"
    ScreeningBooking.objects.filter(pk=booking_id).update(starts_at=_when(-1))
    done = library_api.post(
        f"/api/v1/screenings/{booking_id}/attendance/", {"actual_attendance": 12}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["status"] == "held"
    assert done.json()["actual_attendance"] == 12


@pytest.mark.django_db
def test_another_library_cannot_see_or_cancel_my_booking(
    library_api, other_library_api, library, pack3, today
):
    _active(library, pack3, today)
    booking_id = book(library_api, screenable_film()).json()["id"]
    assert other_library_api.get(f"/api/v1/screenings/{booking_id}/").status_code == 404
    assert other_library_api.post(f"/api/v1/screenings/{booking_id}/cancel/").status_code == 404
    assert other_library_api.get("/api/v1/screenings/").json()["count"] == 0
    assert ScreeningBooking.objects.get(pk=booking_id).status == "booked"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_on_three_credits(library, pack3, today):
    """20 threads, each on its own database connection, book at the same moment on a
    discovery pack of 3 screenings: exactly 3 succeed."""
    subscription = _active(library, pack3, today)
    film = screenable_film()
    barrier = threading.Barrier(20)
    outcomes = []

    def attempt(i):
        try:
            barrier.wait()
            booking_create(
                library=library,
                film=film,
                starts_at=_when(3 + i),
                venue="Auditorium",
                expected_audience=30,
            )
            outcomes.append("ok")
        except Exception as exc:  # the reason code is what we count
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3
    assert outcomes.count("no_credit_left") == 17
    assert ScreeningBooking.objects.filter(subscription=subscription).count() == 3
    assert credit_balance(subscription.pk) == 0
    assert Subscription.objects.get(pk=subscription.pk).status == "active"


def _capped_film(cap):
    film = FilmFactory()
    GrantFactory(
        film=film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=datetime.date(2000, 1, 1),
        ends_on=None,
        max_screenings_per_year=cap,
    )
    return film


def _soon(minutes=2):
    # in the current year (unless run in the last minutes of 31 December)
    return (timezone.now() + datetime.timedelta(minutes=minutes)).replace(microsecond=0)


def _screening_summary(client, film):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/films/").json()
    row = next(r for r in body["results"] if r["id"] == film.pk)
    return row["rights"]["public_screening"], len(queries.captured_queries)


@pytest.mark.django_db
def test_the_film_list_tells_the_library_it_used_its_yearly_cap(
    library_api,
    other_library_api,
    library,
    other_library,
    pack3,
    today,
    django_capture_on_commit_callbacks,
):
    """The rights summary shows `cap_reached` to the library that used a film's yearly
    screening cap — and only its pages are computed again: the catalogue's revision (every
    page, every worker's playback memo) does not move for a booking."""
    _active(library, pack3, today)
    film = _capped_film(1)
    mine, _ = _screening_summary(library_api, film)
    theirs, _ = _screening_summary(other_library_api, film)
    assert mine["reason"] == theirs["reason"] == "ok"
    _, cached_page_queries = _screening_summary(other_library_api, film)  # from the cache
    revision = catalogue_revision.current()

    with django_capture_on_commit_callbacks(execute=True):
        booking_id = book(library_api, film, _soon()).json()["id"]
    assert catalogue_revision.current() == revision
    mine, _ = _screening_summary(library_api, film)
    assert (mine["allowed"], mine["reason"], mine["valid_until"]) == (
        False,
        "cap_reached",
        f"{timezone.localdate(_soon()).year}-12-31",
    )
    theirs, queries = _screening_summary(other_library_api, film)
    assert (theirs["reason"], queries) == ("ok", cached_page_queries)  # still its cached page

    with django_capture_on_commit_callbacks(execute=True):
        cancel = library_api.post(f"/api/v1/screenings/{booking_id}/cancel/")
    assert cancel.status_code == 200
    assert catalogue_revision.current() == revision
    assert _screening_summary(library_api, film)[0]["reason"] == "ok"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_pass_the_yearly_cap(library, platform, today):
    """10 threads, each on its own connection, book the same film for the same library at
    the same moment, with credits to spare, against a grant's cap of 1 screening a year:
    exactly one booking exists (the cap is counted under the lock)."""
    subscription = _active(library, platform, today)
    film = _capped_film(1)
    barrier = threading.Barrier(10)
    outcomes = []

    def attempt(i):
        try:
            barrier.wait()
            booking_create(
                library=library,
                film=film,
                starts_at=_soon(2 + i),
                venue="Auditorium",
                expected_audience=30,
            )
            outcomes.append("ok")
        except Exception as exc:  # the reason code is what we count
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["cap_reached"] * 9 + ["ok"]
    assert ScreeningBooking.objects.filter(film=film).count() == 1
    assert credit_balance(subscription.pk) == subscription.plan.screenings_per_year - 1
