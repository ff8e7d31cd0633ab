"""What a player follows during a playback session, every URL bound to that session:
the master playlist (the ladder as it was encoded, subtitles, audio description), each
track's media playlist, and the links to the segments.

Segment access (README, "Segment access"). A session's URLs are
`/api/v1/playback/<session>/<token>/…`: the token is signed by the backend for the session
(and, below the master playlist, for one track) and carries the expiry of the session's
URLs — the stream's duration plus MEDIA_PLAYBACK_URL_MARGIN_SECONDS for pauses. A track's
media playlist is the stored one, verbatim: its segments are relative names, so they
resolve to `/api/v1/playback/<session>/<track token>/<segment>`, a link that the backend
answers, while the session still holds its stream slot, with a redirect to the store's URL
for that one segment, presigned for MEDIA_SEGMENT_URL_SECONDS. The playlists are VOD (read
once, as Safari/AVPlayer and ffmpeg do) and stay valid for the whole film; the store's URLs
live seconds; a link replayed after the session ended (or went silent, freeing its slot)
is refused; the bytes go from the store to the player, never through Django. Each segment
costs the backend one token check, one primary-key read and one presign."""

from __future__ import annotations

import time
import uuid
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError, NotFoundError
from catalogue.models import Film
from media import selectors
from media.errors import MediaErrorCode
from media.models import Asset, PlaybackSession
from media.objectstore import get_store
from media.tokens import token_make, token_read

SESSION_TOKEN = "session"  # noqa: S105 (token purposes)
TRACK_TOKEN = "track"  # noqa: S105
#: languages whose films need no subtitles selected by default (ISO 639-1 / 639-2)
FRENCH = {"fr", "fra", "fre"}
#: the rendition playlists are immutable files: a worker keeps their text this long
PLAYLIST_CACHE_SECONDS = 3600


def urls_expire_at(session: PlaybackSession) -> float:
    """Unix time at which every URL of the session stops working, even while it lives."""
    duration = session.duration_seconds or 0
    return session.started_at.timestamp() + duration + settings.MEDIA_PLAYBACK_URL_MARGIN_SECONDS


def session_token(session: PlaybackSession) -> str:
    return token_make(
        SESSION_TOKEN, {"s": str(session.pk), "f": session.film_id}, until=urls_expire_at(session)
    )


def _track_token(session: PlaybackSession, asset: Asset, directory: str) -> str:
    payload = {"s": str(session.pk), "f": session.film_id, "a": asset.pk, "d": directory}
    return token_make(TRACK_TOKEN, payload, until=urls_expire_at(session))


def _invalid() -> ApplicationError:
    return ApplicationError(MediaErrorCode.INVALID_TOKEN, _("This link is not valid."), status=403)


def _ended() -> ApplicationError:
    return ApplicationError(
        MediaErrorCode.SESSION_ENDED, _("This playback session is over."), status=410
    )


def _payload(purpose: str, token: str, session_id) -> dict:
    payload = token_read(purpose, token)
    if payload.get("s") != str(session_id):
        raise _invalid()
    return payload


