"""Demo collections: this week's new films and favourites, the acquisitions in progress,
three themes and a director portrait, chosen deterministically among the demo films
(what a library sees in them is decided by the rights engine at read time); and the
selections of a few demo libraries (the demo accounts' library has two)."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from catalogue.models import Film, Person, Theme
from demo import plan
from editorial.models import (
    Collection,
    CollectionItem,
    FilmRating,
    LibrarySelection,
    LibrarySelectionItem,
)
from editorial.ratings import appreciated_refresh
from institutions.demo import DEMO_LIBRARY_CODE
from institutions.models import Institution
from media.models import PlaybackSession
from rights.models import Medium
from rights.selectors import films_available

#: (title, description) of the demo libraries' selections: the demo accounts' library
#: has the first two, the next libraries one each.
LIBRARY_SELECTIONS = [
    ("Ciné-club du jeudi", "Les films de nos projections du jeudi soir."),
    ("Coups de cœur de l'équipe", "Choisis par les bibliothécaires."),
    ("Pour les ateliers scolaires", "Des films pour les classes que nous accueillons."),
    ("Mois du film documentaire", "Notre programme de novembre."),
]


def _collection(films, **fields) -> None:
    collection = Collection.objects.create(**fields)
    CollectionItem.objects.bulk_create(
        CollectionItem(collection=collection, film=film, position=position)
        for position, film in enumerate(films)
    )


def seed(ctx: plan.DemoContext) -> None:
    _seed_collections(ctx)
    _seed_library_selections(ctx)
    _seed_ratings(ctx)


def _seed_ratings(ctx: plan.DemoContext) -> None:
    """The demo patrons rate most of the films they watched (3 to 5 stars, a few lower),
    then the ranking is computed: "most appreciated" is not empty in `make run`."""
    if FilmRating.objects.exists():
        ctx.say("editorial: ratings already present, skipped")
        return
    rng = ctx.random("editorial-ratings")
    watched = sorted(
        set(
            PlaybackSession.objects.filter(user__role=User.Role.PATRON).values_list(
                "user_id", "film_id"
            )
        )
    )
    ratings = [
        FilmRating(user_id=user_id, film_id=film_id, stars=rng.choice((2, 3, 4, 4, 5, 5)))
        for user_id, film_id in watched
        if rng.random() < 0.8
    ]
    FilmRating.objects.bulk_create(ratings)
    ranked = appreciated_refresh()
    ctx.say(f"editorial: {len(ratings)} ratings by demo patrons, {ranked} films ranked")


def _seed_library_selections(ctx: plan.DemoContext) -> None:
    if LibrarySelection.objects.exists():
        ctx.say("editorial: library selections already present, skipped")
        return
    rng = ctx.random("editorial-library-selections")
    in_catalogue = list(Film.objects.filter(status=Film.Status.IN_CATALOGUE).order_by("pk"))
    libraries = list(
        Institution.objects.filter(code__startswith="BIB-", is_network=False).order_by("code")[:3]
    )
    if not in_catalogue or not libraries or libraries[0].code != DEMO_LIBRARY_CODE:
        return
    assignments = [(libraries[0], LIBRARY_SELECTIONS[:2])] + [
        (library, [entry])
        for library, entry in zip(libraries[1:], LIBRARY_SELECTIONS[2:], strict=False)
    ]
    admins = {
        user.institution_id: user
        for user in User.objects.filter(
            role=User.Role.INSTITUTION_ADMIN, institution__in=libraries
        ).order_by("-pk")
    }
    for library, entries in assignments:
        # the films its patrons may watch at home today first (the rights engine's rule),
        # so that a patron of the demo library finds some to watch in its selections
        watchable = list(
            films_available(
                Film.objects.filter(pk__in=[film.pk for film in in_catalogue]).order_by("pk"),
                institution=library,
                medium=Medium.STREAM_HOME,
            )
        )
        for title, description in entries:
            selection = LibrarySelection.objects.create(
                institution=library,
                title=title,
                description=description,
                created_by=admins.get(library.pk),
            )
            chosen = rng.sample(watchable, min(2, len(watchable)))
            others = [film for film in in_catalogue if film not in chosen]
            chosen += rng.sample(others, min(5 - len(chosen), len(others)))
            LibrarySelectionItem.objects.bulk_create(
                LibrarySelectionItem(selection=selection, film=film, position=position)
                for position, film in enumerate(chosen)
            )
    ctx.say(f"editorial: {LibrarySelection.objects.count()} library selections")


def _seed_collections(ctx: plan.DemoContext) -> None:
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
