"""Reads of the media app: assets visible to the cinema staff, the ready renditions and
tracks of a film, and the stream slots a subscription is using."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.access import get_or_not_found
from backend.revision import counter as revision
from catalogue.accessibility import AUDIO_DESCRIPTION, SDH
from catalogue.models import Film
from catalogue.selectors import films_visible_to
from media.models import Asset, PlaybackSession, Upload
from media.objectstore import get_store


def assets_visible_to(user) -> QuerySet[Asset]:
    """Assets are the cinema service's working files: its staff see them, nobody else."""
    qs = Asset.objects.select_related("profile")
    return qs if user.is_authenticated and user.is_cinema_staff else qs.none()


def asset_get_for(user, asset_id) -> Asset:
    return get_or_not_found(assets_visible_to(user), asset_id, _("No such asset."))


def upload_get_for(user, upload_id) -> Upload:
    """An upload, for the staff member who started it only (others get a 404)."""
    qs = Upload.objects.select_related("asset").filter(started_by_id=user.pk)
    if not (user.is_authenticated and user.is_cinema_staff):
        qs = qs.none()
    return get_or_not_found(qs, upload_id, _("No such upload."))


def ready_renditions(film_id: int) -> list[Asset]:
    """The ready HLS renditions of a film's latest ready master, tallest first."""
    master = (
        Asset.objects.filter(film_id=film_id, kind=Asset.Kind.MASTER, status=Asset.Status.READY)
        .order_by("-pk")
        .first()
    )
    if master is None:
        return []
    return list(
        Asset.objects.filter(
            source=master, kind=Asset.Kind.HLS_RENDITION, status=Asset.Status.READY
        )
        .select_related("profile")
        .order_by("-height")
    )


def _ready_renditions_of(film_id) -> QuerySet[Asset]:
    return Asset.objects.filter(
        film_id=film_id,
        kind=Asset.Kind.HLS_RENDITION,
        status=Asset.Status.READY,
        source__kind=Asset.Kind.MASTER,
        source__status=Asset.Status.READY,
    )


def has_ready_rendition(film_id: int) -> bool:
    """Whether a film can be streamed (a ready rendition of a ready master)."""
    return _ready_renditions_of(film_id).exists()


def stream_duration(film_id: int) -> float | None:
    """How long the film's stream lasts (its latest ready master's renditions)."""
    return (
        _ready_renditions_of(film_id)
        .order_by("-source_id")
        .values_list("duration_seconds", flat=True)
        .first()
    )


def streamable_films(films: QuerySet) -> QuerySet:
    """The films annotated with `streamable` (has_ready_rendition as a subquery) and
    `stream_duration`: the playback start reads them with the film, in the same query."""
    return films.annotate(
        streamable=Exists(_ready_renditions_of(OuterRef("pk"))),
        stream_duration=Subquery(
            _ready_renditions_of(OuterRef("pk"))
            .order_by("-source_id")
            .values("duration_seconds")[:1]
        ),
    )


def film_to_play(user, film_id: int):
    """The film a viewer asks to watch, annotated `streamable`, or None when they may not
    see it. Remembered by the worker under the catalogue revision (a ready rendition and
    the film's status bump it): playback starts repeat it for every viewer. Only what the
    start reads (the rights engine: status and withdrawal date), to keep the memo small."""
    sees_everything = user.is_authenticated and user.is_cinema_staff
    return revision.remembered(
        ("media.film_to_play", film_id, sees_everything),
        lambda: streamable_films(
            films_visible_to(user).filter(pk=film_id).only("id", "status", "withdrawn_on")
        ).first(),
    )


def ready_tracks(film_id: int) -> list[Asset]:
    """Ready subtitle and audio-description tracks of a film."""
    return list(
        Asset.objects.filter(
            film_id=film_id,
            kind__in=[Asset.Kind.SUBTITLES, Asset.Kind.AUDIO_DESCRIPTION],
            status=Asset.Status.READY,
        ).order_by("kind", "language", "pk")
    )


#: the tallest picture of standard definition (576 lines, PAL)
SD_MAX_HEIGHT = 576


