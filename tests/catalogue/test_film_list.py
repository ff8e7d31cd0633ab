"""The public film list: filters, ordering, pagination, visibility, and a constant number
of SQL queries whatever the page size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import FestivalSelection, Film
from tests.factories import (
    CountryFactory,
    FilmFactory,
    LanguageFactory,
    PersonFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def _film_with_everything(i, theme, people):
    film = FilmFactory(title=f"Film {i:03d}", year=2000 + i % 20, is_animated=i % 4 == 0)
    film.directors.set(people[i % 3 : i % 3 + 2])
    film.themes.set([theme])
    film.countries.set([CountryFactory(code="FR"), CountryFactory(code="BE", name="Belgique")])
    film.original_languages.set([LanguageFactory(code="fr")])
    FestivalSelection.objects.create(film=film, festival="Cinéma du réel", year=2016)
    return film


@pytest.fixture
def many_films():
    theme = ThemeFactory()
    people = [PersonFactory() for _ in range(5)]
    return [_film_with_everything(i, theme, people) for i in range(60)]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.embedded
def test_list_costs_a_constant_number_of_queries(api, many_films):
    small, response_small = _count_queries(api, "/api/v1/films/?page_size=5")
    full, response_full = _count_queries(api, "/api/v1/films/?page_size=50")
    assert len(response_small.json()["results"]) == 5
    assert len(response_full.json()["results"]) == 50
    assert small == full
    # the catalogue revision (page cache key), count, page, directors, themes, countries,
    # languages
    assert full <= 7


def test_detail_includes_synopsis_and_festivals(api, many_films):
    film = many_films[0]
    body = api.get(f"/api/v1/films/{film.pk}/").json()
    assert body["festival_selections"] == [
        {"festival": "Cinéma du réel", "year": 2016, "award": ""}
    ]
    assert body["countries"] == ["BE", "FR"] or body["countries"] == ["FR", "BE"]
    assert "synopsis" in body


def test_pagination_reports_count_and_links(api, many_films):
    body = api.get("/api/v1/films/?page_size=25&page=3").json()
    assert body["count"] == 60
    assert len(body["results"]) == 10
    assert body["next"] is None and body["previous"]


def test_page_size_can_be_chosen_up_to_the_bound(api, many_films):
    body = api.get("/api/v1/films/?page_size=100000").json()
    assert len(body["results"]) == 60  # max 200; all 60 fit


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year_min": 2015, "year_max": 2016}, lambda f: 2015 <= f.year <= 2016),
        ({"animated": "true"}, lambda f: f.is_animated),
        ({"animated": "false"}, lambda f: not f.is_animated),
    ],
)
def test_filters(api, many_films, params, expected):
    body = api.get("/api/v1/films/", {**params, "page_size": 200}).json()
    assert {f["id"] for f in body["results"]} == {f.pk for f in many_films if expected(f)}


@pytest.mark.embedded
def test_filter_by_theme_director_country_language(api, many_films):
    other = FilmFactory(title="Sans thème")
    theme = many_films[0].themes.get()
    director = many_films[0].directors.first()
    by_theme = api.get("/api/v1/films/", {"theme": theme.slug, "page_size": 200}).json()
    assert by_theme["count"] == 60
    by_id = api.get("/api/v1/films/", {"theme": theme.pk, "page_size": 200}).json()
    assert by_id["count"] == 60
    by_director = api.get("/api/v1/films/", {"director": director.pk, "page_size": 200}).json()
    assert {f["id"] for f in by_director["results"]} == {
        f.pk for f in many_films if director in f.directors.all()
    }
    assert api.get("/api/v1/films/", {"country": "be"}).json()["count"] == 60
    assert api.get("/api/v1/films/", {"language": "fr"}).json()["count"] == 60
    assert other.pk not in {
        f["id"]
        for f in api.get("/api/v1/films/", {"country": "FR", "page_size": 200}).json()["results"]
    }


def test_ordering(api, many_films):
    body = api.get("/api/v1/films/", {"ordering": "-year,title", "page_size": 200}).json()
    years = [f["year"] for f in body["results"]]
    assert years == sorted(years, reverse=True)


def test_committee_proposals_are_hidden_from_the_public(api, editor_api):
    proposed = FilmFactory(status=Film.Status.PROPOSED, added_on=None)
    public_ids = {f["id"] for f in api.get("/api/v1/films/").json()["results"]}
    assert proposed.pk not in public_ids
    assert api.get(f"/api/v1/films/{proposed.pk}/").status_code == 404
    assert editor_api.get(f"/api/v1/films/{proposed.pk}/").status_code == 200


def test_withdrawn_films_can_be_listed_by_status(api):
    withdrawn = FilmFactory(
        status=Film.Status.WITHDRAWN,
        withdrawn_on=datetime.date(2017, 5, 1),
        withdrawal_reason="Fin des droits",
    )
    FilmFactory()
    body = api.get("/api/v1/films/", {"status": "withdrawn"}).json()
    assert [f["id"] for f in body["results"]] == [withdrawn.pk]
    assert body["results"][0]["withdrawn_on"] == "2017-05-01"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year_min": "abc"}, "year_min"),
        ({"status": "lost"}, "status"),
        ({"animated": "perhaps"}, "animated"),
        ({"added_after": "2017-13-45"}, "added_after"),
        ({"director": "x"}, "director"),
    ],
)
def test_bad_filter_values_name_the_field(api, params, field):
    response = api.get("/api/v1/films/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]


def test_unknown_page_is_a_clear_404(api, many_films):
    response = api.get("/api/v1/films/?page=99")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_page_relations_equal_the_detail_ones(api):
    """The list reads relations for the whole page as plain values; the detail through
    the models: same content, same order (people by sort name, the rest by name)."""
    film = FilmFactory()
    film.directors.set(
        [
            PersonFactory(name="Zoé Alpha", sort_name="Alpha"),
            PersonFactory(name="Ana Zed", sort_name="Zed"),
        ]
    )
    film.themes.set([ThemeFactory(name="Travail"), ThemeFactory(name="Agriculture")])
    film.countries.set([CountryFactory(code="FR"), CountryFactory(code="BE", name="Belgique")])
    film.original_languages.set(
        [LanguageFactory(code="fr"), LanguageFactory(code="ar", name="arabe")]
    )
    listed = api.get("/api/v1/films/").json()["results"][0]
    detail = api.get(f"/api/v1/films/{film.pk}/").json()
    for name in ("directors", "themes", "countries", "original_languages"):
        assert listed[name] == detail[name], name
    assert [d["name"] for d in listed["directors"]] == ["Zoé Alpha", "Ana Zed"]
    assert [t["name"] for t in listed["themes"]] == ["Agriculture", "Travail"]
    assert listed["countries"] == ["BE", "FR"]
    assert listed["original_languages"] == ["ar", "fr"]
