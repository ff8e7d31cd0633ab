"""The public pages: home, catalogue, a film, a director, a theme, the library finder.

Readable without signing in. A signed-in patron or librarian also sees what their library
may do with each film, as the rights engine decides (`web.rights`); nothing here decides
it. Every page costs a constant number of queries whatever the number of films shown."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalogue import cache as page_cache
from catalogue import selectors as catalogue_selectors
from catalogue.filters import FilmFilter
from catalogue.models import Person, Theme
from editorial import ratings
from editorial import selectors as editorial_selectors
from editorial.models import Collection
from institutions.models import Institution
from media import selectors as media_selectors
from subscriptions import selectors as subscription_selectors
from web import cards, patron_actions, rights
from web.forms import FilmSearchForm, LibraryFinderForm

FILMS_PER_PAGE = 24
#: films shown per collection on the home page (the collection's own page shows them all)
HOME_SECTION_FILMS = 4
#: the order of the home page's editorial sections (the seed's list)
HOME_SECTIONS = (
    Collection.Kind.NEW_FILMS,
    Collection.Kind.FAVOURITES,
    Collection.Kind.ACQUISITIONS,
    Collection.Kind.THEME,
    Collection.Kind.DIRECTOR_PORTRAIT,
)


def home(request):
    """The editorial sections published today, the films patrons appreciate most, and a
    way to find one's library."""
    today = timezone.localdate()
    audience = rights.audience(request.user)
    collections = list(editorial_selectors.collections_published(on=today))
    with_items = editorial_selectors.collections_with_items(collections, audience, on=today)
    sections = []
    for kind in HOME_SECTIONS:
        for entry in with_items:
            if entry["collection"].kind == kind and entry["items"]:
                films = [item["film"] for item in entry["items"][:HOME_SECTION_FILMS]]
                sections.append(
                    {
                        "collection": entry["collection"],
                        "films": films,
                        "more": len(entry["items"]) - len(films),
                    }
                )
    appreciated = ratings.most_appreciated(audience, limit=HOME_SECTION_FILMS, on=today)
    shown = [film for section in sections for film in section["films"]]
    shown += [row["film"] for row in appreciated]
    cards.attach_posters(shown)
    return render(
        request,
        "web/home.html",
        {
            "sections": sections,
            "appreciated": appreciated,
            "finder": LibraryFinderForm(),
            "nav_section": "home",
        },
    )


def collection_detail(request, pk):
    """One published collection with all its films the visitor's audience may see."""
    today = timezone.localdate()
    collection = get_object_or_404(editorial_selectors.collections_published(on=today), pk=pk)
    entry = editorial_selectors.collections_with_items(
        [collection], rights.audience(request.user), on=today
    )[0]
    films = [item["film"] for item in entry["items"]]
    cards.attach_posters(films)
    return render(
        request,
        "web/catalogue/collection_detail.html",
        {"collection": collection, "items": entry["items"], "films": films},
    )


def _page(request, queryset, per_page=FILMS_PER_PAGE):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        raise Http404(_("This page of results does not exist.")) from None


def _visitor_page_key(request) -> str | None:
    """The cache key of a page a visitor (not signed in, no message waiting) sees: the
    same for every visitor, for one revision of the catalogue, day, language and URL —
    the key the API's film pages use (`catalogue.cache`). None: not cached."""
    if (
        not settings.CATALOGUE_PAGE_CACHE_SECONDS
        or request.user.is_authenticated
        or len(messages.get_messages(request))
    ):
        return None
    return page_cache.page_key(request, sees_everything=False, institution_id=None)


def film_list(request):
    """Search and filters, as the API's `/api/v1/films/` takes them (the same filter set),
    a sort, and pages that keep the filters in the URL. A visitor's page is cached whole,
    like the API's (`Cache-Control: no-cache` asks for a fresh one)."""
    key = _visitor_page_key(request)
    fresh = "no-cache" in request.headers.get("Cache-Control", "")
    if key is not None and not fresh and (body := page_cache.get(key)) is not None:
        return HttpResponse(body)
    response = _film_list(request)
    if key is not None and response.status_code == 200:
        page_cache.put(key, response.content)
    return response


