"""A patron's list of films saved for later ("my list"): add, remove, read. What the
patron may still watch of it is the rights engine's answer at read time (a saved film
whose rights ended stays in the list, marked as no longer available)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.locks import lock_user
from backend.errors import ApplicationError, NotFoundError
from catalogue.models import Film
from catalogue.selectors import PUBLIC_STATUSES
from editorial.errors import EditorialErrorCode
from editorial.models import SavedFilm

#: a list is for films to come back to, not a catalogue of its own
SAVED_FILMS_MAX = 200


def _check_patron(user) -> None:
    if not (user.is_authenticated and user.is_patron):
        raise ApplicationError(
            EditorialErrorCode.PATRONS_ONLY, _("Only patrons keep a list."), status=403
        )


def saved_film_add(*, user, film_id: int) -> SavedFilm:
    """Save a film for later; saving it again changes nothing."""
    _check_patron(user)
    film = Film.objects.filter(pk=film_id, status__in=PUBLIC_STATUSES).only("id").first()
    if film is None:
        raise NotFoundError("not_found", _("No such film."))
    with transaction.atomic():
        lock_user(user_id=user.pk)  # two saves at once cannot both pass the list's bound
        existing = SavedFilm.objects.filter(user=user, film=film).first()
        if existing is not None:
            return existing
        if SavedFilm.objects.filter(user=user).count() >= SAVED_FILMS_MAX:
            raise ApplicationError(
                EditorialErrorCode.LIST_FULL,
                _("Your list holds %(max)d films at most: remove one first.")
                % {"max": SAVED_FILMS_MAX},
                status=409,
            )
        return SavedFilm.objects.create(user=user, film=film)


def saved_film_remove(*, user, film_id: int) -> None:
    _check_patron(user)
    SavedFilm.objects.filter(user=user, film_id=film_id).delete()


def saved_film_ids(user, film_ids=None) -> set[int]:
    """The ids of the films this patron saved (among `film_ids` when given): one query."""
    if not (user.is_authenticated and user.is_patron):
        return set()
    qs = SavedFilm.objects.filter(user=user)
    if film_ids is not None:
        qs = qs.filter(film_id__in=list(film_ids))
    return set(qs.values_list("film_id", flat=True))


def saved_films_of(user):
    """The patron's saved films, most recent first, with the film (one query)."""
    _check_patron(user)
    return SavedFilm.objects.filter(user=user).select_related("film").order_by("-saved_at", "-pk")


def saved_films_export(user) -> list[dict]:
    """A patron's list, for their data access request."""
    return [
        {"film": reference, "saved_at": saved_at.isoformat()}
        for reference, saved_at in SavedFilm.objects.filter(user=user)
        .order_by("-saved_at", "-pk")
        .values_list("film__reference", "saved_at")
    ]


def saved_films_erase(user) -> None:
    SavedFilm.objects.filter(user=user).delete()
