"""Reads of the editorial app: the collections a caller may see and, inside them, the films
their institution may use; the computed collections (most watched, most screened, leaving
soon); the libraries' own selections, which their staff and patrons see.

Which films an institution may use is never decided here: the page's films are handed to
the rights engine (`rights.decisions.decide_many`, one query for the whole page) or
filtered by its SQL form (`rights.selectors.films_available`). A page of collections costs
a constant number of queries whatever the number of collections and items.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.access import get_or_not_found
from backend.errors import ApplicationError
from catalogue.models import Film
from editorial.errors import EditorialErrorCode
from editorial.models import Collection, CollectionItem, LibrarySelection, LibrarySelectionItem
from media.models import ViewEvent
from notices import selectors as notices_selectors
from rights.decisions import decide_many
from rights.models import Medium
from rights.selectors import films_available, report_films_losing_last_medium
from subscriptions.models import ScreeningBooking

#: what a patron may do with a film on the platform: watch it
PATRON_MEDIA = (Medium.STREAM_ONSITE, Medium.STREAM_HOME)
#: films shown in "acquisitions in progress" before any right is signed
ANNOUNCED_STATUSES = (Film.Status.IN_ACQUISITION,)
FILM_FIELDS = ("id", "reference", "title", "year", "runtime_minutes", "status", "withdrawn_on")


@dataclass(frozen=True)
class Audience:
    """For whom a collection is shown: an institution judged on some media by the rights
    engine, or nobody in particular — the cinema staff see every item, the public (the
    web client's visitors) the films of the public catalogue."""

    institution: object | None
    media: tuple[str, ...]
    public: bool = False

    @property
    def sees_everything(self) -> bool:
        return self.institution is None


#: the films the public sees in a collection: in the catalogue, or announced
PUBLIC_LISTED = (Film.Status.IN_CATALOGUE, Film.Status.IN_ACQUISITION)


def public_audience() -> Audience:
    """Visitors of the public catalogue: no institution, so no rights to weigh; they see
    the films in the catalogue and those announced, never withdrawn ones."""
    return Audience(None, (), public=True)


def audience_for(user, institution=None) -> Audience:
    """Patrons see the films their library may stream; library and network staff the
    films their institution may use on any medium (DVD, streaming, screenings); the cinema
    staff everything, or what one institution sees when they name it."""
    if user.is_cinema_staff:
        return Audience(institution, tuple(Medium.values))
    if user.is_patron:
        return Audience(user.institution, PATRON_MEDIA)
    return Audience(user.institution, tuple(Medium.values))


def published_q(on: datetime.date) -> Q:
    return Q(published_from__lte=on) & (
        Q(published_until__isnull=True) | Q(published_until__gte=on)
    )


def collections_visible_to(user, *, on: datetime.date | None = None) -> QuerySet[Collection]:
    """Every collection for the cinema staff (drafts and past ones too); the collections
    published on the day for anyone else."""
    qs = Collection.objects.select_related("theme", "person").order_by(
        F("published_from").desc(nulls_last=True), "title", "pk"
    )
    if user.is_authenticated and user.is_cinema_staff:
        return qs
    return qs.filter(published_q(on or timezone.localdate()))


def collections_published(*, on: datetime.date | None = None) -> QuerySet[Collection]:
    """The collections published on the day, whoever asks (the web client's home)."""
    return (
        Collection.objects.select_related("theme", "person")
        .filter(published_q(on or timezone.localdate()))
        .order_by(F("published_from").desc(), "title", "pk")
    )


def collection_get_for(user, collection_id) -> Collection:
    return get_or_not_found(collections_visible_to(user), collection_id, _("No such collection."))


# --- the films of a page, and what the audience may do with them --------------------------


def _directors(film_ids: Iterable[int]) -> dict[int, list[dict]]:
    through = Film.directors.through
    found: dict[int, list[dict]] = {}
    for film_id, person_id, name in (
        through.objects.filter(film_id__in=list(film_ids))
        .order_by("person__sort_name", "person_id")
        .values_list("film_id", "person_id", "person__name")
    ):
        found.setdefault(film_id, []).append({"id": person_id, "name": name})
    return found


def film_entries(
    films: Sequence[Film],
    audience: Audience,
    *,
    on: datetime.date,
    announced_ok: bool = False,
    keep_unusable: bool = False,
) -> dict[int, dict]:
    """{film id: entry} for the films the audience may see: each with its directors and
    the media the audience's institution may use it on today (`None` for the cinema
    staff). Films it may use on none of the audience's media are left out, except — when
    `announced_ok` — films still in acquisition, which a collection announces, and —
    when `keep_unusable` — every film (with no media: a library's own selection shows
    what it chose, and that it may no longer use it). Two queries (directors, grants) for
    any number of films."""
    films = list(films)
    directors = _directors(film.pk for film in films)
    decisions = (
        decide_many(audience.institution, films, list(audience.media), on=on)
        if not audience.sees_everything and films
        else {}
    )
    entries = {}
    for film in films:
        if audience.public and film.status not in PUBLIC_LISTED:
            continue
        media = None
        if not audience.sees_everything:
            media = [m for m, d in decisions.get(film.pk, {}).items() if d.allowed]
            announced = announced_ok and film.status in ANNOUNCED_STATUSES
            if not media and not announced and not keep_unusable:
                continue
        entries[film.pk] = {
            "id": film.pk,
            "reference": film.reference,
            "title": film.title,
            "year": film.year,
            "runtime_minutes": film.runtime_minutes,
            "status": film.status,
            "directors": directors.get(film.pk, []),
            "media": media,
        }
    return entries


def collections_with_items(
    collections: Sequence[Collection], audience: Audience, *, on: datetime.date | None = None
) -> list[dict]:
    """Each collection with its items in the editors' order, keeping only the films the
    audience may see (`film_entries`). Three queries for a whole page of collections."""
    on = on or timezone.localdate()
    collections = list(collections)
    items = list(
        CollectionItem.objects.filter(collection__in=[c.pk for c in collections])
        .select_related("film")
        .only("id", "collection_id", "position", "note", *(f"film__{f}" for f in FILM_FIELDS))
        .order_by("collection_id", "position", "pk")
    )
    films = list({item.film_id: item.film for item in items}.values())
    announcing = {c.pk for c in collections if c.kind == Collection.Kind.ACQUISITIONS}
    plain = film_entries(films, audience, on=on)
    announced = (
        film_entries(
            [f for f in films if f.status in ANNOUNCED_STATUSES and f.pk not in plain],
            audience,
            on=on,
            announced_ok=True,
        )
        if announcing
        else {}
    )
    by_collection: dict[int, list[dict]] = {c.pk: [] for c in collections}
    for item in items:
        entry = plain.get(item.film_id)
        if entry is None and item.collection_id in announcing:
            entry = announced.get(item.film_id)
        if entry is None:
            continue
        by_collection[item.collection_id].append(
            {"id": item.pk, "position": item.position, "note": item.note, "film": entry}
        )
    return [
        {"collection": collection, "items": by_collection[collection.pk]}
        for collection in collections
    ]


# --- libraries' own selections ---------------------------------------------------------------


def library_selections_visible_to(user) -> QuerySet[LibrarySelection]:
    """Every library's selections for the cinema staff; the selections of their own
    institution for its staff and its patrons; none for anyone else."""
    qs = LibrarySelection.objects.order_by("title", "pk")
    if not user.is_authenticated:
        return qs.none()
    if user.is_cinema_staff:
        return qs
    if user.institution_id is None:
        return qs.none()
    return qs.filter(institution_id=user.institution_id)


def library_selection_get_for(user, selection_id, *, to_edit: bool = False) -> LibrarySelection:
    """The selection if the caller may read it (`to_edit`: change it — only its own
    institution's staff), else a 404, the same as an unknown id."""
    queryset = library_selections_visible_to(user)
    if to_edit and not (user.is_authenticated and user.is_institution_staff):
        queryset = queryset.none()
    return get_or_not_found(queryset, selection_id, _("No such selection."))


def library_selections_with_items(
    selections: Sequence[LibrarySelection], audience: Audience, *, on: datetime.date | None = None
) -> list[dict]:
    """Each selection with all its items in the library's order, each film with the media
    the audience's institution may use it on today as the rights engine decides (empty
    when none). Three queries for a whole page of selections (items with their films,
    directors, grants — plus the engine's usage providers)."""
    on = on or timezone.localdate()
    selections = list(selections)
    items = list(
        LibrarySelectionItem.objects.filter(selection__in=[s.pk for s in selections])
        .select_related("film")
        .only("id", "selection_id", "position", "note", *(f"film__{f}" for f in FILM_FIELDS))
        .order_by("selection_id", "position", "pk")
    )
    films = list({item.film_id: item.film for item in items}.values())
    entries = film_entries(films, audience, on=on, keep_unusable=True)
    by_selection: dict[int, list[dict]] = {s.pk: [] for s in selections}
    for item in items:
        by_selection[item.selection_id].append(
            {
                "id": item.pk,
                "position": item.position,
                "note": item.note,
                "film": entries[item.film_id],
            }
        )
    return [
        {"selection": selection, "items": by_selection[selection.pk]} for selection in selections
    ]


def films_in_library_selections(film_ids, *, today=None) -> Iterable[tuple[int, int]]:
    """(institution_id, film_id) of these films in a library's own selections (one query):
    a use of the film that the withdrawal notices count (registered with them)."""
    return (
        LibrarySelectionItem.objects.filter(film_id__in=film_ids)
        .values_list("selection__institution_id", "film_id")
        .distinct()
    )


def published_of_kind(kind: str, *, on: datetime.date) -> list[Collection]:
    return list(
        Collection.objects.filter(published_q(on), kind=kind)
        .select_related("theme", "person")
        .order_by("-published_from", "title", "pk")
    )


# --- computed collections -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Calendar days in Europe/Paris, both ends included."""

    start: datetime.date
    end: datetime.date

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        tz = timezone.get_default_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return first, after


def period_from(
    start: datetime.date | None, end: datetime.date | None, *, default_days: int = 30
) -> Period:
    """The period asked for; by default the last `default_days` days up to today."""
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=default_days - 1)
    if end < start:
        raise ApplicationError(
            EditorialErrorCode.INVALID_PERIOD, _("The period ends before it starts."), field="end"
        )
    return Period(start, end)


