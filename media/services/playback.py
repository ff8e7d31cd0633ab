"""Playback: who may watch what, from where, under which subscription, and the signed
playlists a player follows; heartbeats and ends become view events.

Start (in this order): the medium from the client's address (`stream_onsite` inside one
of the library's IP ranges, else `stream_home`) → the rights engine's decision → the
streaming subscription → a ready rendition → the concurrent-stream caps (the plan's, and
the film's from its rights grant: the stricter applies), counted under the subscription's
row lock so two starts cannot both take the last slot."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError, NotFoundError
from catalogue import cache as catalogue_cache
from media import selectors
from media.errors import MediaErrorCode
from media.locks import lock_session
from media.models import Asset, PlaybackSession, StreamMedium, ViewEvent
from media.objectstore import get_store, presign_seconds
from media.tokens import token_make, token_read

PLAYLIST_TOKEN = "playlist"  # noqa: S105 (the token purpose)


def medium_for(*, institution, ip, cidrs=None) -> str:
    """On site when the address is in one of the library's registered networks
    (`cidrs`, when the caller read them already; else they are read here)."""
    if ip is not None:
        if cidrs is None:
            cidrs = institution.ip_ranges.values_list("cidr", flat=True)
        for cidr in cidrs:
            network = ipaddress.ip_network(cidr, strict=False)
            if ip.version == network.version and ip in network:
                return StreamMedium.ONSITE
    return StreamMedium.HOME


def _viewer_library(user, on: datetime.date):
    """The viewer's library, its on-site networks (one query: a LEFT JOIN on the IP
    ranges, one row per range) and the institutions whose subscriptions may cover it that
    day (itself and its networks: one query). Remembered by the worker under the catalogue
    revision, which changes with the library, its ranges and its memberships."""
    from institutions.models import Institution
    from subscriptions.selectors import subscriber_ids_for

    def read():
        rows = list(
            Institution.objects.filter(pk=user.institution_id).annotate(
                range_cidr=F("ip_ranges__cidr")
            )
        )
        institution = rows[0]
        cidrs = tuple(row.range_cidr for row in rows if row.range_cidr)
        return institution, cidrs, tuple(subscriber_ids_for(institution, on))

    return catalogue_cache.remembered(("media.viewer_library", user.institution_id, on), read)


def _stream_decision(institution, film, medium: str, on: datetime.date):
    """The rights engine's decision, remembered by the worker under the catalogue revision
    (which changes with the film, its grants and the library)."""
    from rights.decisions import decide

    return catalogue_cache.remembered(
        ("media.stream_decision", institution.pk, film.pk, medium, on),
        lambda: decide(institution, film, medium, on=on),
    )


def _check_stream_caps(*, subscription, film, decision, now) -> None:
    """The stricter of the two caps applies: the plan's streams for the whole
    subscription, and the streams of this film its rights grant allows at once (the
    decision's `max_concurrent_streams`, counted under the same subscription). Both are
    counted in one query, under the subscription's row lock the caller holds."""
    plan_cap = subscription.plan.max_concurrent_streams
    film_cap = decision.max_concurrent_streams
    if plan_cap is None and film_cap is None:
        return
    in_use = (
        selectors.open_sessions(now)
        .filter(subscription=subscription)
        .aggregate(all=Count("pk"), film=Count("pk", filter=Q(film_id=film.pk)))
    )
    if film_cap is not None and in_use["film"] >= film_cap:
        cap, message = (
            film_cap,
            _("All %(cap)s streams of this film allowed by its rights are in use."),
        )
    elif plan_cap is not None and in_use["all"] >= plan_cap:
        cap, message = plan_cap, _("All %(cap)s streams of your library's subscription are in use.")
    else:
        return
    raise ApplicationError(
        MediaErrorCode.STREAM_LIMIT_REACHED,
        message % {"cap": cap},
        status=429,
        extra={"max_concurrent_streams": cap},
    )


def viewer_pseudonym(user) -> str:
    """A keyed digest of the account id: stable across a patron's views (statistics count
    returning viewers), unreadable, and independent of the account's erasure."""
    message = f"viewer:{user.pk}".encode()
    return hmac.new(settings.PATRON_CARD_PEPPER.encode(), message, hashlib.sha256).hexdigest()[:32]


def playback_start(*, user, film, ip, now: datetime.datetime | None = None) -> PlaybackSession:
    """Start a session, or refuse with the first failing check. Queries: the library with
    its IP ranges and its networks (two), the film's grants of the medium (one,
    `rights.decisions.decide`) — all three remembered by the worker under the catalogue
    revision, so a worker's next start for the same library and film skips them — then in
    one transaction the streaming subscription read and locked in the same statement, the
    open sessions counted under that lock, the quota claim and the session row.
    `film.streamable` (annotated by `selectors.film_to_play`) saves the query for a ready
    rendition."""
    from subscriptions.selectors import subscriptions_covering
    from subscriptions.services.patrons import patron_streaming_subscription
    from subscriptions.services.quotas import streaming_loan_claim

    now = now or timezone.now()
    today = timezone.localdate(now)
    if user.institution_id is None or not (user.is_patron or user.is_institution_staff):
        raise ApplicationError(
            MediaErrorCode.NOT_A_VIEWER,
            _("Films are watched by patrons and staff of subscribing libraries."),
            status=403,
        )
    institution, cidrs, subscriber_ids = _viewer_library(user, today)
    medium = medium_for(institution=institution, ip=ip, cidrs=cidrs)
    decision = _stream_decision(institution, film, medium, today)
    if not decision.allowed:
        raise ApplicationError(
            decision.reason,
            _("The rights do not allow this film to be streamed here (%(reason)s).")
            % {"reason": decision.reason},
            status=403,
            extra={"medium": medium},
        )
    streamable = getattr(film, "streamable", None)
    with transaction.atomic():
        # The subscription patron_streaming_subscription() would pick (the first covering
        # one that includes streaming), read and row-locked at once: two starts cannot
        # both take the last slot. Only that row is locked (LIMIT 1, FOR UPDATE OF it).
        subscription = (
            subscriptions_covering(library=institution, on=today, subscriber_ids=subscriber_ids)
            .filter(plan__includes_streaming=True)
            .select_for_update(of=("self",))
            .first()
        )
        if subscription is None:
            # its refusal (403 no_streaming_subscription), worded in one place
            subscription = patron_streaming_subscription(user=user, on=today)
        if streamable is None:
            streamable = selectors.has_ready_rendition(film.pk)
        if not streamable:
            raise ConflictError(
                MediaErrorCode.NO_READY_RENDITION, _("This film cannot be streamed yet.")
            )
        _check_stream_caps(subscription=subscription, film=film, decision=decision, now=now)
        # fair use (patron quota, library caps): counted in this same transaction
        streaming_loan_claim(
            subscription=subscription, user=user, library=institution, film=film, now=now
        )
        return PlaybackSession.objects.create(
            film=film,
            user=user,
            institution=institution,
            subscription=subscription,
            medium=medium,
            started_at=now,
            last_heartbeat_at=now,
        )


def playlist_token(session: PlaybackSession) -> str:
    return token_make(
        PLAYLIST_TOKEN,
        {"s": str(session.pk), "f": session.film_id},
        seconds=settings.MEDIA_PLAYLIST_URL_MINUTES * 60,
    )


def session_for_token(*, session_id, film_id: int, token: str) -> PlaybackSession:
    """The session a playlist URL is for: the token must be valid, unexpired, and made for
    this session and this film; the session must not be over."""
    payload = token_read(PLAYLIST_TOKEN, token)
    if payload.get("s") != str(session_id) or payload.get("f") != film_id:
        raise ApplicationError(
            MediaErrorCode.INVALID_TOKEN, _("This link is not valid."), status=403
        )
    session = PlaybackSession.objects.filter(pk=session_id, film_id=film_id).first()
    if session is None:
        raise ApplicationError(
            MediaErrorCode.INVALID_TOKEN, _("This link is not valid."), status=403
        )
    if session.ended_at is not None:
        raise ApplicationError(
            MediaErrorCode.SESSION_ENDED, _("This playback session is over."), status=410
        )
    return session


def _attr(value: str) -> str:
    return '"' + value.replace('"', "'") + '"'


def master_playlist(*, session: PlaybackSession, track_url) -> str:
    """The HLS master playlist: every ready rung, the subtitles (SDH flagged as such) and
    the audio description when the film has them. `track_url(asset)` gives each
    rendition's or track's own signed URL."""
    renditions = selectors.ready_renditions(session.film_id)
    if not renditions:
        raise ConflictError(
            MediaErrorCode.NO_READY_RENDITION, _("This film cannot be streamed yet.")
        )
    tracks = selectors.ready_tracks(session.film_id)
    lines = ["#EXTM3U", "#EXT-X-VERSION:4", "#EXT-X-INDEPENDENT-SEGMENTS"]
    subtitles = [t for t in tracks if t.kind == Asset.Kind.SUBTITLES]
    described = [t for t in tracks if t.kind == Asset.Kind.AUDIO_DESCRIPTION]
    for track in subtitles:
        name = f"{track.language or 'und'}{' (SDH)' if track.for_deaf_and_hard_of_hearing else ''}"
        characteristics = (
            ',CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,'
            'public.accessibility.describes-music-and-sound"'
            if track.for_deaf_and_hard_of_hearing
            else ""
        )
        lines.append(
            f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME={_attr(name)},'
            f"LANGUAGE={_attr(track.language or 'und')},DEFAULT=NO,AUTOSELECT=YES"
            f"{characteristics},URI={_attr(track_url(track))}"
        )
    if described:
        lines.append(
            '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="original",DEFAULT=YES,AUTOSELECT=YES'
        )
        for track in described:
            lines.append(
                f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME={_attr("AD " + track.language)},'
                f"LANGUAGE={_attr(track.language or 'und')},DEFAULT=NO,AUTOSELECT=NO,"
                f'CHARACTERISTICS="public.accessibility.describes-video",'
                f"URI={_attr(track_url(track))}"
            )
    for rendition in renditions:
        attributes = [
            f"BANDWIDTH={rendition.profile.bandwidth}",
            f"RESOLUTION={rendition.width}x{rendition.height}",
            'CODECS="avc1.4d401f,mp4a.40.2"',
        ]
        if subtitles:
            attributes.append('SUBTITLES="subs"')
        if described:
            attributes.append('AUDIO="aud"')
        lines += [f"#EXT-X-STREAM-INF:{','.join(attributes)}", track_url(rendition)]
    return "\n".join(lines) + "\n"


def track_playlist(*, session: PlaybackSession, asset_id: int) -> str:
    """A rendition's playlist with every segment presigned by the store (short validity),
    or a one-segment playlist around a subtitle or audio-description file."""
    asset = Asset.objects.filter(
        pk=asset_id,
        film_id=session.film_id,
        status=Asset.Status.READY,
        kind__in=[Asset.Kind.HLS_RENDITION, Asset.Kind.SUBTITLES, Asset.Kind.AUDIO_DESCRIPTION],
    ).first()
    if asset is None:
        raise NotFoundError("not_found", _("No such track."))
    store = get_store()
    expires = presign_seconds()
    if asset.kind == Asset.Kind.HLS_RENDITION:
        directory = asset.storage_key.rsplit("/", 1)[0]
        lines = []
        for line in store.read_text(asset.storage_key).splitlines():
            if line and not line.startswith("#"):
                line = store.download_url(f"{directory}/{line}", expires=expires)
            lines.append(line)
        return "\n".join(lines) + "\n"
    duration = asset.duration_seconds or (session.film.runtime_minutes * 60)
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        f"#EXT-X-TARGETDURATION:{int(duration) + 1}\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:{duration:.3f},\n{store.download_url(asset.storage_key, expires=expires)}\n"
        "#EXT-X-ENDLIST\n"
    )


