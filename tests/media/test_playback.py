"""Playback through the HTTP API: the rights engine (on site vs at home from the client
address), the streaming subscription, the concurrent-stream cap, the session's URLs
(playlists and segment links bound to the session, expiry, replay after the end) and the
segments presigned by the store, fetched over HTTP from moto; heartbeats, ends and silent
sessions becoming view events. One open session per viewer and film, resume, and the
refusals of bad heartbeats are in test_playback_sessions.py; the streams in real players
in tests/browser/."""

from __future__ import annotations

import datetime
import time
import uuid
from urllib.parse import urljoin

import pytest
import requests
from django.utils import timezone

from accounts.models import User
from institutions.models import OnSiteIPRange
from media import tokens
from media.models import Asset, EncodingProfile, PlaybackSession, ViewEvent
from media.services.playback import sessions_expire_silent
from rights.models import Medium
from tests.conftest import client_for
from tests.factories import FilmFactory, UserFactory
from tests.media.conftest import PLAYLIST, expires_of, ready_rendition
from tests.rights.conftest import GrantFactory


@pytest.fixture
def playable(s3, streamable_film, streaming_subscription, tmp_path):
    ready_rendition(streamable_film, s3, tmp_path)
    return streamable_film


def start(client, film, **extra):
    return client.post(f"/api/v1/films/{film.pk}/playback/", **extra)


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def urls_in(playlist: str, base: str = "") -> list[str]:
    """The URIs of a playlist, resolved against its own URL (RFC 8216: relative URIs)."""
    return [
        urljoin(base, line) for line in playlist.splitlines() if line and not line.startswith("#")
    ]


def segment_links(api, body) -> list[str]:
    """The segment links of the session's first variant, as a player resolves them."""
    master_url = body["master_playlist_url"]
    rendition_url = urls_in(api.get(path_of(master_url)).content.decode(), master_url)[0]
    rendition = api.get(path_of(rendition_url)).content.decode()
    return urls_in(rendition, rendition_url)


@pytest.mark.embedded
def test_patron_plays_at_home_and_fetches_segments(api, patron_api, playable, settings):
    answer = start(patron_api, playable)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["medium"] == "stream_home"
    # the session's URLs last the stream (10 s here) plus the margin for pauses
    margin = settings.MEDIA_PLAYBACK_URL_MARGIN_SECONDS
    assert margin + 8 <= body["expires_in"] <= margin + 10
    assert (body["duration"], body["resume_from"]) == (10.0, 0.0)

    master_url = body["master_playlist_url"]
    master = api.get(path_of(master_url))  # no API token: the URL is the key
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    text = master.content.decode()
    # the values measured at the end of the transcode, not the profile's nominal ones
    assert (
        "#EXT-X-STREAM-INF:BANDWIDTH=3220800,AVERAGE-BANDWIDTH=2781600,"
        'CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=25.000'
    ) in text
    [rendition_url] = urls_in(text, master_url)

    rendition = api.get(path_of(rendition_url))
    assert rendition.status_code == 200
    # the stored playlist, verbatim: VOD, read once; its segments are relative links
    assert rendition.content.decode() == PLAYLIST
    links = urls_in(rendition.content.decode(), rendition_url)
    assert [link.rsplit("/", 1)[1] for link in links] == ["seg_00000.ts", "seg_00001.ts"]
    for link, expected in zip(links, (b"segment-0", b"segment-1"), strict=True):
        redirect = api.get(path_of(link))
        assert redirect.status_code == 302 and redirect["Cache-Control"] == "no-store"
        store_url = redirect["Location"]
        assert expires_of(store_url) == settings.MEDIA_SEGMENT_URL_SECONDS  # seconds, not hours
        assert requests.get(store_url, timeout=10).content == expected  # straight from the store
    assert PlaybackSession.objects.get().medium == "stream_home"


