"""Which films carry accessibility tracks: subtitles for the deaf and hard of hearing
(SDH) and audio description. The files are the media app's: it registers, at start-up,
a provider that answers with the ids of the films that have a ready track of a kind; the
catalogue's filters (`?sdh=true`, `?audio_description=true`) ask it. The catalogue does
not import the media app (it sits below it)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

SDH = "sdh"
AUDIO_DESCRIPTION = "audio_description"
TRACKS = (SDH, AUDIO_DESCRIPTION)

#: track kind -> a queryset of the ids (`film_id`) of films with a ready track of it
_provider: Callable[[str], QuerySet] | None = None


def register_tracks_provider(provider: Callable[[str], QuerySet]) -> None:
    global _provider
    _provider = provider


def films_with_track(queryset: QuerySet, track: str, *, present: bool = True) -> QuerySet:
    """The films of `queryset` with (or, `present=False`, without) a ready track."""
    if track not in TRACKS:
        raise ValueError(track)
    if _provider is None:  # no media app: no film has a track
        return queryset if not present else queryset.none()
    with_track = _provider(track)
    return queryset.filter(pk__in=with_track) if present else queryset.exclude(pk__in=with_track)
