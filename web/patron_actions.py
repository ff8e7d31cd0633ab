"""What a signed-in patron can do from a film's page: watch it, keep it in their list,
rate it. Each answer comes from its owner: the rights engine (through `web.rights`), the
media app (a ready stream), the editorial app (list, ratings)."""

from __future__ import annotations

from editorial import ratings, saved_films
from media import selectors as media_selectors
from rights.models import Medium
from web import rights


def for_film(user, film, *, uses=None) -> dict | None:
    """None for anyone but a patron."""
    if not (user.is_authenticated and user.is_patron):
        return None
    uses = uses if uses is not None else rights.uses_of(user, film)
    streamable = any(
        use.allowed for use in uses if use.medium in (Medium.STREAM_HOME, Medium.STREAM_ONSITE)
    )
    return {
        "can_watch": streamable and media_selectors.has_ready_rendition(film.pk),
        "saved": film.pk in saved_films.saved_film_ids(user, [film.pk]),
        "stars": ratings.ratings_of(user, [film.pk]).get(film.pk),
        "can_rate": media_selectors.has_watched(user, film.pk),
    }