def test_on_site_from_the_librarys_network_only(settings, patron, patron_api, library, playable):
    OnSiteIPRange.objects.create(institution=library, cidr="10.1.0.0/16")
    inside = start(patron_api, playable, REMOTE_ADDR="10.1.2.3")
    assert inside.status_code == 201 and inside.json()["medium"] == "stream_onsite"
    # A client cannot claim to be inside by writing X-Forwarded-For.
    spoofed = start(patron_api, playable, REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert spoofed.json()["medium"] == "stream_home"
    # Behind one trusted proxy, the address it appended is believed.
    settings.TRUSTED_PROXY_COUNT = 1
    PlaybackSession.objects.update(ended_at=timezone.now())
    proxied = start(
        patron_api, playable, REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.9.9"
    )
    assert proxied.json()["medium"] == "stream_onsite"


def test_on_site_rights_only(s3, patron_api, library, streaming_subscription, today, tmp_path):
    film = FilmFactory()
    GrantFactory(film=film, medium=Medium.STREAM_ONSITE, starts_on=today, ends_on=None)
    ready_rendition(film, s3, tmp_path)
    OnSiteIPRange.objects.create(institution=library, cidr="2001:db8::/32")
    home = start(patron_api, film)
    assert home.status_code == 403 and home.json()["code"] == "no_rights"
    assert home.json()["medium"] == "stream_home"
    assert not PlaybackSession.objects.exists()
    assert start(patron_api, film, REMOTE_ADDR="2001:db8::1").status_code == 201


def test_refused_without_rights(s3, patron_api, streaming_subscription, tmp_path):
    film = FilmFactory()
    ready_rendition(film, s3, tmp_path)
    answer = start(patron_api, film)
    assert answer.status_code == 403 and answer.json()["code"] == "no_rights"
    assert not PlaybackSession.objects.exists()


def test_refused_without_subscription(s3, patron_api, streamable_film, tmp_path):
    ready_rendition(streamable_film, s3, tmp_path)
    answer = start(patron_api, streamable_film)
    assert answer.status_code == 403 and answer.json()["code"] == "no_streaming_subscription"
    assert not PlaybackSession.objects.exists()


def test_refused_without_ready_rendition(s3, patron_api, streamable_film, streaming_subscription):
    Asset.objects.create(
        film=streamable_film, kind="master", storage_key="films/x/master.mov", status="transcoding"
    )
    answer = start(patron_api, streamable_film)
    assert answer.status_code == 409 and answer.json()["code"] == "no_ready_rendition"
    assert not PlaybackSession.objects.exists()


def test_refused_to_cinema_staff_and_anonymous(api, editor_api, playable):
    assert start(editor_api, playable).json()["code"] == "not_a_viewer"
    assert start(api, playable).status_code == 401
    assert not PlaybackSession.objects.exists()


def test_concurrent_stream_cap_and_silent_sessions(library, library_api, patron_api, playable):
    other_patron = client_for(
        UserFactory(role=User.Role.PATRON, institution=library, username="patron-2")
    )
    first = start(patron_api, playable).json()
    assert start(library_api, playable).status_code == 201  # library staff may watch too
    over = start(other_patron, playable)
    assert over.status_code == 429
    assert (
        over.json()["code"] == "stream_limit_reached" and over.json()["max_concurrent_streams"] == 2
    )
    assert PlaybackSession.objects.count() == 2

    # Ending a session frees its slot.
    assert patron_api.post(f"/api/v1/playback/{first['session']}/end/").status_code == 200
    third = start(other_patron, playable)
    assert third.status_code == 201

    # A session silent for longer than the timeout no longer holds a slot...
    PlaybackSession.objects.filter(pk=third.json()["session"]).update(
        last_heartbeat_at=timezone.now() - datetime.timedelta(seconds=91)
    )
    assert start(patron_api, playable).status_code == 201
    # ...and the sweep ends it at its last heartbeat and records its view.
    assert sessions_expire_silent() == 1
    silent = PlaybackSession.objects.get(pk=third.json()["session"])
    assert silent.ended_at == silent.last_heartbeat_at
    assert ViewEvent.objects.filter(session=silent).exists()
    late = other_patron.post(f"/api/v1/playback/{silent.pk}/heartbeat/", {"seconds_watched": 5})
    assert late.status_code == 410 and late.json()["code"] == "session_ended"


def test_the_grants_stream_cap_applies_when_stricter_than_the_plans(
    s3, library, patron_api, streaming_subscription, today, tmp_path
):
    """The plan allows 2 streams; this film's rights allow 1 at a time: a second viewer
    of the film waits, a viewer of another film does not — until the plan's 2 are used."""
    capped = FilmFactory()
    for medium in (Medium.STREAM_ONSITE, Medium.STREAM_HOME):
        GrantFactory(
            film=capped,
            medium=medium,
            starts_on=today - datetime.timedelta(days=30),
            ends_on=None,
            max_concurrent_streams=1,
        )
    ready_rendition(capped, s3, tmp_path)
    other = FilmFactory()
    GrantFactory(
        film=other,
        medium=Medium.STREAM_HOME,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=None,
        max_concurrent_streams=5,  # looser than the plan: the plan's 2 apply
    )
    ready_rendition(other, s3, tmp_path)
    viewers = [
        client_for(UserFactory(role=User.Role.PATRON, institution=library, username=f"v-{n}"))
        for n in range(3)
    ]
    assert start(patron_api, capped).status_code == 201
    over = start(viewers[0], capped)
    assert over.status_code == 429, over.json()
    assert (over.json()["code"], over.json()["max_concurrent_streams"]) == (
        "stream_limit_reached",
        1,
    )
    assert PlaybackSession.objects.filter(film=capped).count() == 1
    assert start(viewers[1], other).status_code == 201
    over = start(viewers[2], other)
    assert (over.status_code, over.json()["max_concurrent_streams"]) == (429, 2)
    assert PlaybackSession.objects.count() == 2


class _Later:
    """`time` as seen by the token module, some seconds in the future."""

    def __init__(self, seconds):
        self.seconds = seconds

    def time(self):
        return time.time() + self.seconds


def test_session_urls_last_the_film_and_its_pauses_then_expire(
    api, patron_api, playable, monkeypatch, settings
):
    """A VOD playlist is read once: its links must work for the whole film plus pauses
    (while the session holds its slot), and not a second longer."""
    body = start(patron_api, playable).json()
    url = body["master_playlist_url"]
    [rendition_url] = urls_in(api.get(path_of(url)).content.decode(), url)
    [link, _] = urls_in(api.get(path_of(rendition_url)).content.decode(), rendition_url)
    lifetime = 10 + settings.MEDIA_PLAYBACK_URL_MARGIN_SECONDS
    # an hour into the pause (heartbeats keep the slot), everything still works
    later = timezone.now() + datetime.timedelta(seconds=lifetime - 5)
    PlaybackSession.objects.update(last_heartbeat_at=later)
    monkeypatch.setattr(tokens, "time", _Later(lifetime - 5))
    monkeypatch.setattr(
        "media.selectors.timezone.now", lambda: later + datetime.timedelta(seconds=1)
    )
    assert api.get(path_of(url)).status_code == 200
    assert api.get(path_of(link)).status_code == 302
    monkeypatch.setattr(tokens, "time", _Later(lifetime + 1))
    for expired in (url, rendition_url, link):
        answer = api.get(path_of(expired))
        assert answer.status_code == 403 and answer.json()["code"] == "token_expired"


def _token_of(url: str) -> str:
    return path_of(url).split("/")[5]


def test_session_urls_are_bound_to_their_session(
    s3, api, patron_api, library_api, playable, streaming_subscription, today, tmp_path
):
    mine = start(patron_api, playable).json()
    theirs = start(library_api, playable).json()
    my_url = path_of(mine["master_playlist_url"])
    my_token = _token_of(my_url)
    [my_track] = urls_in(api.get(my_url).content.decode(), mine["master_playlist_url"])
    my_link = urls_in(api.get(path_of(my_track)).content.decode(), my_track)[0]

    # My tokens on their session's paths, a tampered token, an unknown session: refused.
    for mine_on_theirs in (
        f"/api/v1/playback/{theirs['session']}/{my_token}/master.m3u8",
        f"/api/v1/playback/{theirs['session']}/{_token_of(my_track)}/index.m3u8",
        f"/api/v1/playback/{theirs['session']}/{_token_of(my_track)}/seg_00000.ts",
        my_url.replace(mine["session"], str(uuid.uuid4())),
        my_url.replace(
            my_token, my_token[:-3] + ("aaa" if not my_token.endswith("aaa") else "bbb")
        ),
        # a track token is no master token, nor the other way round
        f"/api/v1/playback/{mine['session']}/{_token_of(my_track)}/master.m3u8",
        f"/api/v1/playback/{mine['session']}/{my_token}/seg_00000.ts",
    ):
        answer = api.get(mine_on_theirs)
        assert answer.status_code == 403, mine_on_theirs
        assert answer.json()["code"] == "invalid_token"
    # A path outside the track's directory is no segment link.
    assert api.get(path_of(my_link).replace("seg_00000.ts", "..%2Fsecret.ts")).status_code == 404

    # Once the session ended, its URLs stop working — a replayed link included — and
    # nothing is written.
    assert patron_api.post(f"/api/v1/playback/{mine['session']}/end/").status_code == 200
    before = list(PlaybackSession.objects.order_by("pk").values())
    for replayed in (my_url, my_track, my_link):
        ended = api.get(path_of(replayed))
        assert ended.status_code == 410 and ended.json()["code"] == "session_ended"
    assert list(PlaybackSession.objects.order_by("pk").values()) == before
    # theirs still plays
    [their_track] = urls_in(
        api.get(path_of(theirs["master_playlist_url"])).content.decode(),
        theirs["master_playlist_url"],
    )
    their_link = urls_in(api.get(path_of(their_track)).content.decode(), their_track)[0]
    assert api.get(path_of(their_link)).status_code == 302


def test_a_silent_session_streams_no_more(api, patron_api, playable):
    """A player that stops sending heartbeats frees its slot (others may start): its
    links stop too, or a client could keep streaming without holding a slot."""
    body = start(patron_api, playable).json()
    [link, _] = segment_links(api, body)
    PlaybackSession.objects.update(
        last_heartbeat_at=timezone.now() - datetime.timedelta(seconds=91)
    )
    for url in (body["master_playlist_url"], link):
        answer = api.get(path_of(url))
        assert answer.status_code == 410 and answer.json()["code"] == "session_ended"


@pytest.mark.embedded
def test_heartbeats_and_end_make_one_view_event(patron, patron_api, library_api, playable):
    body = start(patron_api, playable).json()
    session = PlaybackSession.objects.get()
    PlaybackSession.objects.update(started_at=session.started_at - datetime.timedelta(minutes=10))
    beat = patron_api.post(
        f"/api/v1/playback/{body['session']}/heartbeat/", {"seconds_watched": 300}
    )
    assert beat.status_code == 200 and beat.json()["seconds_watched"] == 300
    # Nobody else may report on this session, and nobody can claim more than elapsed time.
    stranger = library_api.post(f"/api/v1/playback/{body['session']}/heartbeat/")
    assert stranger.status_code == 404
    end = patron_api.post(f"/api/v1/playback/{body['session']}/end/", {"seconds_watched": 99_999})
    assert end.status_code == 200
    assert 600 <= end.json()["seconds_watched"] <= 620
    assert patron_api.post(f"/api/v1/playback/{body['session']}/end/").status_code == 200

    view = ViewEvent.objects.get()
    assert (view.film_id, view.institution_id, view.medium) == (
        playable.pk,
        patron.institution_id,
        "stream_home",
    )
    assert view.seconds_watched == end.json()["seconds_watched"]
    assert patron.username not in view.viewer_pseudonym and len(view.viewer_pseudonym) == 32


def _subtitles(film, store, tmp_path, *, language="fr", sdh=False, text=None) -> Asset:
    key = f"films/{film.pk}/subtitles/{uuid.uuid4().hex}.vtt"
    vtt = tmp_path / f"{uuid.uuid4().hex}.vtt"
    vtt.write_text(text or "WEBVTT\n\n00:00.500 --> 00:02.000\n[Musique] Bonjour\n")
    store.upload_file(vtt, key, "text/vtt")
    return Asset.objects.create(
        film=film, kind="subtitles", language=language, for_deaf_and_hard_of_hearing=sdh,
        storage_key=key, status="ready",
    )  # fmt: skip


def _media_lines(text: str, kind: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"#EXT-X-MEDIA:TYPE={kind}")]