def _usable_film_ids(audience: Audience, *, on: datetime.date) -> QuerySet | None:
    """The ids of the films the audience's institution may use on one of its media today
    (the rights engine's SQL form), or None when the audience sees everything."""
    if audience.sees_everything:
        return None
    usable = Q()
    for medium in audience.media:
        usable |= Q(
            pk__in=films_available(
                Film.objects.all(), institution=audience.institution, medium=medium, on=on
            ).values("pk")
        )
    return Film.objects.filter(usable).values("pk")


def _ranked(rows: list[dict], audience: Audience, *, on: datetime.date, measure: str) -> list:
    films = Film.objects.filter(pk__in=[row["film_id"] for row in rows]).only(*FILM_FIELDS)
    entries = film_entries(list(films), audience, on=on)
    ranked = []
    for row in rows:
        if row["film_id"] in entries:
            ranked.append(
                {"rank": len(ranked) + 1, measure: row[measure], "film": entries[row["film_id"]]}
            )
    return ranked


def most_watched(
    audience: Audience, *, period: Period, limit: int, on: datetime.date | None = None
) -> list[dict]:
    """The films most viewed on the platform (every library's views) over the period,
    among those the audience may use today; ties by film id. Views are counted by the
    database: one query, then the page's films as in `film_entries`."""
    on = on or timezone.localdate()
    first, after = period.bounds()
    views = ViewEvent.objects.filter(started_at__gte=first, started_at__lt=after)
    usable = _usable_film_ids(audience, on=on)
    if usable is not None:
        views = views.filter(film_id__in=usable)
    rows = list(
        views.values("film_id").annotate(views=Count("id")).order_by("-views", "film_id")[:limit]
    )
    return _ranked(rows, audience, on=on, measure="views")


