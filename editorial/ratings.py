"""Patrons' ratings of the films they watched, and the "films most appreciated by patrons"
section they feed.

A patron rates a film they started watching (a playback session of theirs exists), from 1
to 5 stars; one rating per patron and film, which they may change or take back. The
ranking is refreshed by `appreciated_refresh` (hourly, Celery beat; `manage.py
refresh_appreciated`): films with at least `APPRECIATED_MIN_RATINGS` ratings, by average
stars, then by number of ratings, then by film id. What a given audience sees of it is
the films its institution may use (the rights engine, as every editorial list)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, NotFoundError
from catalogue.models import Film
from catalogue.selectors import PUBLIC_STATUSES
from editorial.errors import EditorialErrorCode
from editorial.models import AppreciatedFilm, FilmRating
from editorial.selectors import FILM_FIELDS, Audience, film_entries
from media.models import PlaybackSession

#: how many films the ranking keeps
APPRECIATED_KEPT = 50


def _patron_film(*, user, film_id: int) -> Film:
    if not (user.is_authenticated and user.is_patron):
        raise ApplicationError(
            EditorialErrorCode.PATRONS_ONLY, _("Only patrons rate films."), status=403
        )
    film = Film.objects.filter(pk=film_id, status__in=PUBLIC_STATUSES).only("id").first()
    if film is None:
        raise NotFoundError("not_found", _("No such film."))
    return film


def film_rating_set(*, user, film_id: int, stars: int) -> FilmRating:
    """Rate a film (or change one's rating). Refused with `not_watched` when the patron
    never started it, `invalid_stars` outside 1..5."""
    film = _patron_film(user=user, film_id=film_id)
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ApplicationError(
            EditorialErrorCode.INVALID_STARS,
            _("A rating is from 1 to 5 stars."),
            field="stars",
        )
    if not PlaybackSession.objects.filter(user=user, film=film).exists():
        raise ApplicationError(
            EditorialErrorCode.NOT_WATCHED,
            _("You can rate a film once you have watched it."),
            status=409,
        )
    with transaction.atomic():
        rating, _created = FilmRating.objects.update_or_create(
            user=user, film=film, defaults={"stars": stars}
        )
    return rating


def film_rating_remove(*, user, film_id: int) -> None:
    film = _patron_film(user=user, film_id=film_id)
    FilmRating.objects.filter(user=user, film=film).delete()


def ratings_of(user, film_ids) -> dict[int, int]:
    """{film id: stars} of this patron's ratings among these films (one query)."""
    if not (user.is_authenticated and user.is_patron):
        return {}
    return dict(
        FilmRating.objects.filter(user=user, film_id__in=list(film_ids)).values_list(
            "film_id", "stars"
        )
    )


def appreciated_refresh(*, now: datetime.datetime | None = None) -> int:
    """Rank the films by their patrons' ratings, replacing the previous ranking in one
    transaction (readers see the old one or the new one). Returns the films ranked."""
    now = now or timezone.now()
    rows = list(
        FilmRating.objects.filter(film__status__in=PUBLIC_STATUSES)
        .values("film_id")
        .annotate(average=Avg("stars"), count=Count("id"))
        .filter(count__gte=settings.APPRECIATED_MIN_RATINGS)
        .order_by(F("average").desc(), F("count").desc(), "film_id")[:APPRECIATED_KEPT]
    )
    with transaction.atomic():
        AppreciatedFilm.objects.all().delete()
        AppreciatedFilm.objects.bulk_create(
            AppreciatedFilm(
                film_id=row["film_id"],
                rank=rank,
                average_stars=Decimal(str(row["average"])).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
                ratings=row["count"],
                refreshed_at=now,
            )
            for rank, row in enumerate(rows, start=1)
        )
    return len(rows)


def most_appreciated(audience: Audience, *, limit: int, on: datetime.date | None = None) -> list:
    """The ranking's films the audience may see (`film_entries`), best first, each with
    its average stars and number of ratings. Three queries."""
    on = on or timezone.localdate()
    ranked = list(
        AppreciatedFilm.objects.select_related("film")
        .only("rank", "average_stars", "ratings", *(f"film__{f}" for f in FILM_FIELDS))
        .order_by("rank")
    )
    entries = film_entries([row.film for row in ranked], audience, on=on)
    found = []
    for row in ranked:
        entry = entries.get(row.film_id)
        if entry is not None:
            found.append(
                {
                    "rank": len(found) + 1,
                    "average_stars": row.average_stars,
                    "ratings": row.ratings,
                    "film": entry,
                }
            )
            if len(found) == limit:
                break
    return found


def ratings_export(user) -> list[dict]:
    """A patron's ratings, for their data access request."""
    return [
        {"film": reference, "stars": stars, "rated_at": rated_at.isoformat()}
        for reference, stars, rated_at in FilmRating.objects.filter(user=user)
        .order_by("-rated_at", "pk")
        .values_list("film__reference", "stars", "rated_at")
    ]


def ratings_erase(user) -> None:
    """Erasing a patron takes their ratings away (the ranking forgets them at the next
    refresh)."""
    FilmRating.objects.filter(user=user).delete()