def _uri(line: str) -> str:
    return line.split('URI="', 1)[1].split('"', 1)[0]


def test_subtitles_mapped_to_the_renditions_timestamps(s3, api, patron_api, playable, tmp_path):
    """The renditions present the film's first frame at MPEG-TS time 133200 (1.48 s, as
    ffmpeg writes them): each subtitle file is served with the X-TIMESTAMP-MAP that says
    so (RFC 8216 §3.5), or players would show every cue 1.48 s early."""
    track = _subtitles(playable, s3, tmp_path, sdh=True, text=(
        "\ufeffWEBVTT - a title\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n"
        "00:00.500 --> 00:02.000\nBonjour\n"
    ))  # fmt: skip
    body = start(patron_api, playable).json()
    text = api.get(path_of(body["master_playlist_url"])).content.decode()
    [line] = _media_lines(text, "SUBTITLES")
    playlist_url = _uri(line)
    playlist = api.get(path_of(playlist_url)).content.decode()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist and "#EXTINF:10.000," in playlist
    [link] = urls_in(playlist, playlist_url)
    assert link.endswith(".vtt")
    served = requests.get(api.get(path_of(link))["Location"], timeout=10)
    assert served.headers["Content-Type"] == "text/vtt"
    assert served.text == (
        "WEBVTT - a title\nX-TIMESTAMP-MAP=MPEGTS:133200,LOCAL:00:00:00.000\n\n"
        "00:00.500 --> 00:02.000\nBonjour\n"
    )
    # the track itself is kept as uploaded
    assert s3.read_text(track.storage_key).startswith(
        "\ufeffWEBVTT - a title\nX-TIMESTAMP-MAP=MPEGTS:0"
    )


