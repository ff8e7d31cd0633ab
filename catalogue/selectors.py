"""Reads of the catalogue, shaped so that a page of films costs a constant number of
queries (one per related table, whatever the page size)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from catalogue.models import Film, Person, Theme

PUBLIC_STATUSES = (Film.Status.IN_ACQUISITION, Film.Status.IN_CATALOGUE, Film.Status.WITHDRAWN)


def films_visible_to(user) -> QuerySet[Film]:
    """The films a caller may browse: everything for the cinema staff; for everyone else
    (the public catalogue, libraries, patrons) all but the committee's proposals."""
    qs = Film.objects.all()
    if not (user.is_authenticated and user.is_cinema_staff):
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    return qs


def film_list_queryset(user) -> QuerySet[Film]:
    """The films of a list page; their people, themes, countries and languages are read
    for the whole page at once by `film_list_relations`."""
    return films_visible_to(user).defer(
        "search_document", "search_extra", "search_vector", "synopsis"
    )


#: relation of a film -> (through-table columns read, ordering of the related model)
_LIST_RELATIONS = {
    "directors": (("person_id", "person__name"), ("person__sort_name", "person_id")),
    "themes": (("theme_id", "theme__name", "theme__slug"), ("theme__name", "theme_id")),
    "countries": (("country_id",), ("country__name", "country_id")),
    "original_languages": (("language_id",), ("language__name", "language_id")),
}


def film_list_relations(films) -> None:
    """Attach to each film of a page its directors, themes, countries and languages as
    plain values (`film.list_relations`), one query per relation for the whole page —
    what `prefetch_related` does, without building a model object per related row."""
    ids = [film.pk for film in films]
    found: dict[str, dict[int, list]] = {}
    for name, (columns, ordering) in _LIST_RELATIONS.items():
        through = getattr(Film, name).through
        by_film: dict[int, list] = {pk: [] for pk in ids}
        for row in (
            through.objects.filter(film_id__in=ids)
            .order_by(*ordering)
            .values_list("film_id", *columns)
        ):
            by_film[row[0]].append(row[1:])
        found[name] = by_film
    for film in films:
        film.list_relations = {
            "directors": [{"id": pk, "name": n} for pk, n in found["directors"][film.pk]],
            "themes": [
                {"id": pk, "name": n, "slug": slug} for pk, n, slug in found["themes"][film.pk]
            ],
            "countries": [code for (code,) in found["countries"][film.pk]],
            "original_languages": [code for (code,) in found["original_languages"][film.pk]],
        }


def film_detail_queryset(user) -> QuerySet[Film]:
    return (
        films_visible_to(user)
        .prefetch_related(
            "directors", "themes", "countries", "original_languages", "festival_selections"
        )
        .defer("search_document", "search_extra", "search_vector")
    )


def people_queryset() -> QuerySet[Person]:
    return Person.objects.annotate(film_count=Count("films_directed")).order_by("sort_name", "pk")


def themes_queryset() -> QuerySet[Theme]:
    return Theme.objects.annotate(film_count=Count("films")).order_by("name", "pk")
