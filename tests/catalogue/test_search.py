"""Catalogue search: accent- and case-insensitive on every database; French stemming and
ranking on PostgreSQL."""

import pytest

from catalogue.services import film_create
from tests.factories import PersonFactory, ThemeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def films():
    director = PersonFactory(name="Raymond Depardon")
    return {
        "realite": film_create(
            status="in_catalogue", title="Réalité ordinaire", year=2016, runtime_minutes=80
        ),
        "realites": film_create(
            status="in_catalogue",
            title="Les réalités du port",
            year=2014,
            runtime_minutes=52,
            directors=[director],
        ),
        "mer": film_create(
            status="in_catalogue",
            title="La mer intérieure",
            year=2010,
            runtime_minutes=75,
            synopsis="Une année à bord, loin de toute réalité terrestre.",
        ),
        "forest": film_create(
            status="in_catalogue",
            title="Forêts",
            year=2012,
            runtime_minutes=90,
            directors=[director],
            themes=[ThemeFactory(name="Écologie")],
        ),
    }


def titles(response):
    assert response.status_code == 200, response.content
    return [film["title"] for film in response.json()["results"]]


@pytest.mark.parametrize("query", ["realite", "REALITE", "Réalité", "réalité", "  réalité "])
def test_search_ignores_accents_and_case(api, films, query):
    found = titles(api.get("/api/v1/films/", {"q": query}))
    assert "Réalité ordinaire" in found
    assert "Forêts" not in found


def test_search_finds_director_and_theme_names(api, films):
    assert set(titles(api.get("/api/v1/films/", {"q": "depardon"}))) == {
        "Les réalités du port",
        "Forêts",
    }
    assert titles(api.get("/api/v1/films/", {"q": "ecologie"})) == ["Forêts"]


def test_every_word_must_match(api, films):
    assert titles(api.get("/api/v1/films/", {"q": "realite ordinaire"})) == ["Réalité ordinaire"]
    assert titles(api.get("/api/v1/films/", {"q": "realite zzzz"})) == []


def test_title_matches_come_before_synopsis_matches(api, films):
    found = titles(api.get("/api/v1/films/", {"q": "realite"}))
    assert found.index("Réalité ordinaire") < found.index("La mer intérieure")


def test_search_combines_with_filters(api, films):
    found = titles(api.get("/api/v1/films/", {"q": "realite", "year_min": 2015}))
    assert found == ["Réalité ordinaire"]


def test_search_follows_record_changes(editor_api, api, films):
    film = films["forest"]
    response = editor_api.patch(f"/api/v1/films/{film.pk}/", {"title": "Réalité des forêts"})
    assert response.status_code == 200
    assert "Réalité des forêts" in titles(api.get("/api/v1/films/", {"q": "realite"}))


@pytest.mark.postgres
def test_french_stemming_matches_plural_and_singular(api, films):
    # "réalités" (plural) and "réalité" share the French stem; accents stripped first.
    found = titles(api.get("/api/v1/films/", {"q": "realites"}))
    assert {"Réalité ordinaire", "Les réalités du port", "La mer intérieure"} <= set(found)
    assert found[-1] == "La mer intérieure"  # only in the synopsis: ranked last


@pytest.mark.postgres
def test_postgres_search_uses_the_stored_vector(films):
    from catalogue.models import Film

    assert Film.objects.filter(search_vector__isnull=True).count() == 0
