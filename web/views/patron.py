"""The patron's pages: the watch page (the player is the REST playback API's reference
client), my space (my list, viewing history, ratings), my data (export) and my library's
selections (the lists of films its staff curate in the back office).

A patron is a user with the patron role, signed in with their library card (or the
library portal's signed link); other users are sent to sign in or refused."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.errors import ApplicationError, NotFoundError
from catalogue import selectors as catalogue_selectors
from catalogue.models import Film
from editorial import ratings, saved_films
from editorial import selectors as editorial_selectors
from media import selectors as media_selectors
from subscriptions.models import Patron
from subscriptions.services import quotas
from subscriptions.services.patrons import patron_export
from web import cards, rights
from web.views import public

#: selections per page of "my library's selections"
SELECTIONS_PER_PAGE = 20


def patron_required(view):
    """Signed-in patrons only: visitors go to the sign-in page and come back; other users
    (librarians, the cinema staff) get a 403 page saying why."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("web:sign-in"))
        if not request.user.is_patron:
            return render(
                request,
                "web/patron/patrons_only.html",
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def _quota(user) -> dict:
    """The patron's month as the quota service counts it, with what is left; or the
    reason there is none to use (no subscription covers their library)."""
    try:
        status = quotas.patron_quota_status(user=user)
    except ApplicationError as exc:
        return {"refusal": str(exc.message)}
    limit = status["patron_monthly_films"]
    status["films_left"] = None if limit is None else max(0, limit - status["films_this_month"])
    return status


def _public_film(request, reference) -> Film:
    return get_object_or_404(
        catalogue_selectors.films_visible_to(request.user).only(
            "id", "reference", "title", "year", "runtime_minutes", "status"
        ),
        reference=reference,
    )


@require_GET
@patron_required
def watch(request, reference):
    """The player. Before Play: what the patron has left this month and the day it
    renews, and the film's tracks; the start itself (rights, subscription, quota, stream
    slots) is the playback API's answer, shown as a sentence when it refuses."""
    film = _public_film(request, reference)
    offer = media_selectors.playable_offer([film.pk])[film.pk]
    quota = _quota(request.user)
    uses = rights.uses_of(request.user, film)
    return render(
        request,
        "web/patron/watch.html",
        {
            "film": film,
            "offer": offer,
            "quota": quota,
            "uses": [use for use in uses if use.medium.startswith("stream")],
            "crumbs": [
                (_("Catalogue"), reverse("web:film-list")),
                (film.title, reverse("web:film-detail", args=[film.reference])),
            ],
            "player_config": (
                {
                    "start": reverse("film-playback", args=[film.pk]),
                    "csrf": get_token(request),
                    "subtitles": offer["subtitles"],
                    "audioDescription": offer["audio_description"],
                    "messages": {
                        "starting": _("Starting…"),
                        "playing": _("Playing."),
                        "paused": _("Paused."),
                        "ended": _("The film is over."),
                        "resumed": _("Resumed where you left off."),
                        "networkError": _(
                            "The stream could not be loaded. Check your connection, then "
                            "press Play again."
                        ),
                        "sessionEnded": _(
                            "This viewing session has ended (another device started the "
                            "film, or it was silent too long). Press Play to start again."
                        ),
                        "subtitlesOff": _("No subtitles"),
                        "originalSound": _("Original sound"),
                        "play": _("Play"),
                        "pause": _("Pause"),
                        "unsupported": _("This browser cannot play the stream."),
                    },
                }
            ),
            "nav_section": "space",
        },
    )


@require_POST
@patron_required
def saved_film_toggle(request, reference):
    """Add the film to my list, or take it out (`saved=1` / `saved=0`). With htmx, the
    button is answered; without, the page the patron came from."""
    film = _public_film(request, reference)
    want = request.POST.get("saved") == "1"
    try:
        if want:
            saved_films.saved_film_add(user=request.user, film_id=film.pk)
        else:
            saved_films.saved_film_remove(user=request.user, film_id=film.pk)
        saved, error = want, None
    except ApplicationError as exc:
        saved, error = not want, str(exc.message)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "web/partials/saved_form.html",
            {"film": film, "saved": saved, "error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Added to your list.") if saved else _("Removed from your list.")
        )
    return redirect(_back(request, film))


