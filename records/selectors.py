"""Which films a library's catalogue records describe, and their plain values.

The films are those the rights engine lets the institution stream today, on site or at
home (`rights.selectors.films_available`, the engine's SQL form); nothing here decides a
right. `available_film_ids(institution, on=day)` is the set a full file holds on a day:
dated update files are the difference between two such sets (new records, and deletions
of the films that left), written with the same builders (`records.marc`)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from catalogue.models import Film
from records.errors import RecordsErrorCode
from records.marc import FilmRecord, Person
from records.models import RecordSettings
from rights.models import Medium
from rights.selectors import films_available
from subscriptions.selectors import subscriptions_covering

#: a record's playback link is for streaming: on site or at home
RECORD_MEDIA = (Medium.STREAM_ONSITE, Medium.STREAM_HOME)


def available_films(institution, *, on: datetime.date | None = None) -> QuerySet[Film]:
    """The films the institution may stream on the day, by the rights engine."""
    on = on or timezone.localdate()
    usable = Q()
    for medium in RECORD_MEDIA:
        usable |= Q(
            pk__in=films_available(
                Film.objects.all(), institution=institution, medium=medium, on=on
            ).values("pk")
        )
    return Film.objects.filter(usable)


def is_streaming_subscriber(institution, *, on: datetime.date) -> bool:
    """Whether a subscription including streaming covers the library that day (its own or
    its network's): records and their playback links are for such libraries only."""
    return (
        subscriptions_covering(library=institution, on=on)
        .filter(plan__includes_streaming=True)
        .exists()
    )


def available_film_ids(institution, *, on: datetime.date | None = None) -> set[int]:
    return set(available_films(institution, on=on).values_list("pk", flat=True))


def playback_link(institution, film_reference: str, *, proxy_prefix: str = "") -> str:
    """The film's page on the web client, for this library (behind its proxy if any)."""
    query = urlencode({"bib": institution.code})
    return f"{proxy_prefix}{settings.FRONTEND_BASE_URL}/films/{film_reference}?{query}"


def record_settings_manager_required(user) -> None:
    """A library's record settings are changed by its administrators (and the cinema
    staff); its other staff read them."""
    if not (user.is_cinema_staff or user.is_institution_admin):
        raise ApplicationError(
            RecordsErrorCode.ADMIN_REQUIRED,
            _("Only an institution administrator can do this."),
            status=403,
        )


def proxy_prefix_of(institution) -> str:
    found = RecordSettings.objects.filter(institution=institution).values_list(
        "proxy_prefix", flat=True
    )
    return next(iter(found), "")


def film_records(films: QuerySet[Film], *, institution) -> list[FilmRecord]:
    """The records' values of `films`, in reference order: five queries whatever their
    number (films, then directors, countries and languages prefetched, the proxy)."""
    prefix = proxy_prefix_of(institution)
    rows = (
        films.order_by("reference")
        .only(
            "id",
            "reference",
            "title",
            "original_title",
            "year",
            "runtime_minutes",
            "synopsis",
            "has_french_subtitles",
            "is_animated",
        )
        .prefetch_related("directors", "countries", "original_languages")
    )
    return [
        FilmRecord(
            reference=film.reference,
            title=film.title,
            original_title=film.original_title,
            year=film.year,
            runtime_minutes=film.runtime_minutes,
            directors=tuple(
                Person(p.name, p.sort_name)
                for p in sorted(film.directors.all(), key=lambda p: (p.sort_name, p.pk))
            ),
            countries=tuple((c.code, c.name) for c in film.countries.all()),
            languages=tuple(sorted(lang.code for lang in film.original_languages.all())),
            synopsis=film.synopsis,
            has_french_subtitles=film.has_french_subtitles,
            is_animated=film.is_animated,
            link=playback_link(institution, film.reference, proxy_prefix=prefix),
        )
        for film in rows
    ]


def changes_between(institution, *, since: datetime.date, on: datetime.date):
    """(films that became available, films that left) for the institution between the
    day `since` and the day `on`, by the rights engine as the grants stand now: what a
    dated update file holds (new records, and delete records of the films that left)."""
    before = available_film_ids(institution, on=since)
    after = available_film_ids(institution, on=on)
    return after - before, before - after


def update_files(institution):
    """The dated update files of a library, newest first: day, new and delete counts."""
    from django.db.models import Count

    from records.models import RecordChange

    return (
        RecordChange.objects.filter(institution=institution)
        .values("day")
        .annotate(
            new=Count("pk", filter=Q(kind=RecordChange.Kind.NEW)),
            deleted=Count("pk", filter=Q(kind=RecordChange.Kind.DELETE)),
        )
        .order_by("-day")
    )


def update_file_films(institution, *, day: datetime.date) -> tuple[QuerySet, QuerySet]:
    """(films of the new records, films of the delete records) of one day's file."""
    from records.models import RecordChange

    changes = RecordChange.objects.filter(institution=institution, day=day)
    new = Film.objects.filter(pk__in=changes.filter(kind=RecordChange.Kind.NEW).values("film_id"))
    deleted = Film.objects.filter(
        pk__in=changes.filter(kind=RecordChange.Kind.DELETE).values("film_id")
    )
    return new, deleted