def _check_live(session_id, *, now=None) -> None:
    """The session exists and still holds its stream slot (not ended, heard from within
    MEDIA_HEARTBEAT_TIMEOUT_SECONDS): one primary-key read, in plain SQL — it runs for
    every segment of every viewer, where building the ORM's query would cost more than
    the query."""
    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        raise _invalid() from None
    table = PlaybackSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ended_at IS NULL AND last_heartbeat_at >= %s FROM {table} WHERE id = %s",  # noqa: S608 (the model's table)
            [
                connection.ops.adapt_datetimefield_value(selectors.heartbeat_cutoff(now)),
                PlaybackSession._meta.pk.get_db_prep_value(key, connection),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise _invalid()
    if not row[0]:
        raise _ended()


def live_session(*, session_id, token: str) -> PlaybackSession:
    """The session a master playlist URL is for: a valid, unexpired token made for it,
    and the session still live."""
    payload = _payload(SESSION_TOKEN, token, session_id)
    session = PlaybackSession.objects.filter(pk=session_id, film_id=payload.get("f")).first()
    if session is None:
        raise _invalid()
    if session.ended_at is not None or session.last_heartbeat_at < selectors.heartbeat_cutoff():
        raise _ended()
    return session


# --- the master playlist ----------------------------------------------------------------
def _attr(value: str) -> str:
    return '"' + value.replace('"', "'").replace("\n", " ") + '"'


def _language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"].capitalize()
    except KeyError:
        return code or _("Unknown language")


def start_order(renditions: list[Asset]) -> list[Asset]:
    """Variants in the order players should see them. A player starts with the first
    variant listed (Apple's HLS authoring specification; hls.js does the same): that is the
    tallest rung whose peak bit rate fits MEDIA_HLS_START_BITRATE, or the lightest one;
    the others follow from the lightest up."""
    by_rate = sorted(renditions, key=lambda r: (_bandwidth(r), r.height or 0))
    fitting = [r for r in by_rate if _bandwidth(r) <= settings.MEDIA_HLS_START_BITRATE]
    first = fitting[-1] if fitting else by_rate[0]
    return [first, *(r for r in by_rate if r is not first)]


def _bandwidth(rendition: Asset) -> int:
    # a rendition transcoded before its values were measured: the profile's nominal rate
    return rendition.peak_bitrate or rendition.profile.nominal_bitrate


def default_subtitles(tracks: list[Asset], original_languages: set[str]) -> Asset | None:
    """French subtitles are selected for a film whose original languages are known and
    none of them is French (plain ones rather than SDH); none otherwise."""
    if not original_languages or original_languages & FRENCH:
        return None
    french = [t for t in tracks if t.kind == Asset.Kind.SUBTITLES and t.language in FRENCH]
    french.sort(key=lambda t: (t.for_deaf_and_hard_of_hearing, t.pk))
    return french[0] if french else None


def master_playlist(*, session: PlaybackSession, track_url) -> str:
    """The HLS master playlist: every ready rung with its measured values (CODECS,
    RESOLUTION, FRAME-RATE, peak BANDWIDTH, AVERAGE-BANDWIDTH) in start order, the subtitle
    tracks (the default one selected; SDH marked with its accessibility characteristics)
    and the audio-description tracks. `track_url(session, asset)` gives each track's URL."""
    renditions = selectors.ready_renditions(session.film_id)
    if not renditions:
        raise ConflictError(
            MediaErrorCode.NO_READY_RENDITION, _("This film cannot be streamed yet.")
        )
    tracks = selectors.ready_tracks(session.film_id)
    languages = set(
        Film.original_languages.through.objects.filter(film_id=session.film_id).values_list(
            "language_id", flat=True
        )
    )
    lines = ["#EXTM3U", "#EXT-X-VERSION:4", "#EXT-X-INDEPENDENT-SEGMENTS"]
    subtitles = [t for t in tracks if t.kind == Asset.Kind.SUBTITLES]
    described = [t for t in tracks if t.kind == Asset.Kind.AUDIO_DESCRIPTION]
    selected = default_subtitles(subtitles, languages)
    kinds = Counter((t.language, t.for_deaf_and_hard_of_hearing) for t in subtitles)
    for track in subtitles:
        language = track.language or "und"
        if track.for_deaf_and_hard_of_hearing:
            name = _("%(language)s for the deaf and hard of hearing") % {
                "language": _language_name(track.language)
            }
            characteristics = (
                ',CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,'
                'public.accessibility.describes-music-and-sound"'
            )
        else:
            name, characteristics = _language_name(track.language), ""
        if kinds[(track.language, track.for_deaf_and_hard_of_hearing)] > 1:
            name = f"{name} ({track.pk})"  # NAME is unique in its group (RFC 8216)
        default = "YES" if track is selected else "NO"
        lines.append(
            f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME={_attr(name)},'
            f"LANGUAGE={_attr(language)},DEFAULT={default},AUTOSELECT=YES,FORCED=NO"
            f"{characteristics},URI={_attr(track_url(session, track))}"
        )
    if described:
        lines.append(
            '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="original",DEFAULT=YES,AUTOSELECT=YES'
        )
        for track in described:
            name = _("%(language)s, audio description") % {
                "language": _language_name(track.language)
            }
            lines.append(
                f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME={_attr(f"{name} ({track.pk})")},'
                f"LANGUAGE={_attr(track.language or 'und')},DEFAULT=NO,AUTOSELECT=NO,"
                f'CHARACTERISTICS="public.accessibility.describes-video",'
                f"URI={_attr(track_url(session, track))}"
            )
    for rendition in start_order(renditions):
        attributes = [f"BANDWIDTH={_bandwidth(rendition)}"]
        if rendition.average_bitrate:
            attributes.append(f"AVERAGE-BANDWIDTH={rendition.average_bitrate}")
        if rendition.codecs:
            attributes.append(f'CODECS="{rendition.codecs}"')
        attributes.append(f"RESOLUTION={rendition.width}x{rendition.height}")
        if rendition.frame_rate:
            attributes.append(f"FRAME-RATE={rendition.frame_rate:.3f}")
        if subtitles:
            attributes.append('SUBTITLES="subs"')
        if described:
            attributes.append('AUDIO="aud"')
        lines += [f"#EXT-X-STREAM-INF:{','.join(attributes)}", track_url(session, rendition)]
    return "\n".join(lines) + "\n"


def track_path_token(session: PlaybackSession, asset: Asset) -> str:
    """The token of a track's URLs: its playlist and, relative to it, its segments (the
    files of the track's directory)."""
    directory = asset.storage_key.rsplit("/", 1)[0] if "/" in asset.storage_key else ""
    return _track_token(session, asset, directory)


# --- a track's media playlist -----------------------------------------------------------
def track_playlist(*, session_id, token: str) -> str:
    """A rendition's stored media playlist, verbatim (its segments are relative names, so
    they resolve to this session's segment links), or a one-segment playlist around a
    subtitle track (mapped to the renditions' timestamps) or an audio-description file."""
    payload = _payload(TRACK_TOKEN, token, session_id)
    _check_live(session_id)
    asset = Asset.objects.filter(
        pk=payload.get("a"),
        film_id=payload.get("f"),
        status=Asset.Status.READY,
        kind__in=[Asset.Kind.HLS_RENDITION, Asset.Kind.SUBTITLES, Asset.Kind.AUDIO_DESCRIPTION],
    ).first()
    if asset is None:
        raise NotFoundError("not_found", _("No such track."))
    store = get_store()
    if asset.kind == Asset.Kind.HLS_RENDITION:
        return cache.get_or_set(
            f"media:playlist:{asset.storage_key}",
            lambda: store.read_text(asset.storage_key),
            PLAYLIST_CACHE_SECONDS,
        )
    key = asset.storage_key
    if asset.kind == Asset.Kind.SUBTITLES:
        key = timed_subtitles(asset, store=store)
    duration = asset.duration_seconds or _stream_duration(asset.film_id)
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        f"#EXT-X-TARGETDURATION:{int(duration) + 1}\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:{duration:.3f},\n{key.rsplit('/', 1)[-1]}\n#EXT-X-ENDLIST\n"
    )


