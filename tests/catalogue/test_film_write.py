"""The cinema staff edit the catalogue; nobody else can, and bad input writes nothing."""

import pytest

from catalogue.models import Film
from tests.factories import CountryFactory, FilmFactory, PersonFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def valid_payload(**overrides):
    payload = {
        "title": "Les Glaneurs et la glaneuse",
        "year": 2000,
        "runtime_minutes": 82,
        "synopsis": "Glaneurs des villes et des champs.",
        "directors": [PersonFactory(name="Agnès Varda").pk],
        "themes": [ThemeFactory(name="Société").pk],
        "countries": [CountryFactory().code],
        "festival_selections": [{"festival": "Cinéma du réel", "year": 2000}],
        "is_animated": False,
    }
    payload.update(overrides)
    return payload


def test_editor_creates_a_proposed_film(editor_api, api):
    response = editor_api.post("/api/v1/films/", valid_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed"
    assert body["reference"].startswith("CN-")
    assert body["directors"][0]["name"] == "Agnès Varda"
    assert body["festival_selections"][0]["festival"] == "Cinéma du réel"
    film = Film.objects.get(pk=body["id"])
    assert film.history.count() == 1
    # searchable by its director straight away (staff see proposals)
    found = editor_api.get("/api/v1/films/", {"q": "varda"}).json()["results"]
    assert [f["id"] for f in found] == [film.pk]


def test_entering_the_catalogue_dates_the_addition(editor_api):
    response = editor_api.post(
        "/api/v1/films/", valid_payload(status="in_catalogue"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["added_on"] is not None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"year": 1700}, "year"),
        ({"runtime_minutes": 0}, "runtime_minutes"),
        ({"title": ""}, "title"),
        ({"directors": [999999]}, "directors"),
        ({"countries": ["XX"]}, "countries"),
        ({"status": "withdrawn"}, "status"),
        ({"festival_selections": [{"festival": "", "year": 2000}]}, "festival_selections"),
    ],
)
def test_invalid_film_is_refused_and_nothing_is_written(editor_api, overrides, field):
    before = Film.objects.count()
    response = editor_api.post("/api/v1/films/", valid_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert Film.objects.count() == before


def test_duplicate_reference_is_refused(editor_api):
    FilmFactory(reference="CN-000042")
    response = editor_api.post(
        "/api/v1/films/", valid_payload(reference="CN-000042"), format="json"
    )
    assert response.status_code == 400
    assert "reference" in response.json()["fields"]


@pytest.mark.parametrize("client_name", ["api", "library_api", "patron_api"])
def test_only_cinema_staff_write(request, client_name):
    client = request.getfixturevalue(client_name)
    film = FilmFactory()
    assert client.post("/api/v1/films/", valid_payload(), format="json").status_code in (401, 403)
    assert client.patch(f"/api/v1/films/{film.pk}/", {"title": "X"}).status_code in (401, 403)
    film.refresh_from_db()
    assert film.title != "X"


def test_withdrawal_keeps_the_record_with_date_and_reason(editor_api, editor):
    film = FilmFactory()
    response = editor_api.post(
        f"/api/v1/films/{film.pk}/status/",
        {"status": "withdrawn", "on": "2017-06-30", "reason": "Droits non renouvelés"},
        format="json",
    )
    assert response.status_code == 200, response.content
    film.refresh_from_db()
    assert film.status == Film.Status.WITHDRAWN
    assert str(film.withdrawn_on) == "2017-06-30"
    assert film.withdrawal_reason == "Droits non renouvelés"
    last = film.history.first()
    assert last.history_user == editor
    assert last.status == "withdrawn"


def test_impossible_status_transition_is_refused(editor_api):
    film = FilmFactory(status=Film.Status.PROPOSED, added_on=None)
    response = editor_api.post(
        f"/api/v1/films/{film.pk}/status/", {"status": "withdrawn"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_transition"
    film.refresh_from_db()
    assert film.status == Film.Status.PROPOSED


def test_people_and_themes_are_public(api):
    PersonFactory(name="Chantal Akerman", portrait="Portrait.")
    ThemeFactory(name="Cinéma")
    people = api.get("/api/v1/people/", {"q": "akerman"}).json()
    assert people["results"][0]["portrait"] == "Portrait."
    assert api.get("/api/v1/themes/").json()["count"] == 1


def test_a_nul_character_in_a_code_is_an_unknown_code(editor_api):
    response = editor_api.post(
        "/api/v1/films/",
        {"title": "Essai", "year": 2020, "runtime_minutes": 60, "countries": ["F\x00R"]},
        format="json",
    )
    assert (response.status_code, list(response.json()["fields"])) == (400, ["countries"])
