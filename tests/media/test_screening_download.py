"""The HD download of a booked public screening: for the booking's library only, from
SCREENING_DOWNLOAD_DAYS_BEFORE days before to the day after, through a short presigned
URL fetched over HTTP from the store."""

from __future__ import annotations

import datetime

import pytest
import requests
from django.utils import timezone

from media.models import Asset
from rights.models import Medium
from subscriptions.models import ScreeningBooking
from tests.factories import FilmFactory
from tests.media.conftest import assert_short_presigned, stored_master
from tests.rights.conftest import GrantFactory


@pytest.fixture
def screenable(db):
    film = FilmFactory()
    GrantFactory(
        film=film, medium=Medium.PUBLIC_SCREENING, starts_on=datetime.date(2000, 1, 1), ends_on=None
    )
    return film


def booking(film, library, subscription, *, in_days, status="booked"):
    return ScreeningBooking.objects.create(
        library=library,
        subscription=subscription,
        film=film,
        starts_at=timezone.now() + datetime.timedelta(days=in_days),
        venue="Auditorium",
        expected_audience=40,
        status=status,
    )


def download(client, booked):
    return client.get(f"/api/v1/screenings/{booked.pk}/download/")


@pytest.fixture
def master(s3, screenable, tmp_path):
    path = tmp_path / "master.mov"
    path.write_bytes(b"HD master bytes")
    return stored_master(screenable, s3, path)


def test_the_library_downloads_the_hd_master(
    library, library_api, screenable, master, streaming_subscription
):
    booked = booking(screenable, library, streaming_subscription, in_days=3)
    answer = download(library_api, booked)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["asset_id"], body["kind"]) == (master.pk, "master")
    assert_short_presigned(body["url"])
    fetched = requests.get(body["url"], timeout=10)
    assert fetched.content == b"HD master bytes"
    assert f'filename="{screenable.reference}.mov"' in fetched.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("in_days", "code"),
    [(8, "download_not_yet_open"), (-2, "download_closed")],
)
def test_outside_the_window(
    library, library_api, screenable, master, streaming_subscription, in_days, code
):
    answer = download(
        library_api, booking(screenable, library, streaming_subscription, in_days=in_days)
    )
    assert answer.status_code == 403 and answer.json()["code"] == code
    assert "window_opens_on" in answer.json()


@pytest.mark.parametrize("in_days", [7, -1])
def test_window_edges_are_open(
    library, library_api, screenable, master, streaming_subscription, in_days
):
    booked = booking(screenable, library, streaming_subscription, in_days=in_days)
    assert download(library_api, booked).status_code == 200


def test_only_for_that_booking(
    library, library_api, other_library_api, patron_api, screenable, master, streaming_subscription
):
    booked = booking(screenable, library, streaming_subscription, in_days=1)
    assert download(other_library_api, booked).status_code == 404
    assert download(patron_api, booked).status_code == 403
    cancelled = booking(screenable, library, streaming_subscription, in_days=1, status="cancelled")
    answer = download(library_api, cancelled)
    assert answer.status_code == 403 and answer.json()["code"] == "booking_cancelled"


def test_refused_without_rights_or_file(s3, library, library_api, streaming_subscription, tmp_path):
    film = FilmFactory()  # no screening rights
    path = tmp_path / "m.mov"
    path.write_bytes(b"x")
    stored_master(film, s3, path)
    answer = download(library_api, booking(film, library, streaming_subscription, in_days=1))
    assert answer.status_code == 403 and answer.json()["code"] == "no_rights"

    screenable = FilmFactory()
    GrantFactory(
        film=screenable,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=datetime.date(2000, 1, 1),
        ends_on=None,
    )
    Asset.objects.create(
        film=screenable, kind="master", storage_key="films/y/master.mov", status="failed"
    )
    answer = download(library_api, booking(screenable, library, streaming_subscription, in_days=1))
    assert answer.status_code == 409 and answer.json()["code"] == "no_hd_asset"