def _stream_duration(film_id: int) -> float:
    renditions = selectors.ready_renditions(film_id)
    return max((r.duration_seconds or 0 for r in renditions), default=0) or 1.0


def _with_timestamp_map(text: str, start_pts: int) -> str:
    """The WebVTT file with `X-TIMESTAMP-MAP=MPEGTS:<start_pts>,LOCAL:00:00:00.000` in its
    header (RFC 8216 §3.5): cue times count from the film's first frame, which the
    renditions present at MPEG-TS time `start_pts` (ffmpeg starts near 1.4 s, not 0)."""
    text = text.lstrip("\ufeff")
    header, separator, body = text.replace("\r\n", "\n").partition("\n\n")
    kept = [line for line in header.split("\n") if not line.startswith("X-TIMESTAMP-MAP")]
    kept.insert(1, f"X-TIMESTAMP-MAP=MPEGTS:{start_pts},LOCAL:00:00:00.000")
    return "\n".join(kept) + separator + body


def timed_subtitles(track: Asset, *, store=None) -> str:
    """The key of the track's WebVTT mapped to the film's renditions, written beside the
    track the first time it is asked for (keyed by the timestamp it maps to, so a new
    encode gets its own copy); the track's own file when the renditions' first timestamp
    was never measured."""
    renditions = selectors.ready_renditions(track.film_id)
    start_pts = next((r.start_pts for r in renditions if r.start_pts is not None), None)
    if start_pts is None:
        return track.storage_key
    stem = track.storage_key.rsplit(".", 1)[0]
    key = f"{stem}.pts{start_pts}.vtt"
    if cache.get(f"media:timed:{key}"):
        return key
    store = store or get_store()
    if store.size(key) is None:
        text = _with_timestamp_map(store.read_text(track.storage_key), start_pts)
        store.write_bytes(key, text.encode(), "text/vtt")
    cache.set(f"media:timed:{key}", True, None)
    return key


# --- segment links ----------------------------------------------------------------------
def segment_url(*, session_id, token: str, name: str, now=None) -> str:
    """The store's URL of one segment of a track, presigned for MEDIA_SEGMENT_URL_SECONDS,
    while the session holds its slot. `name` is a file name of the track's directory (the
    URL pattern allows no slash)."""
    payload = _payload(TRACK_TOKEN, token, session_id)
    _check_live(session_id, now=now)
    directory = payload.get("d", "")
    key = f"{directory}/{name}" if directory else name
    return get_store().download_url(key, expires=settings.MEDIA_SEGMENT_URL_SECONDS)


def seconds_left(session: PlaybackSession) -> int:
    return max(0, int(urls_expire_at(session) - time.time()))
