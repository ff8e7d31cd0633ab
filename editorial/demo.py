"""Demo collections: this week's new films and favourites, the acquisitions in progress,
three themes and a director portrait, chosen deterministically among the demo films
(what a library sees in them is decided by the rights engine at read time)."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from catalogue.models import Film, Person, Theme
from demo import plan
from editorial.models import Collection, CollectionItem


def _collection(films, **fields) -> None:
    collection = Collection.objects.create(**fields)
    CollectionItem.objects.bulk_create(
        CollectionItem(collection=collection, film=film, position=position)
        for position, film in enumerate(films)
    )


def seed(ctx: plan.DemoContext) -> None:
    if Collection.objects.exists():
        ctx.say("editorial: already present, skipped")
        return
    rng = ctx.random("editorial")
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    in_catalogue = list(Film.objects.filter(status=Film.Status.IN_CATALOGUE).order_by("pk"))
    if not in_catalogue:
        return
    newest = sorted(in_catalogue, key=lambda f: (f.added_on or datetime.date.min, f.pk))[-12:]
    _collection(
        reversed(newest),
        kind=Collection.Kind.NEW_FILMS,
        title="Nouveautés",
        description="Les derniers films entrés au catalogue.",
        published_from=today - datetime.timedelta(days=7),
    )
    _collection(
        rng.sample(in_catalogue, min(6, len(in_catalogue))),
        kind=Collection.Kind.FAVOURITES,
        title="Coups de cœur de la semaine",
        description="Choisis par le comité de sélection.",
        published_from=monday,
        published_until=monday + datetime.timedelta(days=6),
    )
    acquiring = list(Film.objects.filter(status=Film.Status.IN_ACQUISITION).order_by("pk"))
    _collection(
        acquiring,
        kind=Collection.Kind.ACQUISITIONS,
        title="Acquisitions en cours",
        description="Les films dont les droits sont en cours de négociation.",
        published_from=today - datetime.timedelta(days=30),
    )
    themes = Theme.objects.annotate(n=Count("films")).filter(n__gte=4).order_by("-n", "pk")[:3]
    for theme in themes:
        films = list(theme.films.filter(status=Film.Status.IN_CATALOGUE).order_by("pk"))
        _collection(
            rng.sample(films, min(10, len(films))),
            kind=Collection.Kind.THEME,
            title=theme.name,
            theme=theme,
            published_from=today - datetime.timedelta(days=60),
        )
    director = (
        Person.objects.exclude(portrait="")
        .annotate(n=Count("films_directed"))
        .filter(n__gte=2)
        .order_by("-n", "pk")
        .first()
    )
    if director is not None:
        _collection(
            director.films_directed.order_by("year", "pk"),
            kind=Collection.Kind.DIRECTOR_PORTRAIT,
            title=f"Portrait : {director.name}",
            description=director.portrait,
            person=director,
            published_from=today - datetime.timedelta(days=14),
        )
    ctx.say(f"editorial: {Collection.objects.count()} collections")
