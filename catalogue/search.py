"""Catalogue search: accent- and case-insensitive everywhere, French full text on PostgreSQL.

On PostgreSQL the query runs against `Film.search_vector`, a weighted vector built with the
`french_unaccent` text search configuration (French stemming after `unaccent`, created by
migration), ranked by `ts_rank`. On SQLite every word of the query must appear in
`Film.search_document`, the same text without accents and in lower case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from catalogue.models import Film

SEARCH_CONFIG = "french_unaccent"
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: 'Réalité(s)' -> 'realite s'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.lower().replace("œ", "oe").replace("æ", "ae")).strip()


def _uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def film_search_refresh(*, film_ids: Iterable[int]) -> None:
    """Rebuild the search text (and, on PostgreSQL, the vector) of the given films."""
    film_ids = list(film_ids)
    if not film_ids:
        return
    films = list(
        Film.objects.filter(pk__in=film_ids)
        .only("pk", "title", "original_title", "synopsis")
        .prefetch_related("directors", "themes")
    )
    for film in films:
        people_and_themes = " ".join(
            [p.name for p in film.directors.all()] + [t.name for t in film.themes.all()]
        )
        film.search_extra = people_and_themes
        film.search_document = normalize(
            " ".join([film.title, film.original_title, people_and_themes, film.synopsis])
        )
    Film.objects.bulk_update(films, ["search_extra", "search_document"], batch_size=500)
    if _uses_postgres():
        Film.objects.filter(pk__in=film_ids).update(
            search_vector=(
                SearchVector("title", "original_title", weight="A", config=SEARCH_CONFIG)
                + SearchVector("search_extra", weight="B", config=SEARCH_CONFIG)
                + SearchVector("synopsis", weight="C", config=SEARCH_CONFIG)
            )
        )


def films_matching(queryset: QuerySet[Film], q: str) -> QuerySet[Film]:
    """Films matching the words of `q`, best first."""
    words = normalize(q).split()
    if not words:
        return queryset
    if _uses_postgres():
        query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="plain")
        return (
            queryset.filter(search_vector=query)
            .annotate(search_rank=SearchRank(F("search_vector"), query))
            .order_by("-search_rank", "title", "pk")
        )
    for word in words:
        queryset = queryset.filter(search_document__contains=word)
    first = words[0]
    return queryset.annotate(
        search_rank=Case(
            When(search_document__startswith=first, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-search_rank", "title", "pk")
