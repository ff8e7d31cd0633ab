"""A viewer's sessions of a film: one open at a time (a reload frees the slot of the
earlier one in the starting transaction), resume where they stopped, heartbeats and ends
refused with a code and nothing written when they should be; CORS on the API and the
streams."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from media.models import PlaybackSession, ViewEvent
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.conftest import ready_rendition


@pytest.fixture
def playable(s3, streamable_film, streaming_subscription, tmp_path):
    """A 600 s stream, 2 concurrent streams."""
    ready_rendition(streamable_film, s3, tmp_path, duration_seconds=600.0)
    return streamable_film


def start(client, film, **extra):
    return client.post(f"/api/v1/films/{film.pk}/playback/", **extra)


def beat(client, session_id, **data):
    return client.post(f"/api/v1/playback/{session_id}/heartbeat/", data)


def rows():
    return list(PlaybackSession.objects.order_by("started_at").values())


def test_a_reload_ends_the_earlier_session_and_keeps_one_slot(
    patron, patron_api, library_admin, library_api, playable
):
    first = start(patron_api, playable).json()
    # the patron reloads the player page three times: still one slot taken, and the
    # library's other viewer (the cap is 2) can still watch
    for _ in range(3):
        again = start(patron_api, playable)
        assert again.status_code == 201
    assert PlaybackSession.objects.filter(ended_at__isnull=True).count() == 1
    assert start(library_api, playable).status_code == 201
    open_sessions = PlaybackSession.objects.filter(ended_at__isnull=True)
    assert sorted(open_sessions.values_list("user_id", flat=True)) == sorted(
        [patron.pk, library_admin.pk]
    )
    # each ended session left its view, once
    earlier = PlaybackSession.objects.filter(user=patron, ended_at__isnull=False)
    assert earlier.count() == 3
    assert ViewEvent.objects.filter(session__in=earlier).count() == 3
    # the first session's links are over
    old = patron_api.post(f"/api/v1/playback/{first['session']}/heartbeat/", {})
    assert old.status_code == 410 and old.json()["code"] == "session_ended"


def test_one_open_session_per_viewer_and_film_is_a_database_rule(
    patron, playable, streaming_subscription
):
    from django.db import IntegrityError, transaction

    def open_session():
        return PlaybackSession.objects.create(
            film=playable, user=patron, institution=patron.institution,
            subscription=streaming_subscription, medium="stream_home",
            started_at=timezone.now(), last_heartbeat_at=timezone.now(),
        )  # fmt: skip

    first = open_session()
    with pytest.raises(IntegrityError), transaction.atomic():
        open_session()
    first.ended_at = timezone.now()
    first.save()
    open_session()  # once the first ended


def test_resume_where_the_viewer_stopped(patron_api, playable):
    body = start(patron_api, playable).json()
    assert body["resume_from"] == 0 and body["duration"] == 600
    PlaybackSession.objects.update(started_at=timezone.now() - datetime.timedelta(minutes=5))
    answer = beat(patron_api, body["session"], seconds_watched=240, position=251.5)
    assert answer.status_code == 200
    assert (answer.json()["position"], answer.json()["seconds_watched"]) == (251.5, 240)

    # the player is reloaded: the new session starts where the last heartbeat was
    again = start(patron_api, playable).json()
    assert again["resume_from"] == 251.5
    # the player stopped (end) further on: the next start resumes there
    assert (
        patron_api.post(f"/api/v1/playback/{again['session']}/end/", {"position": 300}).status_code
        == 200
    )
    assert start(patron_api, playable).json()["resume_from"] == 300


@pytest.mark.parametrize(
    ("position", "resumes_at"),
    [
        (0, 0),
        # the end credits: the last 120 s, at most a tenth of the film (60 s of 600 s)
        (539.0, 539.0),
        (541.0, 0),  # in the end credits: from the beginning
        (600.0, 0),
    ],
)
def test_no_resume_after_the_end_credits(patron_api, playable, position, resumes_at):
    start(patron_api, playable)
    PlaybackSession.objects.update(position_seconds=position)
    assert start(patron_api, playable).json()["resume_from"] == resumes_at


@pytest.mark.parametrize(
    "data",
    [
        {"position": 601.5, "seconds_watched": 10},  # beyond the film (600 s, 1 s tolerance)
        {"position": 10_000},
        {"position": -1},
        {"position": "soon"},
        {"seconds_watched": -5},
    ],
)
def test_a_bad_heartbeat_is_refused_and_changes_nothing(patron_api, playable, data):
    body = start(patron_api, playable).json()
    PlaybackSession.objects.update(started_at=timezone.now() - datetime.timedelta(minutes=5))
    before = rows()
    answer = beat(patron_api, body["session"], **data)
    assert answer.status_code == 400
    assert answer.json()["code"] in {"position_beyond_end", "validation_error"}
    if answer.json()["code"] == "position_beyond_end":
        assert answer.json()["duration"] == 600
    assert rows() == before
    # the same at the end
    end = patron_api.post(f"/api/v1/playback/{body['session']}/end/", data)
    assert end.status_code == 400 and rows() == before


def test_heartbeats_for_ended_foreign_or_expired_sessions(
    library, patron_api, library_api, playable
):
    other = client_for(UserFactory(role=User.Role.PATRON, institution=library, username="p-2"))
    mine = start(patron_api, playable).json()["session"]
    theirs = start(other, playable).json()["session"]
    assert patron_api.post(f"/api/v1/playback/{mine}/end/").status_code == 200
    PlaybackSession.objects.filter(pk=theirs).update(
        last_heartbeat_at=timezone.now() - datetime.timedelta(seconds=91)
    )
    before = rows()
    for client, session, status, code in (
        (patron_api, mine, 410, "session_ended"),  # ended
        (library_api, theirs, 404, "not_found"),  # someone else's
        (other, theirs, 410, "session_ended"),  # silent past the timeout
        (patron_api, "00000000-0000-0000-0000-000000000000", 404, "not_found"),
    ):
        for data in ({"seconds_watched": 1, "position": 1}, {}):
            answer = beat(client, session, **data)
            assert (answer.status_code, answer.json()["code"]) == (status, code), data
    assert library_api.post(f"/api/v1/playback/{theirs}/end/").status_code == 404
    assert rows() == before


def test_a_heartbeat_claiming_more_than_the_time_elapsed_is_capped(patron_api, playable):
    body = start(patron_api, playable).json()
    PlaybackSession.objects.update(started_at=timezone.now() - datetime.timedelta(minutes=2))
    answer = beat(patron_api, body["session"], seconds_watched=9_999, position=100)
    assert answer.status_code == 200
    assert 120 <= answer.json()["seconds_watched"] <= 126
    # a smaller figure later never lowers it
    assert beat(patron_api, body["session"], seconds_watched=3).json()["seconds_watched"] >= 120


def test_a_heartbeat_is_one_statement(patron_api, playable, django_assert_num_queries):
    """The evening peak is thousands of viewers each beating every 30 s: a heartbeat is
    the token's query and one UPDATE (no read, no separate lock)."""
    body = start(patron_api, playable).json()
    PlaybackSession.objects.update(started_at=timezone.now() - datetime.timedelta(minutes=2))
    with django_assert_num_queries(2):
        assert (
            beat(patron_api, body["session"], seconds_watched=60, position=61.0).status_code == 200
        )
    session = PlaybackSession.objects.get(pk=body["session"])
    assert (session.seconds_watched, session.position_seconds) == (60, 61.0)


