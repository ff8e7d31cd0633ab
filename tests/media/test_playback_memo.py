"""A worker remembers what a playback start reads that changes rarely (the film and its
ready rendition, the viewer's library with its IP ranges and networks, the rights
decision) under the catalogue revision: the next start for the same library and film
skips those reads, and every change they depend on is seen by the next start.

These tests run outside a test transaction (nothing is remembered inside one)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.revision import counter as revision
from institutions.models import NetworkMembership, OnSiteIPRange
from media.models import Asset, EncodingProfile, PlaybackSession
from rights.models import Medium, RightsGrant

pytestmark = pytest.mark.django_db(transaction=True)

#: tables a repeated start no longer reads
REMEMBERED_TABLES = (
    "catalogue_film",
    "institutions_institution",
    "institutions_onsiteiprange",
    "institutions_networkmembership",
    "rights_rightsgrant",
    "media_asset",
)


@pytest.fixture(autouse=True)
def _revision_read_every_time(settings):
    # the revision itself is read on every request: what is proven here is the memo
    settings.CATALOGUE_REVISION_TTL_SECONDS = 0


@pytest.fixture
def rendition(streamable_film):
    master = Asset.objects.create(
        film=streamable_film, kind="master", storage_key="m.mov", status="ready"
    )
    return Asset.objects.create(
        film=streamable_film,
        kind="hls_rendition",
        source=master,
        profile=EncodingProfile.objects.get(name="360p"),
        storage_key="r/index.m3u8",
        status="ready",
        width=640,
        height=360,
    )


@pytest.fixture
def film(streamable_film, rendition, streaming_subscription):
    return streamable_film


def start(client, film, **extra):
    PlaybackSession.objects.update(ended_at=timezone.now())  # free the 2 streams
    return client.post(f"/api/v1/films/{film.pk}/playback/", **extra)


def tables_read(captured) -> set[str]:
    return {t for t in REMEMBERED_TABLES if any(f'"{t}"' in q["sql"] for q in captured)}


def test_a_repeated_start_skips_the_remembered_reads(patron_api, film):
    with CaptureQueriesContext(connection) as first:
        assert start(patron_api, film).status_code == 201
    with CaptureQueriesContext(connection) as second:
        answer = start(patron_api, film)
    assert answer.status_code == 201 and answer.json()["medium"] == "stream_home"
    assert tables_read(first) == set(REMEMBERED_TABLES)
    assert tables_read(second) == set()
    assert len(second) <= len(first) - 5
    assert PlaybackSession.objects.count() == 2


def test_rights_ending_is_seen_by_the_next_start(patron_api, film, today):
    assert start(patron_api, film).status_code == 201
    grant = RightsGrant.objects.get(film=film, medium=Medium.STREAM_HOME)
    grant.ends_on = today - datetime.timedelta(days=1)
    grant.save()
    answer = start(patron_api, film)
    assert answer.status_code == 403 and answer.json()["code"] == "expired"


def test_a_new_ip_range_is_seen_by_the_next_start(patron_api, film, library):
    assert start(patron_api, film, REMOTE_ADDR="10.9.0.1").json()["medium"] == "stream_home"
    OnSiteIPRange.objects.create(institution=library, cidr="10.9.0.0/16")
    assert start(patron_api, film, REMOTE_ADDR="10.9.0.1").json()["medium"] == "stream_onsite"


def test_leaving_the_network_is_seen_by_the_next_start(patron_api, film, library, today):
    assert start(patron_api, film).status_code == 201
    membership = NetworkMembership.objects.get(library=library)
    membership.left_on = today
    membership.save()
    answer = start(patron_api, film)
    assert answer.status_code == 403 and answer.json()["code"] == "no_streaming_subscription"


def test_a_failed_rendition_is_seen_by_the_next_start(patron_api, film, rendition):
    assert start(patron_api, film).status_code == 201
    rendition.status = Asset.Status.FAILED
    rendition.save()
    answer = start(patron_api, film)
    assert answer.status_code == 409 and answer.json()["code"] == "no_ready_rendition"


def test_a_withdrawn_film_is_seen_by_the_next_start(patron_api, film, today):
    assert start(patron_api, film).status_code == 201
    film.status, film.withdrawn_on = "withdrawn", today
    film.save()
    assert start(patron_api, film).status_code == 403


def test_nothing_is_remembered_inside_a_transaction_or_after_its_rollback():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    key = ("test.value",)
    with transaction.atomic():
        assert revision.remembered(key, compute) == 1
        assert revision.remembered(key, compute) == 2  # computed again
    assert revision.remembered(key, compute) == 3
    assert revision.remembered(key, compute) == 3  # remembered outside
    try:
        with transaction.atomic():
            revision.bump()
            assert revision.remembered(key, compute) == 4
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    # the value read inside the rolled-back transaction is never served
    assert revision.remembered(key, compute) == 5
    assert revision.remembered(key, compute) == 5
    revision.bump()  # committed this time: the revision that transaction had used
    assert revision.remembered(key, compute) == 6