def sd_download_asset(film_id: int) -> Asset | None:
    """What a screening in SD projects: the tallest ready rendition of standard definition
    (never the HD master nor an HD rendition)."""
    return (
        Asset.objects.filter(
            film_id=film_id,
            kind=Asset.Kind.HLS_RENDITION,
            status=Asset.Status.READY,
            height__lte=SD_MAX_HEIGHT,
        )
        .order_by("-height", "-pk")
        .first()
    )


def hd_download_asset(film_id: int) -> Asset | None:
    """What a screening projects: the latest verified HD master, else the 1080p rendition."""
    master = (
        Asset.objects.filter(
            film_id=film_id,
            kind=Asset.Kind.MASTER,
            status__in=[Asset.Status.VERIFIED, Asset.Status.TRANSCODING, Asset.Status.READY],
        )
        .order_by("-pk")
        .first()
    )
    if master is not None:
        return master
    return (
        Asset.objects.filter(
            film_id=film_id,
            kind=Asset.Kind.HLS_RENDITION,
            status=Asset.Status.READY,
            height__gte=1080,
        )
        .order_by("-pk")
        .first()
    )


def heartbeat_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    return now - datetime.timedelta(seconds=settings.MEDIA_HEARTBEAT_TIMEOUT_SECONDS)


def open_sessions(now: datetime.datetime | None = None) -> QuerySet[PlaybackSession]:
    """Sessions holding a stream slot: not ended, heard from recently."""
    return PlaybackSession.objects.filter(
        ended_at__isnull=True, last_heartbeat_at__gte=heartbeat_cutoff(now)
    )


def playable_films_for(user) -> QuerySet:
    """The films a patron or library staff member (or the cinema staff) can stream now,
    as far as the files go: visible in the catalogue and with a ready rendition. Whether
    their own library holds the rights is the playback start's answer (and the
    catalogue's `?available=` filter)."""
    if not (
        user.is_authenticated
        and (user.is_patron or user.is_institution_staff or user.is_cinema_staff)
    ):
        return Film.objects.none()
    return (
        streamable_films(films_visible_to(user))
        .filter(streamable=True)
        .only("id", "title", "runtime_minutes")
        .order_by("title", "pk")
    )


def playable_offer(film_ids) -> dict[int, dict]:
    """What a viewer may know of each film's ready streams, in two queries for a page:
    the rendition rungs (name, width, height), the subtitle tracks (language, SDH or not),
    the audio-description languages and the duration. Nothing about storage keys, sizes,
    checksums, errors, uploads or masters in other states."""
    film_ids = list(film_ids)
    offer = {
        fid: {"renditions": [], "subtitles": [], "audio_description": [], "duration_seconds": None}
        for fid in film_ids
    }
    renditions = (
        Asset.objects.filter(
            film_id__in=film_ids,
            kind=Asset.Kind.HLS_RENDITION,
            status=Asset.Status.READY,
            source__kind=Asset.Kind.MASTER,
            source__status=Asset.Status.READY,
        )
        .order_by("film_id", "-height", "-pk")
        .values("film_id", "profile__name", "width", "height", "source__duration_seconds")
    )
    for row in renditions:
        item = offer[row["film_id"]]
        if any(r["name"] == row["profile__name"] for r in item["renditions"]):
            continue  # an older ready master's rung of the same name
        item["renditions"].append(
            {"name": row["profile__name"], "width": row["width"], "height": row["height"]}
        )
        if item["duration_seconds"] is None:
            item["duration_seconds"] = row["source__duration_seconds"]
    tracks = (
        Asset.objects.filter(
            film_id__in=film_ids,
            kind__in=[Asset.Kind.SUBTITLES, Asset.Kind.AUDIO_DESCRIPTION],
            status=Asset.Status.READY,
        )
        .order_by("film_id", "kind", "language", "pk")
        .values("film_id", "kind", "language", "for_deaf_and_hard_of_hearing")
    )
    for row in tracks:
        item = offer[row["film_id"]]
        if row["kind"] == Asset.Kind.SUBTITLES:
            entry = {
                "language": row["language"],
                "for_deaf_and_hard_of_hearing": row["for_deaf_and_hard_of_hearing"],
            }
            if entry not in item["subtitles"]:
                item["subtitles"].append(entry)
        elif row["language"] not in item["audio_description"]:
            item["audio_description"].append(row["language"])
    return offer