# --- CORS -------------------------------------------------------------------------------
WEB_CLIENT = "https://lecture.example.org"


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [WEB_CLIENT]


def test_preflight_is_answered_before_authentication(api, cors, playable):
    answer = api.options(
        f"/api/v1/films/{playable.pk}/playback/",
        HTTP_ORIGIN=WEB_CLIENT,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == WEB_CLIENT
    assert "authorization" in answer["Access-Control-Allow-Headers"]
    assert "POST" in answer["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in answer  # tokens, not cookies
    # an origin nobody configured gets no permission
    stranger = api.options(
        f"/api/v1/films/{playable.pk}/playback/",
        HTTP_ORIGIN="https://evil.example.net",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in stranger


def test_cors_on_the_api_and_the_stream(api, patron_api, cors, playable):
    answer = start(patron_api, playable, HTTP_ORIGIN=WEB_CLIENT)
    assert answer.status_code == 201 and answer["Access-Control-Allow-Origin"] == WEB_CLIENT
    url = answer.json()["master_playlist_url"].removeprefix("http://testserver")
    master = api.get(url, HTTP_ORIGIN=WEB_CLIENT)
    assert master.status_code == 200 and master["Access-Control-Allow-Origin"] == WEB_CLIENT


def test_frontend_origin_is_allowed_by_default(monkeypatch):
    """FRONTEND_BASE_URL's origin joins CORS_ALLOWED_ORIGINS (read from the environment
    when the settings module loads: loaded again here, then restored)."""
    import importlib

    from backend.settings import base

    monkeypatch.setenv("FRONTEND_BASE_URL", "https://films.example.org/app/")
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://a.example.org,https://b.example.org")
    try:
        assert importlib.reload(base).CORS_ALLOWED_ORIGINS == [
            "https://a.example.org",
            "https://b.example.org",
            "https://films.example.org",
        ]
    finally:
        monkeypatch.undo()
        importlib.reload(base)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_reloads_keep_one_open_session(patron, streamable_film, streaming_subscription):
    """4 threads, each on its own connection, start the same film for the same viewer 5
    times each: every start succeeds, and one session stays open."""
    import threading

    from django.db import close_old_connections

    from media.models import Asset, EncodingProfile
    from media.services.playback import playback_start

    master = Asset.objects.create(
        film=streamable_film, kind="master", storage_key="m.mov", status="ready"
    )
    Asset.objects.create(
        film=streamable_film, kind="hls_rendition", source=master, status="ready",
        profile=EncodingProfile.objects.get(name="360p"), storage_key="r/index.m3u8",
        width=640, height=360, duration_seconds=600.0,
    )  # fmt: skip
    outcomes = []
    barrier = threading.Barrier(4)

    def attempt():
        try:
            barrier.wait()
            for _ in range(5):
                playback_start(user=patron, film=streamable_film, ip=None)
                outcomes.append("ok")
        except Exception as exc:  # the reason is what we count
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok"] * 20
    sessions = PlaybackSession.objects.filter(user=patron, film=streamable_film)
    assert sessions.count() == 20 and sessions.filter(ended_at__isnull=True).count() == 1
    assert ViewEvent.objects.filter(session__in=sessions).count() == 19
