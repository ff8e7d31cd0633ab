"""Playback sessions: who may watch what, from where, under which subscription; one open
session per viewer and film; where to resume; heartbeats and ends become view events.
(What the player follows — playlists and segment links — is media.services.streams.)

Start (in this order): the medium from the client's address (`stream_onsite` inside one
of the library's IP ranges, else `stream_home`) → the rights engine's decision → the
streaming subscription → the viewer's earlier session of the film ended (its slot freed)
→ a ready rendition → the concurrent-stream caps (the plan's, and the film's from its
rights grant: the stricter applies), counted under the subscription's row lock so two
starts cannot both take the last slot."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError, NotFoundError
from backend.revision import counter as revision
from institutions.models import Institution
from media import selectors
from media.errors import MediaErrorCode
from media.locks import lock_session, lock_viewer_session, lock_viewer_sessions_of
from media.models import PlaybackSession, StreamMedium, ViewEvent
from rights.decisions import decide
from subscriptions.locks import lock_streaming_subscription
from subscriptions.selectors import subscriber_ids_for
from subscriptions.services.quotas import streaming_loan_claim

#: how far past the stream's end a reported position may be (players round up)
POSITION_TOLERANCE_SECONDS = 1.0


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

    def read():
        rows = list(
            Institution.objects.filter(pk=user.institution_id).annotate(
                range_cidr=F("ip_ranges__cidr")
            )
        )
        institution = rows[0]
        cidrs = tuple(row.range_cidr for row in rows if row.range_cidr)
        return institution, cidrs, tuple(subscriber_ids_for(institution, on))

    return revision.remembered(("media.viewer_library", user.institution_id, on), read)


def _stream_decision(institution, film, medium: str, on: datetime.date):
    """The rights engine's decision, remembered by the worker under the catalogue revision
    (which changes with the film, its grants and the library)."""
    return revision.remembered(
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


def resume_position(previous: PlaybackSession | None, duration: float | None) -> float:
    """Where a viewer's new session of a film starts: where their last one was, unless
    they had reached the end credits (the last MEDIA_RESUME_CREDITS_SECONDS, at most a
    tenth of the film) or the position does not fit the stream."""
    if previous is None or not duration:
        return 0.0
    position = previous.position_seconds
    if position <= 0 or selectors.in_end_credits(position, duration):
        return 0.0
    return position


def _previous_session_end(*, user, film, now) -> PlaybackSession | None:
    """One session per viewer and film: the viewer's latest session of the film (locked),
    ended now if it is still open — a reload or another device frees its slot in the
    starting transaction — with its view recorded. Returned for the resume position."""
    previous = lock_viewer_sessions_of(user_id=user.pk, film_id=film.pk)
    if previous is not None and previous.ended_at is None:
        previous.ended_at = max(now, previous.last_heartbeat_at)
        previous.save(update_fields=["ended_at"])
        _record_view(previous)
    return previous


def playback_start(*, user, film, ip, now: datetime.datetime | None = None) -> PlaybackSession:
    """Start a session, or refuse with the first failing check. Queries: the library with
    its IP ranges and its networks (two), the film's grants of the medium (one,
    `rights.decisions.decide`) — all three remembered by the worker under the catalogue
    revision, so a worker's next start for the same library and film skips them — then in
    one transaction the streaming subscription read and locked in the same statement, the
    viewer's last session of the film (ended if still open), the open sessions counted
    under the subscription's lock, the quota claim and the session row.
    `film.streamable` and `film.stream_duration` (annotated by `selectors.film_to_play`)
    save the query for a ready rendition. The session starts at `position_seconds`, the
    position to resume from."""
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
        # the streaming subscription, read and row-locked at once (or subscriptions' own
        # refusal, 403 no_streaming_subscription): two starts cannot both take the last
        # slot. The lock order across apps: backend/locks.py
        subscription = lock_streaming_subscription(
            library=institution, on=today, subscriber_ids=subscriber_ids
        )
        # a reload (or another device) ends the viewer's open session of this film: its
        # slot is free before the count below
        previous = _previous_session_end(user=user, film=film, now=now)

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
        if hasattr(film, "stream_duration"):  # annotated by selectors.film_to_play
            duration = film.stream_duration
        else:
            duration = selectors.stream_duration(film.pk)
        return PlaybackSession.objects.create(  # one open per viewer and film: the lock above
            film=film,
            user=user,
            institution=institution,
            subscription=subscription,
            medium=medium,
            started_at=now,
            last_heartbeat_at=now,
            duration_seconds=duration,
            position_seconds=resume_position(previous, duration),
        )


def _watched(session: PlaybackSession, reported: int | None, now) -> int:
    """What the player reports, never more than the time elapsed since the start."""
    if reported is None:
        return session.seconds_watched
    elapsed = int((now - session.started_at).total_seconds()) + 5
    return max(session.seconds_watched, min(int(reported), elapsed))


def _silent(session: PlaybackSession, now) -> bool:
    return session.last_heartbeat_at < selectors.heartbeat_cutoff(now)


@dataclass(frozen=True)
class Heartbeat:
    """What a heartbeat recorded."""

    session: uuid.UUID
    seconds_watched: int
    position: float
    last_heartbeat_at: datetime.datetime
    ended_at: datetime.datetime | None = None


def session_heartbeat(
    *,
    session_id,
    user,
    seconds_watched: int | None = None,
    position: float | None = None,
    now=None,
) -> Heartbeat:
    """The player is still playing (or paused): keep the slot, note the time watched and
    the position (where a later start resumes). Refused once the session ended or went
    silent too long (the player starts a new one), or with a position beyond the stream's
    end; nothing is written then.

    The common case is one UPDATE of the session's row (no read, no explicit lock: the
    statement takes the row lock), its conditions being every check at once; when it
    matches no row, the row is read under lock to say why, or to cap a time watched that
    exceeds the time elapsed."""
    now = now or timezone.now()
    if seconds_watched is not None:
        conditions = Q(
            pk=session_id,
            user_id=user.pk,
            ended_at__isnull=True,
            last_heartbeat_at__gte=selectors.heartbeat_cutoff(now),
            seconds_watched__lte=seconds_watched,
            started_at__lte=now - datetime.timedelta(seconds=max(0, seconds_watched - 5)),
        )
        values = {"last_heartbeat_at": now, "seconds_watched": seconds_watched}
        if position is not None:
            conditions &= Q(duration_seconds__isnull=True) | Q(
                duration_seconds__gte=position - POSITION_TOLERANCE_SECONDS
            )
            values["position_seconds"] = position
        if PlaybackSession.objects.filter(conditions).update(**values):
            return Heartbeat(session_id, seconds_watched, position or 0.0, now)
    with transaction.atomic():
        session = lock_viewer_session(session_id=session_id, user_id=user.pk)
        if session is None:
            raise NotFoundError("not_found", _("No such playback session."))
        if session.ended_at is not None or _silent(session, now):
            raise ApplicationError(
                MediaErrorCode.SESSION_ENDED, _("This playback session is over."), status=410
            )
        if (
            position is not None
            and session.duration_seconds is not None
            and position > session.duration_seconds + POSITION_TOLERANCE_SECONDS
        ):
            raise ApplicationError(
                MediaErrorCode.POSITION_BEYOND_END,
                _("The position is beyond the end of the film (%(duration)s s).")
                % {"duration": int(session.duration_seconds)},
                field="position",
                extra={"duration": session.duration_seconds},
            )
        session.seconds_watched = _watched(session, seconds_watched, now)
        session.last_heartbeat_at = now
        fields = ["seconds_watched", "last_heartbeat_at"]
        if position is not None:
            session.position_seconds = position
            fields.append("position_seconds")
        session.save(update_fields=fields)
    return Heartbeat(session.pk, session.seconds_watched, session.position_seconds, now)


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
    *,
    session_id,
    user,
    seconds_watched: int | None = None,
    position: float | None = None,
    now=None,
) -> PlaybackSession:
    """The player stopped: free the slot, note the position and record the view
    (idempotent: ending an ended session changes nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        session = lock_viewer_session(session_id=session_id, user_id=user.pk)
        if session is None:
            raise NotFoundError("not_found", _("No such playback session."))
        if session.ended_at is None:
            if (
                position is not None
                and session.duration_seconds is not None
                and position > session.duration_seconds + POSITION_TOLERANCE_SECONDS
            ):
                raise ApplicationError(
                    MediaErrorCode.POSITION_BEYOND_END,
                    _("The position is beyond the end of the film (%(duration)s s).")
                    % {"duration": int(session.duration_seconds)},
                    field="position",
                    extra={"duration": session.duration_seconds},
                )
            session.seconds_watched = _watched(session, seconds_watched, now)
            session.ended_at = now
            fields = ["seconds_watched", "ended_at"]
            if position is not None:
                session.position_seconds = position
                fields.append("position_seconds")
            session.save(update_fields=fields)
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