# --- what the web client shows of a film's files ---------------------------------------------


def film_ids_with_poster(film_ids) -> set[int]:
    """Of these films, those with a ready poster (one query)."""
    return set(
        Asset.objects.filter(
            film_id__in=list(film_ids), kind=Asset.Kind.POSTER, status=Asset.Status.READY
        ).values_list("film_id", flat=True)
    )


def _latest_ready_key(film_id: int, kind: str) -> str | None:
    return (
        Asset.objects.filter(film_id=film_id, kind=kind, status=Asset.Status.READY)
        .order_by("-pk")
        .values_list("storage_key", flat=True)
        .first()
    )


def poster_url(film_id: int, *, expires: int) -> str | None:
    """A short-lived URL of the film's latest ready poster, or None."""
    key = _latest_ready_key(film_id, Asset.Kind.POSTER)
    return None if key is None else get_store().download_url(key, expires=expires)


def trailer_url(film_id: int, *, expires: int) -> str | None:
    """A short-lived URL of the film's latest ready trailer (a video file), or None."""
    key = _latest_ready_key(film_id, Asset.Kind.TRAILER)
    return None if key is None else get_store().download_url(key, expires=expires)


def film_ids_with_track(track: str) -> QuerySet:
    """The ids (`film_id`) of the films with a ready accessibility track: "sdh" (subtitles
    for the deaf and hard of hearing) or "audio_description". For the catalogue's filters
    (`catalogue.accessibility`)."""
    ready = Asset.objects.filter(status=Asset.Status.READY)
    if track == SDH:
        ready = ready.filter(kind=Asset.Kind.SUBTITLES, for_deaf_and_hard_of_hearing=True)
    elif track == AUDIO_DESCRIPTION:
        ready = ready.filter(kind=Asset.Kind.AUDIO_DESCRIPTION)
    else:
        raise ValueError(track)
    return ready.values("film_id")


def has_watched(user, film_id: int) -> bool:
    """Whether this user ever started the film (a playback session of theirs)."""
    return PlaybackSession.objects.filter(user=user, film_id=film_id).exists()


def in_end_credits(position: float, duration: float | None) -> bool:
    """Whether a position is in the film's end credits (the last
    MEDIA_RESUME_CREDITS_SECONDS, at most a tenth of the film) or past them: the film was
    watched to its end; a new start begins again at 0."""
    if not duration:
        return False
    return position >= duration - min(settings.MEDIA_RESUME_CREDITS_SECONDS, duration / 10)


def viewing_history(user, *, limit: int = 50) -> list[dict]:
    """The films this user watched, most recent first, each once: when they last watched
    it and where they stopped (the resume position) out of the stream's duration. One
    query (a patron's sessions are few: the most recent 500 are read)."""
    seen: dict[int, dict] = {}
    sessions = (
        PlaybackSession.objects.filter(user=user)
        .select_related("film")
        .only(
            "film_id",
            "started_at",
            "position_seconds",
            "duration_seconds",
            "film__reference",
            "film__title",
            "film__year",
        )
        .order_by("-started_at")[:500]
    )
    for session in sessions:
        if session.film_id in seen:
            continue
        seen[session.film_id] = {
            "film_id": session.film_id,
            "reference": session.film.reference,
            "title": session.film.title,
            "year": session.film.year,
            "last_watched_at": session.started_at,
            "position_seconds": session.position_seconds,
            "duration_seconds": session.duration_seconds,
            "finished": in_end_credits(session.position_seconds, session.duration_seconds),
        }
        if len(seen) == limit:
            break
    return list(seen.values())


def viewing_history_export(user) -> list[dict]:
    """A patron's playback sessions, for their data access request."""
    return [
        {
            "film": row["film__reference"],
            "medium": row["medium"],
            "started_at": row["started_at"].isoformat(),
            "ended_at": row["ended_at"].isoformat() if row["ended_at"] else None,
            "seconds_watched": row["seconds_watched"],
            "position_seconds": row["position_seconds"],
        }
        for row in PlaybackSession.objects.filter(user=user)
        .order_by("-started_at")
        .values(
            "film__reference",
            "medium",
            "started_at",
            "ended_at",
            "seconds_watched",
            "position_seconds",
        )
    ]