def _owned(session_id, user) -> PlaybackSession:
    session = PlaybackSession.objects.filter(pk=session_id, user_id=user.pk).first()
    if session is None:
        raise NotFoundError("not_found", _("No such playback session."))
    return session


def _watched(session: PlaybackSession, reported: int | None, now) -> int:
    """What the player reports, never more than the time elapsed since the start."""
    if reported is None:
        return session.seconds_watched
    elapsed = int((now - session.started_at).total_seconds()) + 5
    return max(session.seconds_watched, min(int(reported), elapsed))


def session_heartbeat(
    *, session_id, user, seconds_watched: int | None = None, now=None
) -> PlaybackSession:
    """The player is still playing: keep the slot, note the time watched. Refused once the
    session ended or went silent too long (the player must start a new one)."""
    now = now or timezone.now()
    _owned(session_id, user)
    with transaction.atomic():
        session = lock_session(session_id)
        if session.ended_at is not None or session.last_heartbeat_at < selectors.heartbeat_cutoff(
            now
        ):
            raise ApplicationError(
                MediaErrorCode.SESSION_ENDED, _("This playback session is over."), status=410
            )
        session.seconds_watched = _watched(session, seconds_watched, now)
        session.last_heartbeat_at = now
        session.save(update_fields=["seconds_watched", "last_heartbeat_at"])
    return session


