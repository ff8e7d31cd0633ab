"""My library's selections, on the patron's side of the web client: the list of the
selections the library's staff curate in the back office, and a selection's page with its
films in the library's order, each linking to its page and saying whether the patron may
watch it today — the rights engine's answer, as on the catalogue's cards. Another
library's selection is a 404, like an unknown one."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.services import library_selection_create, library_selection_item_add
from institutions.models import Institution
from rights.models import Medium
from tests.editorial.conftest import film_with
from tests.factories import FilmFactory, PersonFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    body = unescape(response.content.decode())
    assert "{#" not in body and "{%" not in body and "{{" not in body
    return re.sub(r"\s+", " ", body)


def item_of(page, film) -> str:
    """The part of a selection's page about one film (up to the next film, or the list's
    end)."""
    start = page.index(f'id="selection-film-{film.reference}"')
    ends = [page.find(mark, start + 1) for mark in ('id="selection-film-', "</ol>")]
    return page[start : min(end for end in ends if end != -1)]


def selection_of(library, title, films, *, notes=None, **fields):
    """A selection of the library with these films, in this order (each added at the
    front, so that the order kept is not the order of creation)."""
    selection = library_selection_create(institution=library, title=title, **fields)
    notes = notes or {}
    for film in reversed(films):
        library_selection_item_add(
            selection=selection, film=film.pk, position=0, note=notes.get(film.pk, "")
        )
    return selection


@pytest.fixture
def films(db):
    """streamed: at home and in the library; onsite: in the library only; dvd_only: no
    streaming right; departmental: streaming for departmental libraries only (the
    patron's is municipal); none: no right at all."""
    streamed = film_with(
        Medium.STREAM_HOME, Medium.STREAM_ONSITE, title="Les Glaneurs", reference="CN-000301"
    )
    streamed.directors.add(PersonFactory(name="Agnès Varda", sort_name="Varda, Agnès"))
    return {
        "streamed": streamed,
        "onsite": film_with(Medium.STREAM_ONSITE, title="Sur place", reference="CN-000302"),
        "dvd_only": film_with(Medium.DVD, title="Sur DVD", reference="CN-000303"),
        "departmental": film_with(
            Medium.STREAM_HOME,
            kinds=[Institution.Kind.DEPARTMENTAL],
            title="Pour les BDP",
            reference="CN-000304",
        ),
        "none": FilmFactory(title="Sans droits", reference="CN-000305"),
    }


# --- who may come in ---------------------------------------------------------------------


def test_visitors_sign_in_first_and_librarians_are_told_the_pages_are_for_patrons(
    web, staff_web, library
):
    selection = selection_of(library, "Coups de cœur", [])
    for path in ("/mon-espace/selections/", f"/mon-espace/selections/{selection.pk}"):
        response = web.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/connexion/?next={path}")
        refused = staff_web.get(path)
        assert refused.status_code == 403
        assert "fr-header" in refused.content.decode()


def test_another_librarys_selection_is_a_404_like_an_unknown_one(patron_web, other_library, films):
    theirs = selection_of(other_library, "Leur sélection", [films["streamed"]])
    for path in (
        f"/mon-espace/selections/{theirs.pk}",
        f"/mon-espace/selections/{theirs.pk + 1000}",
        "/mon-espace/selections/99999999999999999999",
    ):
        response = patron_web.get(path)
        assert response.status_code == 404, path
        assert "Leur sélection" not in response.content.decode()
    assert "Leur sélection" not in text(patron_web.get("/mon-espace/selections/"))


# --- the list ----------------------------------------------------------------------------


def test_the_list_shows_my_librarys_selections_with_what_i_may_watch(
    patron_web, library, other_library, films
):
    mine = selection_of(
        library,
        "Coups de cœur",
        [films["streamed"], films["dvd_only"], films["onsite"]],
        description="Ce que l'équipe a aimé cette année.",
    )
    empty = selection_of(library, "Bientôt", [])
    selection_of(other_library, "Leur sélection", [films["streamed"]])
    page = text(patron_web.get("/mon-espace/selections/"))
    assert "Les sélections de ma bibliothèque" in page
    assert f"Films choisis pour vous par l’équipe de {library.name}." in page
    assert f'href="/mon-espace/selections/{mine.pk}">Coups de cœur</a>' in page
    assert f'href="/mon-espace/selections/{empty.pk}">Bientôt</a>' in page
    assert "Ce que l'équipe a aimé cette année." in page
    # the rights engine: the DVD-only film is not one to watch
    assert "3 films · 2 à regarder aujourd’hui" in page
    assert "0 film · 0 à regarder aujourd’hui" in page
    assert "Leur sélection" not in page
    # titles in order (the selector's: by title)
    assert page.index("Bientôt") < page.index("Coups de cœur")


def test_an_empty_list_says_so_and_my_space_and_the_menu_lead_there(patron_web):
    page = text(patron_web.get("/mon-espace/selections/"))
    assert "Votre bibliothèque n’a pas encore publié de sélection." in page
    assert 'href="/mon-espace/selections/" aria-current="page"' in page
    space = text(patron_web.get("/mon-espace/"))
    assert space.count('href="/mon-espace/selections/"') == 2  # the menu and my space
    catalogue = text(patron_web.get("/films/"))
    assert 'href="/mon-espace/selections/"' in catalogue


def test_the_list_costs_the_same_queries_with_more_selections_and_films(patron_web, library, films):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert patron_web.get("/mon-espace/selections/").status_code == 200
        return len(captured)

    selection_of(library, "Une", [films["streamed"]])
    few = queries()
    selection_of(library, "Deux", [films["dvd_only"], films["onsite"], films["none"]])
    selection_of(library, "Trois", [films["departmental"], films["streamed"]])
    for n in range(3):
        selection_of(library, f"Encore {n}", [film_with(Medium.STREAM_HOME)])
    assert queries() == few


def test_the_list_has_pages(patron_web, library):
    for n in range(21):
        selection_of(library, f"Sélection {n:02d}", [])
    first = text(patron_web.get("/mon-espace/selections/"))
    assert "Sélection 19" in first and "Sélection 20" not in first
    second = text(patron_web.get("/mon-espace/selections/?page=2"))
    assert "Sélection 20" in second and "Sélection 00" not in second
    assert patron_web.get("/mon-espace/selections/?page=3").status_code == 404


# --- a selection ---------------------------------------------------------------------------


def test_a_selection_shows_its_films_in_the_librarys_order_and_what_i_may_watch(
    patron_web, library, films
):
    order = [films["dvd_only"], films["streamed"], films["none"], films["departmental"]]
    order.append(films["onsite"])
    selection = selection_of(
        library,
        "Coups de cœur",
        order,
        description="Ce que l'équipe a aimé.",
        notes={films["streamed"].pk: "Un classique de la bibliothèque."},
    )
    page = text(patron_web.get(f"/mon-espace/selections/{selection.pk}"))
    assert "<h1>Coups de cœur</h1>" in page
    assert f"Une sélection de {library.name}." in page
    assert "Ce que l'équipe a aimé." in page
    assert "Un classique de la bibliothèque." in page
    assert "Agnès Varda" in page
    places = [page.index(f'id="selection-film-{film.reference}"') for film in order]
    assert places == sorted(places)
    for film in order:
        assert f'href="/films/{film.reference}">{film.title}</a>' in page

    def said_of(film):
        return item_of(page, film)

    watchable, refused = "Vous pouvez regarder ce film.", "Votre bibliothèque ne peut pas"
    assert watchable in said_of(films["streamed"])
    assert "Regarder à domicile" in said_of(films["streamed"])
    assert "Regarder à la bibliothèque" in said_of(films["streamed"])
    assert watchable in said_of(films["onsite"])
    assert "Regarder à domicile" not in said_of(films["onsite"])
    for film in (films["dvd_only"], films["none"], films["departmental"]):
        assert refused in said_of(film), film.title
        assert watchable not in said_of(film), film.title
    assert 'href="/mon-espace/selections/" aria-current="page"' in page


def test_a_film_whose_rights_ended_stays_listed_and_is_no_longer_watchable(
    patron_web, library, films
):
    ending = film_with(Medium.STREAM_HOME, title="Bientôt parti", reference="CN-000306", ends_in=-1)
    selection = selection_of(library, "Coups de cœur", [ending, films["streamed"]])
    page = text(patron_web.get(f"/mon-espace/selections/{selection.pk}"))
    start = page.index('id="selection-film-CN-000306"')
    assert (
        "Votre bibliothèque ne peut pas le proposer à regarder aujourd’hui."
        in (page[start : page.index("</li>", start)])
    )


def test_an_empty_selection_says_so(patron_web, library):
    selection = selection_of(library, "À venir", [])
    page = text(patron_web.get(f"/mon-espace/selections/{selection.pk}"))
    assert "Aucun film dans cette sélection pour l’instant." in page


def test_a_selection_costs_the_same_queries_with_more_films(patron_web, library, films):
    selection = selection_of(library, "Coups de cœur", [films["streamed"]])
    url = f"/mon-espace/selections/{selection.pk}"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert patron_web.get(url).status_code == 200
        return len(captured)

    few = queries()
    for key in ("onsite", "dvd_only", "departmental", "none"):
        library_selection_item_add(selection=selection, film=films[key].pk)
    for _ in range(4):
        library_selection_item_add(selection=selection, film=film_with(Medium.STREAM_HOME).pk)
    assert queries() == few


def test_the_pages_in_english(patron_web, library, films):
    selection = selection_of(library, "Favourites", [films["streamed"], films["dvd_only"]])
    listed = text(patron_web.get("/mon-espace/selections/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "My library's selections" in listed
    assert "2 films · 1 to watch today" in listed
    page = text(patron_web.get(f"/mon-espace/selections/{selection.pk}", HTTP_ACCEPT_LANGUAGE="en"))
    assert "You can watch this film." in page
    assert "Your library cannot offer it to watch today." in page
    assert f"A selection of {library.name}." in page
