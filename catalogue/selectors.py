"""Reads of the catalogue, shaped so that a page of films costs a constant number of
queries (one per related table, whatever the page size)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

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
    return (
        films_visible_to(user)
        .prefetch_related(
            Prefetch("directors", queryset=Person.objects.only("pk", "name", "sort_name")),
            Prefetch("themes", queryset=Theme.objects.only("pk", "name", "slug")),
            "countries",
            "original_languages",
        )
        .defer("search_document", "search_extra", "search_vector", "synopsis")
    )


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