def _film_list(request):
    form = FilmSearchForm(request.GET or None, user=request.user)
    queryset = catalogue_selectors.film_list_queryset(request.user)
    if form.is_valid():
        filters = FilmFilter(form.filter_data(), queryset=queryset, request=request)
        queryset = filters.qs
        ordering = form.ordering()
        if ordering:
            queryset = queryset.order_by(*ordering)
    page = _page(request, queryset)
    films = list(page.object_list)
    catalogue_selectors.film_list_relations(films)
    entries = cards.film_cards(films, request.user)
    return render(
        request,
        "web/catalogue/film_list.html",
        {
            "form": form,
            "page": page,
            "films": entries,
            "query_without_page": form.query_without_page(),
            "header_query": request.GET.get("q", ""),
            "nav_section": "films",
        },
    )


def film_detail(request, reference):
    """A film: what it is, its accessibility tracks and trailer, and — for a signed-in
    patron or librarian — what their library may do with it and until when. `?bib=<code>`
    (the link of a library's catalogue record) offers that library's sign-in."""
    film = get_object_or_404(
        catalogue_selectors.film_detail_queryset(request.user), reference=reference
    )
    bib_library = None
    if not request.user.is_authenticated and request.GET.get("bib"):
        bib_library = Institution.objects.filter(
            code=request.GET["bib"][:50], is_network=False
        ).first()
    film_card = cards.film_cards([film], request.user, detail=True)[0]
    uses = rights.uses_of(request.user, film)
    return render(
        request,
        "web/catalogue/film_detail.html",
        {
            "film": film,
            "card": film_card,
            "uses": uses,
            "tracks": media_selectors.playable_offer([film.pk])[film.pk],
            "trailer_url": media_selectors.trailer_url(film.pk, expires=cards.POSTER_URL_SECONDS),
            "actions": patron_actions.for_film(request.user, film, uses=uses),
            "bib_library": bib_library,
            "crumbs": [(_("Catalogue"), reverse("web:film-list"))],
            "nav_section": "films",
        },
    )


def person_detail(request, pk):
    """A director: their portrait and their films in the catalogue."""
    person = get_object_or_404(Person, pk=pk)
    queryset = catalogue_selectors.film_list_queryset(request.user).filter(directors=person)
    page = _page(request, queryset.order_by("-year", "title", "pk"))
    films = list(page.object_list)
    catalogue_selectors.film_list_relations(films)
    return render(
        request,
        "web/catalogue/person_detail.html",
        {
            "person": person,
            "crumbs": [(_("Catalogue"), reverse("web:film-list"))],
            "page": page,
            "films": cards.film_cards(films, request.user),
            "query_without_page": "",
            "nav_section": "films",
        },
    )


def theme_list(request):
    return render(
        request,
        "web/catalogue/theme_list.html",
        {"themes": catalogue_selectors.themes_queryset(), "nav_section": "themes"},
    )


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    queryset = catalogue_selectors.film_list_queryset(request.user).filter(themes=theme)
    page = _page(request, queryset.order_by("title", "pk"))
    films = list(page.object_list)
    catalogue_selectors.film_list_relations(films)
    return render(
        request,
        "web/catalogue/theme_detail.html",
        {
            "theme": theme,
            "crumbs": [(_("Themes"), reverse("web:theme-list"))],
            "page": page,
            "films": cards.film_cards(films, request.user),
            "query_without_page": "",
            "nav_section": "themes",
        },
    )


def library_finder(request):
    """Libraries by name, commune, department or code, and whether their patrons can
    watch films here (a subscription including streaming covers them today)."""
    form = LibraryFinderForm(request.GET or None)
    libraries = []
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        libraries = list(
            Institution.objects.filter(is_network=False)
            .filter(
                Q(name__icontains=q)
                | Q(commune__icontains=q)
                | Q(code__iexact=q)
                | Q(department_code=q.upper())
            )
            .only("id", "name", "code", "commune", "department_code")
            .order_by("name", "pk")[:50]
        )
        streaming = subscription_selectors.library_ids_with_streaming(
            library_ids=[library.pk for library in libraries], on=timezone.localdate()
        )
        for library in libraries:
            library.offers_streaming = library.pk in streaming
    return render(
        request,
        "web/library_finder.html",
        {"form": form, "libraries": libraries, "nav_section": "libraries"},
    )


def page(request, name):
    """A page of text — accessibility statement, legal notice, personal data — written
    whole in each language (legal texts are not assembled from fragments)."""
    language = "en" if get_language().startswith("en") else "fr"
    return render(request, f"web/pages/{name}.{language}.html")


def film_poster(request, reference):
    """The film's poster, from the object store (a redirect to a short-lived URL)."""
    return cards.poster_redirect(reference)