def _record_view(session: PlaybackSession) -> ViewEvent:
    view, _created = ViewEvent.objects.get_or_create(
        session=session,
        defaults={
            "film_id": session.film_id,
            "institution_id": session.institution_id,
            "viewer_pseudonym": viewer_pseudonym(session.user),
            "medium": session.medium,
            "seconds_watched": session.seconds_watched,
            "started_at": session.started_at,
        },
    )
    return view


def session_end(
    *, session_id, user, seconds_watched: int | None = None, now=None
) -> PlaybackSession:
    """The player stopped: free the slot and record the view (idempotent)."""
    now = now or timezone.now()
    _owned(session_id, user)
    with transaction.atomic():
        session = lock_session(session_id)
        if session.ended_at is None:
            session.seconds_watched = _watched(session, seconds_watched, now)
            session.ended_at = now
            session.save(update_fields=["seconds_watched", "ended_at"])
        _record_view(session)
    return session


def sessions_expire_silent(*, now: datetime.datetime | None = None) -> int:
    """End every session silent for longer than the heartbeat timeout, at its last
    heartbeat, and record its view."""
    cutoff = selectors.heartbeat_cutoff(now)
    ids = list(
        PlaybackSession.objects.filter(
            ended_at__isnull=True, last_heartbeat_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for session_id in ids:
        with transaction.atomic():
            session = lock_session(session_id)
            if session.ended_at is None and session.last_heartbeat_at < cutoff:
                session.ended_at = session.last_heartbeat_at
                session.save(update_fields=["ended_at"])
                _record_view(session)
    return len(ids)
