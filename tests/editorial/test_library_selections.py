"""A library's own selections of films: its staff keep them, its patrons read them, the
cinema staff read them all; another library's selection does not exist for anyone else;
the films are shown with the media the library may use them on (the rights engine)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from backend.errors import ApplicationError
from catalogue.models import Film
from editorial import services
from editorial.models import LibrarySelection, LibrarySelectionItem
from rights.models import Medium
from tests.api import test_schema_fuzz as fuzz
from tests.api.test_schema_fuzz import _keep_the_test_connection  # noqa: F401 (autouse fixture)
from tests.conftest import client_for, token_for
from tests.factories import FilmFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/library-selections/"


def _create(client, title="Ciné-club du jeudi", **fields):
    response = client.post(URL, {"title": title, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _add(client, selection_id, film, **fields):
    return client.post(f"{URL}{selection_id}/items/", {"film": film.pk, **fields}, format="json")


def _titles(selection):
    return [item["film"]["title"] for item in selection["items"]]


def _state():
    """Everything the selections hold, to check that a refusal changed nothing."""
    return (
        list(LibrarySelection.objects.values_list("pk", "title", "description", "institution")),
        list(LibrarySelectionItem.objects.values_list("pk", "selection", "film", "position")),
    )


def test_library_staff_build_edit_and_delete_a_selection(library_api, library, films):
    created = _create(library_api, description="Nos séances")
    assert (created["institution"], created["title"], created["items"]) == (
        library.pk,
        "Ciné-club du jeudi",
        [],
    )
    sid = created["id"]
    for name in ("streamed", "dvd_only", "departmental", "none"):
        assert _add(library_api, sid, films[name]).status_code == 201
    response = _add(library_api, sid, FilmFactory(title="En tête"), position=0, note="À voir")
    assert response.status_code == 201
    body = response.json()
    # the library's order, positions 0..n-1, every film kept, each with the engine's answer
    assert _titles(body) == ["En tête", "Les Glaneurs", "Sur DVD", "Pour les BDP", "Sans droits"]
    assert [item["position"] for item in body["items"]] == [0, 1, 2, 3, 4]
    assert body["items"][0]["note"] == "À voir"
    media = {item["film"]["title"]: item["film"]["media"] for item in body["items"]}
    assert sorted(media["Les Glaneurs"]) == [Medium.STREAM_HOME, Medium.STREAM_ONSITE]
    assert media["Sur DVD"] == [Medium.DVD]
    assert media["Pour les BDP"] == []  # a municipal library may not use it
    assert media["Sans droits"] == []

    # taking a film out moves the next ones up
    dvd_item = body["items"][2]["id"]
    assert library_api.delete(f"{URL}{sid}/items/{dvd_item}/").status_code == 204
    body = library_api.get(f"{URL}{sid}/").json()
    assert _titles(body) == ["En tête", "Les Glaneurs", "Pour les BDP", "Sans droits"]
    assert [item["position"] for item in body["items"]] == [0, 1, 2, 3]
    assert library_api.delete(f"{URL}{sid}/items/{dvd_item}/").status_code == 404

    response = library_api.patch(f"{URL}{sid}/", {"title": "Jeudis du doc"}, format="json")
    assert (response.status_code, response.json()["title"]) == (200, "Jeudis du doc")
    assert response.json()["description"] == "Nos séances"
    response = library_api.put(f"{URL}{sid}/", {"title": "Jeudis", "description": ""})
    assert (response.status_code, response.json()["description"]) == (200, "")
    assert LibrarySelection.history.filter(id=sid).count() == 3
    assert LibrarySelectionItem.history.filter(selection_id=sid).exists()

    assert library_api.delete(f"{URL}{sid}/").status_code == 204
    assert not LibrarySelection.objects.filter(pk=sid).exists()
    assert not LibrarySelectionItem.objects.filter(selection_id=sid).exists()
    assert library_api.get(f"{URL}{sid}/").status_code == 404


def test_a_staff_member_keeps_the_selections_too(library, films):
    member = client_for(UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library))
    sid = _create(member)["id"]
    assert _add(member, sid, films["streamed"]).status_code == 201
    assert LibrarySelection.objects.get(pk=sid).institution == library


def test_another_library_gets_404_and_changes_nothing(
    library_api, library, other_library_api, films
):
    sid = _create(library_api)["id"]
    item = _add(library_api, sid, films["streamed"]).json()["items"][0]["id"]
    before = _state()
    attempts = [
        other_library_api.get(f"{URL}{sid}/"),
        other_library_api.patch(f"{URL}{sid}/", {"title": "Pris"}, format="json"),
        other_library_api.put(f"{URL}{sid}/", {"title": "Pris"}, format="json"),
        other_library_api.delete(f"{URL}{sid}/"),
        _add(other_library_api, sid, films["dvd_only"]),
        other_library_api.delete(f"{URL}{sid}/items/{item}/"),
        other_library_api.get(URL, {"institution": library.pk}),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    assert {r.json()["code"] for r in attempts} == {"not_found"}
    assert other_library_api.get(URL).json()["count"] == 0
    assert _state() == before
    # an unknown id answers the same
    assert other_library_api.get(f"{URL}{sid + 1000}/").status_code == 404


def test_patrons_read_their_library_selections_only(library_api, patron_api, other_library, films):
    sid = _create(library_api)["id"]
    for name in ("streamed", "dvd_only"):
        _add(library_api, sid, films[name])
    (seen,) = patron_api.get(URL).json()["results"]
    # every film the library chose, with what the patron may do: watch it streamed
    assert _titles(seen) == ["Les Glaneurs", "Sur DVD"]
    assert sorted(seen["items"][0]["film"]["media"]) == [Medium.STREAM_HOME, Medium.STREAM_ONSITE]
    assert seen["items"][1]["film"]["media"] == []
    assert patron_api.get(f"{URL}{sid}/").status_code == 200
    item = seen["items"][0]["id"]
    before = _state()
    refused = [
        patron_api.post(URL, {"title": "À moi"}, format="json"),
        patron_api.patch(f"{URL}{sid}/", {"title": "À moi"}, format="json"),
        patron_api.delete(f"{URL}{sid}/"),
        _add(patron_api, sid, films["none"]),
        patron_api.delete(f"{URL}{sid}/items/{item}/"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert _state() == before
    # a patron of another library sees none of it
    stranger = client_for(UserFactory(role=User.Role.PATRON, institution=other_library))
    assert stranger.get(f"{URL}{sid}/").status_code == 404
    assert stranger.get(URL).json()["count"] == 0


def test_cinema_staff_read_every_library_and_change_nothing(
    editor_api, library_api, library, other_library_api, other_library, films
):
    mine = _create(library_api, title="A")["id"]
    _add(library_api, mine, films["streamed"])
    _create(other_library_api, title="B")
    listed = editor_api.get(URL).json()["results"]
    assert [s["institution"] for s in listed] == [library.pk, other_library.pk]
    # every library at once: no one library's rights
    assert listed[0]["items"][0]["film"]["media"] is None
    (one,) = editor_api.get(URL, {"institution": library.pk}).json()["results"]
    assert sorted(one["items"][0]["film"]["media"]) == [Medium.STREAM_HOME, Medium.STREAM_ONSITE]
    detail = editor_api.get(f"{URL}{mine}/").json()
    assert sorted(detail["items"][0]["film"]["media"]) == [
        Medium.STREAM_HOME,
        Medium.STREAM_ONSITE,
    ]
    assert editor_api.get(URL, {"institution": 10**9}).status_code == 404
    before = _state()
    assert editor_api.post(URL, {"title": "Staff"}, format="json").status_code == 403
    assert editor_api.delete(f"{URL}{mine}/").status_code == 403
    assert _add(editor_api, mine, films["dvd_only"]).status_code == 403
    assert _state() == before


def test_anonymous_is_asked_to_log_in(api, library_api):
    sid = _create(library_api)["id"]
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{sid}/").status_code == 401
    assert api.post(URL, {"title": "x"}, format="json").status_code == 401


def test_bad_input_is_refused_with_the_field_and_a_reason(library_api, films):
    sid = _create(library_api)["id"]
    assert _add(library_api, sid, films["streamed"]).status_code == 201
    before = _state()

    response = library_api.post(
        f"{URL}{sid}/items/", {"film": 10**9}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.json()
    assert (response.status_code, body["code"], list(body["fields"])) == (
        400,
        "unknown_film",
        ["film"],
    )
    assert body["detail"] == f"No such film: {10**9}."
    # a proposal only the cinema staff see is no film for a library
    proposed = FilmFactory(status="proposed")
    response = _add(library_api, sid, proposed)
    assert (response.status_code, response.json()["code"]) == (400, "unknown_film")

    response = _add(library_api, sid, films["streamed"])
    body = response.json()
    assert (response.status_code, body["code"], list(body["fields"])) == (
        400,
        "duplicate_item",
        ["film"],
    )
    assert "déjà dans cette sélection" in body["detail"]  # French by default

    for payload in ({"film": "abc"}, {}, {"film": films["dvd_only"].pk, "position": -1}):
        response = library_api.post(f"{URL}{sid}/items/", payload, format="json")
        assert response.status_code == 400
        assert set(response.json()["fields"]) <= {"film", "position"}
    for payload in ({}, {"title": ""}, {"title": "x" * 201}):
        response = library_api.post(URL, payload, format="json")
        assert (response.status_code, list(response.json()["fields"])) == (400, ["title"])
    response = library_api.patch(f"{URL}{sid}/", {"title": ""}, format="json")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["title"])
    assert library_api.get(URL, {"institution": "abc"}).status_code == 400
    assert _state() == before


def test_a_film_is_moved_and_patrons_see_the_new_order(
    library_api, patron_api, other_library_api, films
):
    sid = _create(library_api)["id"]
    for name in ("streamed", "dvd_only", "departmental", "none"):
        _add(library_api, sid, films[name])
    items = {
        item["film"]["title"]: item["id"]
        for item in library_api.get(f"{URL}{sid}/").json()["items"]
    }

    response = library_api.patch(
        f"{URL}{sid}/items/{items['Sans droits']}/", {"position": 0}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert _titles(body) == ["Sans droits", "Les Glaneurs", "Sur DVD", "Pour les BDP"]
    assert [item["position"] for item in body["items"]] == [0, 1, 2, 3]
    # past the end: the last place
    response = library_api.patch(
        f"{URL}{sid}/items/{items['Les Glaneurs']}/", {"position": 40}, format="json"
    )
    assert _titles(response.json()) == ["Sans droits", "Sur DVD", "Pour les BDP", "Les Glaneurs"]
    (seen,) = patron_api.get(URL).json()["results"]
    assert _titles(seen) == ["Sans droits", "Sur DVD", "Pour les BDP", "Les Glaneurs"]
    assert LibrarySelectionItem.history.filter(position=3, film=films["streamed"]).exists()

    before = _state()
    item_url = f"{URL}{sid}/items/{items['Sur DVD']}/"
    for payload in ({}, {"position": -1}, {"position": "premier"}, {"position": 10**20}):
        response = library_api.patch(item_url, payload, format="json")
        assert (response.status_code, list(response.json()["fields"])) == (400, ["position"])
    unknown = library_api.patch(f"{URL}{sid}/items/{10**9}/", {"position": 0}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    theirs = other_library_api.patch(item_url, {"position": 0}, format="json")
    assert (theirs.status_code, theirs.json()["code"]) == (404, "not_found")
    assert patron_api.patch(item_url, {"position": 0}, format="json").status_code == 403
    assert _state() == before


def test_list_costs_a_constant_number_of_queries(library_api, patron_api, editor_api, library):
    films = [FilmFactory() for _ in range(4)]

    def grow_to(size):
        while LibrarySelection.objects.count() < size:
            sid = _create(library_api, title=f"S{LibrarySelection.objects.count()}")["id"]
            for film in films:
                _add(library_api, sid, film)

    def count(client, **query):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, query)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    callers = [
        (library_api, {}),
        (patron_api, {}),
        (editor_api, {}),
        (editor_api, {"institution": library.pk}),
    ]
    grow_to(2)
    small = [count(client, **query) for client, query in callers]
    grow_to(10)
    large = [count(client, **query) for client, query in callers]
    assert [n for n, _ in small] == [n for n, _ in large]
    assert {c for _, c in small} == {2} and {c for _, c in large} == {10}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("add"), st.integers(0, 5), st.one_of(st.none(), st.integers(0, 7))),
            st.tuples(st.just("remove"), st.integers(0, 7), st.none()),
            st.tuples(st.just("move"), st.integers(0, 7), st.integers(0, 8)),
        ),
        max_size=12,
    )
)
def test_adds_moves_and_removes_keep_the_order_and_positions(library, steps):
    """Whatever the sequence of adds (anywhere), moves and removes, the items are the expected
    films in the expected order at positions 0..n-1, each film once."""
    LibrarySelection.objects.all().delete()
    pool = list(Film.objects.order_by("pk")[:6]) or FilmFactory.create_batch(6)
    selection = services.library_selection_create(institution=library, title="H")
    expected: list[int] = []
    for kind, index, position in steps:
        if kind == "add":
            film = pool[index]
            if film.pk in expected:
                with pytest.raises(ApplicationError) as refused:
                    services.library_selection_item_add(selection=selection, film=film.pk)
                assert refused.value.code == "duplicate_item"
                continue
            services.library_selection_item_add(
                selection=selection, film=film.pk, position=position
            )
            at = len(expected) if position is None else min(position, len(expected))
            expected.insert(at, film.pk)
        elif kind == "move" and expected:
            film_id = expected[index % len(expected)]
            item = selection.items.get(film_id=film_id)
            moved = services.library_selection_item_move(
                selection=selection, item_id=item.pk, position=position
            )
            expected.remove(film_id)
            expected.insert(min(position, len(expected)), film_id)
            assert moved.position == expected.index(film_id)
        elif expected:
            film_id = expected[index % len(expected)]
            item = selection.items.get(film_id=film_id)
            services.library_selection_item_remove(selection=selection, item_id=item.pk)
            expected.remove(film_id)
    rows = list(selection.items.order_by("position").values_list("film_id", "position"))
    assert rows == [(film_id, position) for position, film_id in enumerate(expected)]


# --- generated requests on the write paths, as the library's staff ------------------------

library_selection_schema = fuzz.schema.include(path_regex=r"^/api/v1/library-selections/")


@pytest.fixture
def staff_token(library_admin, library, films):
    """A library admin with a selection holding a film (so item paths exist)."""
    selection = services.library_selection_create(institution=library, title="Fuzz")
    services.library_selection_item_add(selection=selection, film=films["streamed"].pk)
    return token_for(library_admin)


@library_selection_schema.parametrize()
@fuzz.fuzzed()
def test_no_server_error_as_library_staff(case, staff_token):
    case.call_and_validate(headers={"Authorization": f"Token {staff_token}"}, checks=fuzz.CHECKS)