def _back(request, film) -> str:
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("web:film-detail", args=[film.reference])


@require_POST
@patron_required
def rating_set(request, reference):
    """Rate the film (1 to 5 stars) — once watched; the service says why otherwise."""
    film = _public_film(request, reference)
    stars_raw = request.POST.get("stars", "")
    error = None
    try:
        stars = int(stars_raw)
    except ValueError:
        stars, error = None, _("Choose from 1 to 5 stars.")
    if error is None:
        try:
            ratings.film_rating_set(user=request.user, film_id=film.pk, stars=stars)
        except ApplicationError as exc:
            error = str(exc.message)
    current = ratings.ratings_of(request.user, [film.pk]).get(film.pk)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "web/partials/rating_form.html",
            {"film": film, "stars": current, "rating_saved": error is None, "rating_error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you: your rating is saved."))
    return redirect(_back(request, film))


@require_GET
@patron_required
def space(request):
    """My list, what I watched (with where I stopped), my ratings."""
    saved = list(saved_films.saved_films_of(request.user)[: saved_films.SAVED_FILMS_MAX])
    history = media_selectors.viewing_history(request.user, limit=50)
    films = [row.film for row in saved]
    usable = rights.usable_media(request.user, films) or {}
    saved_cards = [
        {
            "id": row.film.pk,
            "reference": row.film.reference,
            "title": row.film.title,
            "year": row.film.year,
            "runtime_minutes": row.film.runtime_minutes,
            "status": row.film.status,
            "directors": [],
            "media": usable.get(row.film.pk, []),
            "saved_at": row.saved_at,
        }
        for row in saved
    ]
    cards.attach_posters(saved_cards)
    my_ratings = ratings.ratings_of(request.user, [row["film_id"] for row in history])
    for row in history:
        row["stars"] = my_ratings.get(row["film_id"])
    return render(
        request,
        "web/patron/space.html",
        {
            "saved": saved_cards,
            "history": history,
            "quota": _quota(request.user),
            "nav_section": "space",
        },
    )


@require_GET
@patron_required
def my_data(request):
    """What the service keeps about me: shown, and downloadable as JSON (the same export
    the library's staff can make)."""
    patron = get_object_or_404(Patron, user=request.user, erased_at__isnull=True)
    export = patron_export(patron=patron)
    if request.GET.get("download") == "json":
        response = HttpResponse(
            json.dumps(export, indent=2, ensure_ascii=False, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
        return response
    return render(request, "web/patron/my_data.html", {"export": export, "nav_section": "space"})


@require_GET
@patron_required
def selection_list(request):
    """My library's selections (`editorial.selectors.library_selections_visible_to`: the
    patron's own library's, as the API's `/api/v1/library-selections/` lists them), each
    with its number of films and how many of them the patron may watch today — the rights
    engine's answers (`library_selections_with_items`), counted here, not decided."""
    page = public._page(
        request,
        editorial_selectors.library_selections_visible_to(request.user),
        per_page=SELECTIONS_PER_PAGE,
    )
    blocks = editorial_selectors.library_selections_with_items(
        list(page.object_list), rights.audience(request.user)
    )
    for block in blocks:
        block["watchable"] = sum(1 for item in block["items"] if item["film"]["media"])
    return render(
        request,
        "web/patron/selections.html",
        {"page": page, "blocks": blocks, "query_without_page": "", "nav_section": "selections"},
    )


@require_GET
@patron_required
def selection_detail(request, pk):
    """One selection of my library: its films in the library's order, each linking to its
    page, with the ways the patron may watch it today (the rights engine's answer, the
    same as the catalogue's cards) or that they may not. Another library's: 404."""
    try:
        selection = editorial_selectors.library_selection_get_for(request.user, pk)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc
    block = editorial_selectors.library_selections_with_items(
        [selection], rights.audience(request.user)
    )[0]
    cards.attach_posters([item["film"] for item in block["items"]])
    return render(
        request,
        "web/patron/selection_detail.html",
        {
            "selection": selection,
            "items": block["items"],
            "crumbs": [(_("My library's selections"), reverse("web:patron-selections"))],
            "nav_section": "selections",
        },
    )
