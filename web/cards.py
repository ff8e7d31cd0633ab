"""Film cards: what a page shows of each film in a list (title, year, directors, poster,
the uses the viewer's library may make of it), built for a whole page at once."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from catalogue.models import Film
from media import selectors as media_selectors
from web import rights

#: how long a poster's store URL lives (the redirect is cached a little less)
POSTER_URL_SECONDS = 600


def film_cards(films, user, *, detail: bool = False) -> list[dict]:
    """Cards for Film objects of a page (their relations read by
    `catalogue.selectors.film_list_relations`, or prefetched for a detail page), with the
    media the user's library may use each one on (one query for the page) and posters
    (one query)."""
    usable = rights.usable_media(user, films)
    cards = []
    for film in films:
        if detail:
            directors = [{"id": p.pk, "name": p.name} for p in film.directors.all()]
        else:
            directors = film.list_relations["directors"]
        cards.append(
            {
                "id": film.pk,
                "reference": film.reference,
                "title": film.title,
                "year": film.year,
                "runtime_minutes": film.runtime_minutes,
                "status": film.status,
                "directors": directors,
                "media": None if usable is None else usable.get(film.pk, []),
            }
        )
    attach_posters(cards)
    return cards


def attach_posters(entries) -> None:
    """Set `poster_url` on each film entry (dicts with `id` and `reference`) that has a
    ready poster: one query for all of them."""
    with_poster = media_selectors.film_ids_with_poster([entry["id"] for entry in entries])
    for entry in entries:
        entry["poster_url"] = (
            reverse("web:film-poster", args=[entry["reference"]])
            if entry["id"] in with_poster
            else None
        )


def poster_redirect(reference: str) -> HttpResponseRedirect:
    film_id = Film.objects.filter(reference=reference).values_list("pk", flat=True).first()
    url = (
        media_selectors.poster_url(film_id, expires=POSTER_URL_SECONDS)
        if film_id is not None
        else None
    )
    if url is None:
        raise Http404(_("This film has no poster."))
    response = HttpResponseRedirect(url)
    patch_cache_control(response, private=True, max_age=POSTER_URL_SECONDS // 2)
    return response