def test_subtitles_selected_by_default_for_a_film_not_in_french(
    s3, api, patron_api, playable, tmp_path
):
    from catalogue.models import Language

    french, english = (
        Language.objects.get_or_create(code=code, defaults={"name": code})[0]
        for code in ("fr", "en")
    )
    _subtitles(playable, s3, tmp_path, sdh=True)
    plain = _subtitles(playable, s3, tmp_path)
    _subtitles(playable, s3, tmp_path, language="en")

    def defaults():
        body = start(patron_api, playable).json()
        text = api.get(path_of(body["master_playlist_url"])).content.decode()
        lines = _media_lines(text, "SUBTITLES")
        assert len(lines) == Asset.objects.filter(kind="subtitles").count()
        assert all("AUTOSELECT=YES" in line for line in lines)
        return [line for line in lines if "DEFAULT=YES" in line]

    assert defaults() == []  # original language unknown: none selected
    playable.original_languages.set([english])
    [selected] = defaults()  # a film in English: the plain French subtitles
    assert 'LANGUAGE="fr"' in selected and "CHARACTERISTICS" not in selected
    playable.original_languages.set([english, french])
    assert defaults() == []  # partly in French: none
    playable.original_languages.set([english])
    plain.delete()
    [selected] = defaults()  # only SDH in French: that one
    assert "public.accessibility.transcribes-spoken-dialog" in selected


