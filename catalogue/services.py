"""Operations on the catalogue: create and edit films, move them through their statuses."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.db import unique_violation_as_field_error
from backend.errors import ApplicationError
from catalogue.errors import CatalogueErrorCode
from catalogue.locks import lock_film
from catalogue.models import Country, FestivalSelection, Film, Language, Person, Theme
from catalogue.search import film_search_refresh

_SCALAR_FIELDS = (
    "reference",
    "title",
    "original_title",
    "year",
    "runtime_minutes",
    "has_french_subtitles",
    "synopsis",
    "is_animated",
)

#: status -> the statuses a film may move to from it
STATUS_TRANSITIONS = {
    Film.Status.PROPOSED: {Film.Status.IN_ACQUISITION, Film.Status.IN_CATALOGUE},
    Film.Status.IN_ACQUISITION: {Film.Status.PROPOSED, Film.Status.IN_CATALOGUE},
    Film.Status.IN_CATALOGUE: {Film.Status.WITHDRAWN},
    Film.Status.WITHDRAWN: {Film.Status.IN_CATALOGUE},
}


#: how many numbers a film's creation tries when concurrent creations take its number
NUMBERING_ATTEMPTS = 20


def _save(film: Film) -> None:
    with unique_violation_as_field_error(
        Film, {"reference": _("Another film has this reference.")}
    ):
        film.save()


def _set_relations(
    film: Film,
    *,
    directors: Sequence[Person] | None,
    themes: Sequence[Theme] | None,
    countries: Sequence[Country] | None,
    original_languages: Sequence[Language] | None,
    festival_selections: Iterable[dict] | None,
) -> None:
    if directors is not None:
        film.directors.set(directors)
    if themes is not None:
        film.themes.set(themes)
    if countries is not None:
        film.countries.set(countries)
    if original_languages is not None:
        film.original_languages.set(original_languages)
    if festival_selections is not None:
        film.festival_selections.all().delete()
        selections = [FestivalSelection(film=film, **item) for item in festival_selections]
        for selection in selections:
            selection.full_clean(exclude=["film"])
        FestivalSelection.objects.bulk_create(selections)


@transaction.atomic
def film_create(
    *,
    title: str,
    year: int,
    runtime_minutes: int,
    reference: str | None = None,
    status: str = Film.Status.PROPOSED,
    added_on: datetime.date | None = None,
    directors: Sequence[Person] = (),
    themes: Sequence[Theme] = (),
    countries: Sequence[Country] = (),
    original_languages: Sequence[Language] = (),
    festival_selections: Iterable[dict] = (),
    **fields,
) -> Film:
    """Record a film (usually proposed by the national selection committee)."""
    if status == Film.Status.WITHDRAWN:
        raise ApplicationError(
            CatalogueErrorCode.INVALID_STATUS_TRANSITION,
            _("A film cannot be created withdrawn."),
            field="status",
        )
    if status == Film.Status.IN_CATALOGUE and added_on is None:
        added_on = timezone.localdate()
    film = Film(
        title=title,
        year=year,
        runtime_minutes=runtime_minutes,
        reference=reference or _next_reference(),
        status=status,
        added_on=added_on,
        **{k: v for k, v in fields.items() if k in _SCALAR_FIELDS},
    )
    # the reference's uniqueness is the database's: a taken one is a 400 on `reference`;
    # one this service numbered is numbered again (a concurrent creation took it)
    film.full_clean(validate_unique=False)
    for attempt in range(NUMBERING_ATTEMPTS):
        try:
            _save(film)
            break
        except ValidationError:
            if reference or attempt == NUMBERING_ATTEMPTS - 1:
                raise
            film.reference = _next_reference()
    _set_relations(
        film,
        directors=directors,
        themes=themes,
        countries=countries,
        original_languages=original_languages,
        festival_selections=festival_selections,
    )
    film_search_refresh(film_ids=[film.pk])
    return film


@transaction.atomic
def film_update(
    *,
    film: Film,
    directors: Sequence[Person] | None = None,
    themes: Sequence[Theme] | None = None,
    countries: Sequence[Country] | None = None,
    original_languages: Sequence[Language] | None = None,
    festival_selections: Iterable[dict] | None = None,
    **fields,
) -> Film:
    """Edit a film's descriptive record (its status changes through `film_status_change`)."""
    for name, value in fields.items():
        if name in _SCALAR_FIELDS:
            setattr(film, name, value)
    film.full_clean(validate_unique=False)
    _save(film)
    _set_relations(
        film,
        directors=directors,
        themes=themes,
        countries=countries,
        original_languages=original_languages,
        festival_selections=festival_selections,
    )
    film_search_refresh(film_ids=[film.pk])
    return film


@transaction.atomic
def film_status_change(
    *, film: Film, status: str, on: datetime.date | None = None, reason: str = ""
) -> Film:
    """Move a film to another catalogue status, refusing transitions that make no sense.

    Entering the catalogue dates the addition (first time only); withdrawal dates it and
    keeps the reason. Nothing is deleted: the history records every step.
    """
    film = lock_film(film.pk)
    on = on or timezone.localdate()
    if status not in STATUS_TRANSITIONS.get(film.status, set()):
        raise ApplicationError(
            CatalogueErrorCode.INVALID_STATUS_TRANSITION,
            _("A film cannot go from “%(from)s” to “%(to)s”.")
            % {"from": film.get_status_display(), "to": Film.Status(status).label},
            field="status",
            status=409,
        )
    film.status = status
    if status == Film.Status.IN_CATALOGUE:
        film.added_on = film.added_on or on
        film.withdrawn_on = None
        film.withdrawal_reason = ""
    elif status == Film.Status.WITHDRAWN:
        film.withdrawn_on = on
        film.withdrawal_reason = reason
    film.full_clean()
    film.save()
    return film


def _next_reference() -> str:
    last = Film.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    candidate = last + 1
    while Film.objects.filter(reference=f"CN-{candidate:06d}").exists():
        candidate += 1
    return f"CN-{candidate:06d}"


@transaction.atomic
def person_create(*, name: str, sort_name: str = "", **fields) -> Person:
    person = Person(name=name, sort_name=sort_name or _sort_name(name), **fields)
    person.full_clean()
    person.save()
    return person


def _sort_name(name: str) -> str:
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name