SCREENED_STATUSES = (ScreeningBooking.Status.BOOKED, ScreeningBooking.Status.HELD)


def most_screened(
    audience: Audience, *, period: Period, limit: int, on: datetime.date | None = None
) -> list[dict]:
    """The films with the most public screenings (booked or held, not cancelled) in
    every library over the period, among those the audience may use today."""
    on = on or timezone.localdate()
    first, after = period.bounds()
    bookings = ScreeningBooking.objects.filter(
        starts_at__gte=first, starts_at__lt=after, status__in=SCREENED_STATUSES
    )
    usable = _usable_film_ids(audience, on=on)
    if usable is not None:
        bookings = bookings.filter(film_id__in=usable)
    rows = list(
        bookings.values("film_id")
        .annotate(screenings=Count("id"))
        .order_by("-screenings", "film_id")[:limit]
    )
    return _ranked(rows, audience, on=on, measure="screenings")


def leaving_soon(audience: Audience, *, days: int, on: datetime.date | None = None) -> list[dict]:
    """Films the audience's institution may use today and no longer within `days` days
    (as the rights engine's `valid_until` says, through `notices.selectors`), each with
    its last day on the audience's media; for the cinema staff, the films whose every
    platform right ends within `days` days (`rights.selectors`)."""
    on = on or timezone.localdate()
    if audience.sees_everything:
        rows = report_films_losing_last_medium(days=days, scope="platform", today=on)
        films = Film.objects.filter(pk__in=[r["id"] for r in rows]).only(*FILM_FIELDS)
        entries = film_entries(list(films), audience, on=on)
        return [
            {"last_day": row["last_day"], "media": row["media"], "film": entries[row["id"]]}
            for row in rows
            if row["id"] in entries
        ]
    found: dict[int, dict] = {}
    for row in notices_selectors.leaving_soon_for(audience.institution, days=days, today=on):
        if row["medium"] not in audience.media:
            continue
        entry = found.setdefault(row["film"].pk, {"last_day": row["last_day"], "media": []})
        entry["last_day"] = min(entry["last_day"], row["last_day"])
        entry["media"].append(row["medium"])
    films = Film.objects.filter(pk__in=list(found)).only(*FILM_FIELDS)
    entries = film_entries(list(films), audience, on=on)
    rows = [
        {"last_day": row["last_day"], "media": sorted(row["media"]), "film": entries[film_id]}
        for film_id, row in found.items()
        if film_id in entries
    ]
    rows.sort(key=lambda row: (row["last_day"], row["film"]["title"], row["film"]["id"]))
    return rows
