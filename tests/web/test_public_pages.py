"""The web client's public pages through Django's test client: what each shows, to whom,
in which language, and at what cost in queries. The journeys in a real browser (with
axe) are in tests/browser/web/."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.search import film_search_refresh
from editorial.models import Collection
from media.models import Asset
from rights.models import Medium
from tests.editorial.conftest import film_with
from tests.web.conftest import collection, day

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    # template syntax never reaches a page (a multi-line {# #} comment would)
    assert "{#" not in body and "{%" not in body and "{{" not in body
    return re.sub(r"\s+", " ", body)


# --- home ----------------------------------------------------------------------------------


@pytest.mark.embedded
def test_home_shows_the_published_sections_in_the_seed_order(web, catalogue):
    favourites = collection("favourites", [catalogue["streamed"]], title="Nos coups de cœur")
    collection("new_films", [catalogue["dvd_only"]], title="Nouveautés de novembre")
    collection("acquisitions", [catalogue["coming"]], title="Bientôt chez vous")
    collection("favourites", [catalogue["streamed"]], title="Brouillon", published_from=None)
    collection("new_films", [catalogue["streamed"]], title="Passée", published_until=day(-2),
               published_from=day(-30))  # fmt: skip
    page = text(web.get("/"))
    assert page.index("Nouveautés de novembre") < page.index("Nos coups de cœur")
    assert page.index("Nos coups de cœur") < page.index("Bientôt chez vous")
    assert "Brouillon" not in page and "Passée" not in page
    assert f'href="/films/{catalogue["streamed"].reference}"' in page
    assert favourites.pk


def test_a_film_being_acquired_is_announced_and_a_theme_section_links_to_its_theme(web, catalogue):
    """What the templates compare with the apps' choices (catalogue statuses, collection
    kinds, given to every page by the context processor)."""
    collection("acquisitions", [catalogue["coming"]], title="Bientôt chez vous")
    collection("theme", [catalogue["streamed"]], title="Le travail", theme=catalogue["theme"])
    home = text(web.get("/"))
    assert "· Bientôt</p>" in home  # the card of the film being acquired
    assert '<a href="/themes/travail">Le travail</a>' in home
    coming = text(web.get(f"/films/{catalogue['coming'].reference}"))
    assert "Bientôt : droits en cours d’acquisition" in coming
    streamed = text(web.get(f"/films/{catalogue['streamed'].reference}"))
    assert "droits en cours d’acquisition" not in streamed
    assert "· Bientôt</p>" not in text(web.get("/films/", {"theme": "travail"}))


def test_the_public_never_sees_a_withdrawn_film_in_a_collection(web, catalogue):
    collection("favourites", [catalogue["withdrawn"], catalogue["streamed"]])
    page = text(web.get("/"))
    assert catalogue["streamed"].title in page
    assert catalogue["withdrawn"].title not in page


def test_a_patron_sees_only_what_their_library_may_stream(patron_web, catalogue, library):
    collection("favourites", [catalogue["dvd_only"], catalogue["streamed"]])
    page = text(patron_web.get("/"))
    assert catalogue["streamed"].title in page
    assert catalogue["dvd_only"].title not in page  # a patron's audience is streaming


def test_home_costs_the_same_queries_with_more_films_and_sections(web, catalogue):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert web.get("/").status_code == 200
        return len(captured)

    collection("favourites", [catalogue["streamed"]])
    few = queries()
    for kind in ("new_films", "acquisitions", "favourites"):
        films = [film_with(Medium.STREAM_HOME) for _ in range(6)]
        collection(kind, films, title=f"Encore {kind}")
    assert queries() == few


# --- catalogue -------------------------------------------------------------------------------


@pytest.mark.embedded
def test_search_is_accent_insensitive_and_keeps_its_words_in_the_url(web, catalogue):
    film_search_refresh(film_ids=[f.pk for f in catalogue.values() if hasattr(f, "reference")])
    page = text(web.get("/films/", {"q": "realite"}))
    assert "Réalité des glaneurs" in page
    assert "Sur DVD" not in page
    assert 'value="realite"' in page


def test_a_filter_narrows_the_list_and_pages_keep_the_filters(web, catalogue):
    for n in range(30):
        film_with(Medium.DVD, title=f"Film du travail {n:02d}").themes.add(catalogue["theme"])
    page = text(web.get("/films/", {"theme": "travail"}))
    assert "31 films" in page
    assert "Sur DVD" not in page
    assert "?theme=travail&amp;page=2" in page
    second = text(web.get("/films/", {"theme": "travail", "page": 2}))
    assert "Film du travail" in second


def test_accessibility_filters_follow_the_media_files(web, catalogue):
    film = catalogue["streamed"]
    Asset.objects.create(
        film=film,
        kind=Asset.Kind.SUBTITLES,
        language="fr",
        for_deaf_and_hard_of_hearing=True,
        storage_key="x/fr-sdh.vtt",
        status=Asset.Status.READY,
    )
    page = text(web.get("/films/", {"sdh": "on"}))
    assert "1 film" in page and film.title in page
    assert "0 film" in text(web.get("/films/", {"audio_description": "on"}))


def test_bad_filters_are_shown_in_place_never_a_server_error(web, catalogue):
    page = text(web.get("/films/", {"year_min": "2020", "year_max": "1999"}))
    assert "La dernière année précède la première." in page
    assert web.get("/films/", {"page": "999"}).status_code == 404
    # a number that is not one, bytes that are not UTF-8, a choice that does not exist
    assert web.get("/films/?year_min=abc&theme=%ED%A0%80&sort=x").status_code == 200


def test_available_to_my_library_is_the_rights_engines_answer(staff_web, catalogue):
    page = text(staff_web.get("/films/", {"available": "stream_home"}))
    assert catalogue["streamed"].title in page
    assert catalogue["dvd_only"].title not in page


def test_catalogue_page_costs_the_same_queries_whatever_the_page_size(web, staff_web, catalogue):
    def queries(client):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/films/").status_code == 200
        return len(captured)

    few_public, few_staff = queries(web), queries(staff_web)
    for n in range(30):
        film = film_with(Medium.STREAM_HOME, Medium.DVD, title=f"Autre {n}")
        film.directors.add(catalogue["director"])
    assert queries(web) == few_public
    assert queries(staff_web) == few_staff


# --- a film, a director, a theme ------------------------------------------------------------------


@pytest.mark.embedded
def test_film_page_for_a_visitor(web, catalogue):
    page = text(web.get(f"/films/{catalogue['streamed'].reference}"))
    assert "Réalité des glaneurs" in page
    assert "Des glaneurs, des glaneuses." in page
    assert f'href="/realisateurs/{catalogue["director"].pk}"' in page
    assert 'href="/themes/travail"' in page
    assert "may do" not in page and "peut faire" not in page  # no library: no uses


def test_film_page_says_what_the_library_may_do_and_until_when(staff_web, library, catalogue):
    film = film_with(Medium.DVD, ends_in=20, title="Bientôt parti")
    page = text(staff_web.get(f"/films/{film.reference}"))
    ends = day(20)
    assert f"{ends.day}" in page and str(ends.year) in page
    assert "Le service ne détient pas de droits pour cet usage." in page  # French by default


def test_hidden_and_unknown_films_answer_404(web, catalogue):
    assert web.get(f"/films/{catalogue['proposed'].reference}").status_code == 404
    assert web.get("/films/NOPE-1").status_code == 404


def test_the_catalogue_record_link_offers_that_librarys_sign_in(web, library, catalogue):
    url = f"/films/{catalogue['streamed'].reference}?bib={library.code}"
    page = text(web.get(url))
    assert library.name in page
    assert (
        f"/connexion/?bib={library.code}&amp;next=/films/{catalogue['streamed'].reference}" in page
    )


def test_director_and_theme_pages_list_their_films(web, catalogue):
    director_page = text(web.get(f"/realisateurs/{catalogue['director'].pk}"))
    assert "Agnès Varda" in director_page and "Réalité des glaneurs" in director_page
    assert "Une œuvre." in director_page
    theme_page = text(web.get("/themes/travail"))
    assert "Réalité des glaneurs" in theme_page and "Sur DVD" not in theme_page
    assert "Travail" in text(web.get("/themes/"))
    assert web.get("/themes/inconnu").status_code == 404


def test_a_collection_page_shows_all_its_films(web, catalogue):
    films = [film_with(Medium.STREAM_HOME, title=f"Coup {n}") for n in range(6)]
    shown = collection("favourites", films, title="Six coups de cœur")
    home = text(web.get("/"))
    assert "Coup 5" not in home  # four on the home page
    assert f"/selections/{shown.pk}" in home
    page = text(web.get(f"/selections/{shown.pk}"))
    assert all(f"Coup {n}" in page for n in range(6))
    draft = collection("favourites", films, title="Brouillon", published_from=None)
    assert web.get(f"/selections/{draft.pk}").status_code == 404
    assert Collection.objects.count() == 2


# --- find my library ---------------------------------------------------------------------------


def test_library_finder_says_whether_patrons_can_watch(
    web, library, other_library, streaming_subscription
):
    page = text(web.get("/bibliotheques/", {"q": "Médiathèque"}))
    assert library.name in page and other_library.name in page
    assert f"/connexion/?bib={library.code}" in page
    assert f"/connexion/?bib={other_library.code}" not in page


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.embedded
def test_french_by_default_english_on_request(web, catalogue):
    assert 'lang="fr"' in text(web.get("/"))
    assert "Catalogue" in text(web.get("/films/"))
    english = text(web.get("/films/", HTTP_ACCEPT_LANGUAGE="en"))
    assert 'lang="en"' in english and "Search the catalogue" in english
    page = text(web.get("/films/"))
    assert 'href="/langue/en/?next=/films/"' in page  # a link: pages carry no form
    response = web.get("/langue/en/", {"next": "/films/"})
    assert response.status_code == 302 and response["Location"] == "/films/"
    assert 'lang="en"' in text(web.get("/films/"))
    assert web.get("/langue/en/", {"next": "https://evil.example/"})["Location"] == "/"


def test_legal_pages_exist_in_both_languages(web):
    for path, french, english in [
        ("/accessibilite/", "Déclaration d’accessibilité", "Accessibility statement"),
        ("/mentions-legales/", "Mentions légales", "Legal notice"),
        ("/donnees-personnelles/", "Données personnelles", "Personal data"),
    ]:
        assert french in text(web.get(path))
        assert english in text(web.get(path, HTTP_ACCEPT_LANGUAGE="en"))


def test_a_visitors_catalogue_page_is_cached_until_the_catalogue_changes(web, catalogue):
    first = text(web.get("/films/", {"theme": "travail"}))
    with CaptureQueriesContext(connection) as captured:
        again = text(web.get("/films/", {"theme": "travail"}))
    assert again == first
    assert len(captured) <= 1  # at most the catalogue's revision
    assert "csrfmiddlewaretoken" not in first  # nothing of one visitor in it
    film_with(Medium.DVD, title="Nouveau sur le travail").themes.add(catalogue["theme"])
    assert "Nouveau sur le travail" in text(web.get("/films/", {"theme": "travail"}))


def test_signed_in_pages_are_not_shared(web, staff_web, catalogue):
    text(web.get("/films/"))  # a visitor's page in the cache
    assert 'name="available"' in text(staff_web.get("/films/"))
