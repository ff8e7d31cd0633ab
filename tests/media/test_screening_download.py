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
from tests.media.conftest import assert_short_presigned, ready_rendition, stored_master
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


def test_an_sd_grant_hands_the_sd_rendition_never_the_hd_master(
    s3, library, library_api, streaming_subscription, tmp_path
):
    """The grant allows screenings in SD only: the download is the tallest standard-
    definition rendition (576 lines at most), not the HD master nor a 720p/1080p one."""
    film = FilmFactory()
    GrantFactory(
        film=film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=datetime.date(2000, 1, 1),
        ends_on=None,
        screening_quality="sd",
    )
    hd = ready_rendition(film, s3, tmp_path, profile="720p")
    sd = ready_rendition(film, s3, tmp_path, profile="480p")
    ready_rendition(film, s3, tmp_path, profile="360p")
    booked = booking(film, library, streaming_subscription, in_days=2)
    answer = download(library_api, booked)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["asset_id"], body["kind"], body["screening_quality"]) == (
        sd.pk,
        "hls_rendition",
        "sd",
    )
    assert body["asset_id"] not in (hd.pk, hd.source_id)
    assert requests.get(body["url"], timeout=10).text.startswith("#EXTM3U")


def test_an_sd_grant_without_an_sd_rendition_is_refused(
    s3, library, library_api, streaming_subscription, tmp_path
):
    film = FilmFactory()
    GrantFactory(
        film=film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=datetime.date(2000, 1, 1),
        ends_on=None,
        screening_quality="sd",
    )
    path = tmp_path / "m.mov"
    path.write_bytes(b"HD master bytes")
    stored_master(film, s3, path)  # an HD master the grant does not allow
    ready_rendition(film, s3, tmp_path, profile="720p")
    answer = download(library_api, booking(film, library, streaming_subscription, in_days=1))
    assert (answer.status_code, answer.json()["code"]) == (409, "no_sd_asset")


def test_an_hd_grant_still_hands_the_master(
    library, library_api, screenable, master, streaming_subscription
):
    body = download(library_api, booking(screenable, library, streaming_subscription, in_days=1))
    assert (body.json()["asset_id"], body.json()["screening_quality"]) == (master.pk, "hd")