def test_accessibility_characteristics_and_groups(s3, api, patron_api, playable, tmp_path):
    _subtitles(playable, s3, tmp_path, sdh=True)
    Asset.objects.create(
        film=playable,
        kind="audio_description",
        language="fr",
        storage_key=f"films/{playable.pk}/ad/fr.m4a",
        status="ready",
    )
    body = start(patron_api, playable, HTTP_ACCEPT_LANGUAGE="fr").json()
    text = api.get(path_of(body["master_playlist_url"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    [subtitles] = _media_lines(text, "SUBTITLES")
    assert (
        'CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,'
        'public.accessibility.describes-music-and-sound"'
    ) in subtitles
    assert 'NAME="Français pour sourds et malentendants"' in subtitles
    described = [line for line in _media_lines(text, "AUDIO") if "URI=" in line]
    assert len(described) == 1
    assert 'CHARACTERISTICS="public.accessibility.describes-video"' in described[0]
    assert 'SUBTITLES="subs"' in text and 'AUDIO="aud"' in text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_starts_on_two_streams(library, streamable_film, streaming_subscription):
    """10 threads, each on its own connection, start at the same moment under a
    subscription of 2 concurrent streams: exactly 2 sessions exist."""
    import threading

    from django.db import close_old_connections

    from media.services.playback import playback_start

    master = Asset.objects.create(
        film=streamable_film, kind="master", storage_key="m.mov", status="ready"
    )
    Asset.objects.create(
        film=streamable_film,
        kind="hls_rendition",
        source=master,
        profile_id=EncodingProfile.objects.get(name="360p").pk,
        storage_key="r/index.m3u8",
        status="ready",
        width=640,
        height=360,
    )
    viewers = [
        UserFactory(role=User.Role.PATRON, institution=library, username=f"p-{i}")
        for i in range(10)
    ]
    barrier = threading.Barrier(10)
    outcomes = []

    def attempt(user):
        try:
            barrier.wait()
            playback_start(user=user, film=streamable_film, ip=None)
            outcomes.append("ok")
        except Exception as exc:  # the reason code is what we count
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in viewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 2 + ["stream_limit_reached"] * 8
    assert PlaybackSession.objects.filter(subscription=streaming_subscription).count() == 2


def test_playback_start_query_count(patron_api, playable, django_assert_max_num_queries):
    """The authorization is a hot path: a fixed number of queries whatever the catalogue's
    size: token, film with its ready-rendition flag, library with its IP ranges, grants,
    then in the transaction networks, subscription read and locked at once, open-session
    count, quota claim (a loan in its viewing window: one query), the session row, the
    viewer's last session of the film (where to resume; ended when still open); plus the
    savepoint pair of the test's transaction."""
    start(patron_api, playable)  # warm the caches of the first request
    PlaybackSession.objects.update(ended_at=timezone.now())
    with django_assert_max_num_queries(12):
        assert start(patron_api, playable).status_code == 201


def test_embedded_local_store_serves_segments_through_signed_backend_urls(
    local_store, api, patron_api, streamable_film, streaming_subscription, tmp_path, monkeypatch,
    settings,
):  # fmt: skip
    ready_rendition(streamable_film, local_store, tmp_path)
    body = start(patron_api, streamable_film).json()
    link = segment_links(api, body)[0]
    object_url = api.get(path_of(link))["Location"]
    # the file's own name and content type (ffmpeg refuses a segment without .ts)
    assert object_url.startswith("http://testserver/api/v1/media/local-store/objects/")
    assert object_url.endswith("/seg_00000.ts")
    answer = api.get(path_of(object_url))
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"segment-0"
    assert answer["Content-Type"] == "video/mp2t"
    monkeypatch.setattr(tokens, "time", _Later(settings.MEDIA_SEGMENT_URL_SECONDS + 1))
    assert api.get(path_of(object_url)).status_code == 403
    # the link itself still works: it presigns again
    assert api.get(path_of(link)).status_code == 302


def test_viewers_see_which_films_stream_but_no_asset_details(
    s3, api, patron_api, library_api, editor_api, playable, streamable_film, tmp_path
):
    """Patrons and library staff see the films with a ready stream and what it offers;
    the assets themselves (keys, sizes, checksums, errors, uploads) stay staff-only."""
    master = Asset.objects.get(film=playable, kind=Asset.Kind.MASTER)
    Asset.objects.create(
        film=playable, kind=Asset.Kind.SUBTITLES, language="fr", status=Asset.Status.READY,
        storage_key=f"films/{playable.pk}/subtitles/{uuid.uuid4().hex}.vtt",
        for_deaf_and_hard_of_hearing=True,
    )  # fmt: skip
    Asset.objects.create(
        film=playable, kind=Asset.Kind.AUDIO_DESCRIPTION, language="fr",
        status=Asset.Status.FAILED, error="bad file",
        storage_key=f"films/{playable.pk}/ad/{uuid.uuid4().hex}.m4a",
    )  # fmt: skip
    not_ready = FilmFactory()
    Asset.objects.create(
        film=not_ready, kind=Asset.Kind.MASTER, status=Asset.Status.TRANSCODING,
        storage_key=f"films/{not_ready.pk}/master/x.mov",
    )  # fmt: skip
    for client in (patron_api, library_api, editor_api):
        listing = client.get("/api/v1/media/playable-films/")
        assert listing.status_code == 200, listing.content
        body = listing.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert [row["film"] for row in rows] == [playable.pk]
        [row] = rows
        assert row["renditions"] == [{"name": "720p", "width": 1280, "height": 720}]
        assert row["subtitles"] == [{"language": "fr", "for_deaf_and_hard_of_hearing": True}]
        assert row["audio_description"] == []  # the failed track is not offered
        text = listing.content.decode()
        for secret in ("storage_key", master.storage_key, "sha256", "bad file", "error"):
            assert secret not in text
        one = client.get(f"/api/v1/media/playable-films/{playable.pk}/")
        assert one.status_code == 200 and one.json()["film"] == playable.pk
        assert client.get(f"/api/v1/media/playable-films/{not_ready.pk}/").status_code == 404

    assert api.get("/api/v1/media/playable-films/").status_code in (401, 403)
    # The asset and upload endpoints stay the cinema staff's.
    for client in (patron_api, library_api):
        assert client.get("/api/v1/media/assets/").status_code == 403
        assert client.get(f"/api/v1/media/assets/{master.pk}/").status_code == 403
        assert client.post("/api/v1/media/uploads/", {}).status_code == 403
        assert client.post(f"/api/v1/media/assets/{master.pk}/transcode/").status_code == 403
    assert editor_api.get(f"/api/v1/media/assets/{master.pk}/").status_code == 200
