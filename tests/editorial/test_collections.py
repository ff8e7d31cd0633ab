"""Editorial collections: who sees which collection, and which films inside it; the
editors' order; publication windows; history; refusals in French and English."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from editorial.models import Collection, CollectionItem
from institutions.models import Institution
from rights.models import Medium
from tests.conftest import client_for
from tests.editorial.conftest import create_collection, day, film_with
from tests.factories import (
    FilmFactory,
    InstitutionFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _titles(collection):
    return [item["film"]["title"] for item in collection["items"]]


@pytest.mark.embedded
def test_library_and_patron_see_only_the_films_their_library_may_use(
    editor_api, library_api, patron_api, films
):
    order = [films["none"], films["departmental"], films["dvd_only"], films["streamed"]]
    created = create_collection(editor_api, order)
    # the editors see every item, in their order
    assert _titles(created) == ["Sans droits", "Pour les BDP", "Sur DVD", "Les Glaneurs"]
    assert [item["position"] for item in created["items"]] == [0, 1, 2, 3]

    (seen,) = library_api.get("/api/v1/collections/").json()["results"]
    # a municipal library: the DVD and the streamed film, not the departmental one
    assert _titles(seen) == ["Sur DVD", "Les Glaneurs"]
    assert seen["items"][0]["film"]["media"] == [Medium.DVD]
    assert set(seen["items"][1]["film"]["media"]) == {Medium.STREAM_HOME, Medium.STREAM_ONSITE}
    assert seen["items"][1]["film"]["directors"] == [
        {"id": films["streamed"].directors.get().pk, "name": "Agnès Varda"}
    ]
    # a patron watches: only what the library may stream
    (for_patron,) = patron_api.get("/api/v1/collections/").json()["results"]
    assert _titles(for_patron) == ["Les Glaneurs"]


def test_departmental_library_sees_its_own_rights(editor_api, films):
    create_collection(editor_api, [films["departmental"], films["streamed"]])
    bdp = InstitutionFactory(kind=Institution.Kind.DEPARTMENTAL)
    client = client_for(UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=bdp))
    (seen,) = client.get("/api/v1/collections/").json()["results"]
    assert _titles(seen) == ["Pour les BDP", "Les Glaneurs"]
    # the cinema staff preview what a given library sees; others may not name one
    (preview,) = editor_api.get(f"/api/v1/collections/?institution={bdp.pk}").json()["results"]
    assert _titles(preview) == ["Pour les BDP", "Les Glaneurs"]
    library_api = client_for(UserFactory(role=User.Role.INSTITUTION_ADMIN))
    assert library_api.get(f"/api/v1/collections/?institution={bdp.pk}").status_code == 404


def test_only_published_collections_are_listed(editor_api, library_api, films):
    streamed = [films["streamed"]]
    windows = {
        "current": (day(-10), None),
        "ends today": (day(-10), day(0)),
        "starts today": (day(0), day(5)),
        "ended": (day(-10), day(-1)),
        "future": (day(1), None),
        "draft": (None, None),
    }
    for title, (start, end) in windows.items():
        create_collection(
            editor_api,
            streamed,
            title=title,
            published_from=start and start.isoformat(),
            published_until=end and end.isoformat(),
        )
    listed = {c["title"] for c in library_api.get("/api/v1/collections/").json()["results"]}
    assert listed == {"current", "ends today", "starts today"}
    assert editor_api.get("/api/v1/collections/").json()["count"] == 6
    hidden = Collection.objects.get(title="future")
    assert library_api.get(f"/api/v1/collections/{hidden.pk}/").status_code == 404
    shown = Collection.objects.get(title="current")
    assert library_api.get(f"/api/v1/collections/{shown.pk}/").status_code == 200


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    start=st.one_of(st.none(), st.integers(-5, 5)),
    length=st.one_of(st.none(), st.integers(0, 6)),
)
def test_publication_window_rule(editor, library_admin, start, length):
    """Published today exactly when it started on or before today and has not ended."""
    Collection.objects.all().delete()
    editor_api, library_api = client_for(editor), client_for(library_admin)
    end = None if start is None or length is None else start + length
    created = create_collection(
        editor_api,
        [],
        published_from=None if start is None else day(start).isoformat(),
        published_until=None if end is None else day(end).isoformat(),
    )
    expected = start is not None and start <= 0 and (end is None or end >= 0)
    listed = [c["id"] for c in library_api.get("/api/v1/collections/").json()["results"]]
    assert listed == ([created["id"]] if expected else [])


def test_list_costs_a_constant_number_of_queries(editor_api, library_api, films):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = library_api.get("/api/v1/collections/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    coming = FilmFactory(status="in_acquisition")
    create_collection(editor_api, [films["streamed"], films["dvd_only"]])
    create_collection(editor_api, [coming], title="Acquisitions", kind="acquisitions")
    small = count()
    for index in range(5):
        many = [film_with(Medium.STREAM_HOME) for _ in range(6)] + [films["streamed"]]
        create_collection(editor_api, many, title=f"Thème {index}")
        announced = [*many[:3], FilmFactory(status="in_acquisition")]
        create_collection(editor_api, announced, title=f"Acquisitions {index}", kind="acquisitions")
    large = count()
    assert large[1] == 12
    assert large[0] == small[0]


def test_acquisitions_in_progress_announce_films_being_acquired(editor_api, patron_api, films):
    coming = FilmFactory(title="En acquisition", status="in_acquisition")
    proposed = FilmFactory(title="Proposé", status="proposed")
    create_collection(editor_api, [coming, proposed, films["streamed"]], kind="acquisitions")
    create_collection(editor_api, [coming, films["streamed"]], kind="favourites", title="Autre")
    seen = {c["kind"]: _titles(c) for c in patron_api.get("/api/v1/collections/").json()["results"]}
    assert seen == {
        "acquisitions": ["En acquisition", "Les Glaneurs"],
        "favourites": ["Les Glaneurs"],
    }


def test_items_are_added_moved_removed_and_the_history_says_who(editor_api, editor, films):
    created = create_collection(editor_api, [films["streamed"], films["dvd_only"]])
    url = f"/api/v1/collections/{created['id']}/"
    added = editor_api.post(
        url + "items/", {"film": films["none"].pk, "position": 0, "note": "À voir"}, format="json"
    )
    assert added.status_code == 201
    assert _titles(added.json()) == ["Sans droits", "Les Glaneurs", "Sur DVD"]
    assert added.json()["items"][0]["note"] == "À voir"
    middle = added.json()["items"][1]["id"]
    assert editor_api.delete(f"{url}items/{middle}/").status_code == 204
    after = editor_api.get(url).json()
    assert _titles(after) == ["Sans droits", "Sur DVD"]
    assert [item["position"] for item in after["items"]] == [0, 1]
    # reorder by sending the whole list
    response = editor_api.patch(
        url,
        {"items": [{"film": films["dvd_only"].pk}, {"film": films["none"].pk}], "title": "Nouveau"},
        format="json",
    )
    assert response.status_code == 200
    assert _titles(response.json()) == ["Sur DVD", "Sans droits"]
    history = editor_api.get(url + "history/").json()
    assert {entry["who"] for entry in history} == {editor.username}
    changes = [(e["object"], e["change"]) for e in history]
    assert ("collection", "created") in changes and ("collection", "changed") in changes
    assert ("item", "deleted") in changes
    renamed = next(e for e in history if e["object"] == "collection" and e["change"] == "changed")
    assert {"field": "title", "before": "Coups de cœur", "after": "Nouveau"} in renamed["changes"]
    assert editor_api.delete(url).status_code == 204
    assert not CollectionItem.objects.exists()


def test_theme_and_director_collections_name_their_subject(editor_api, library_api, films):
    theme, person = ThemeFactory(), PersonFactory()
    themed = create_collection(editor_api, [films["streamed"]], kind="theme", theme=theme.pk)
    portrait = create_collection(
        editor_api, [films["streamed"]], kind="director_portrait", person=person.pk
    )
    assert (themed["theme"], portrait["person"]) == (theme.pk, person.pk)
    portraits = library_api.get("/api/v1/collections/?kind=director_portrait").json()
    assert [c["id"] for c in portraits["results"]] == [portrait["id"]]
    assert library_api.get("/api/v1/collections/?kind=western").status_code == 400


def _refused(client, body, *, code, field, lang="fr", url="/api/v1/collections/", method="post"):
    before = (Collection.objects.count(), CollectionItem.objects.count())
    response = getattr(client, method)(url, body, format="json", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert (Collection.objects.count(), CollectionItem.objects.count()) == before
    return response.json()["detail"]


def test_bad_input_is_refused_in_french_and_english(editor_api, films):
    base = {"kind": "favourites", "title": "X", "published_from": day(0).isoformat()}
    unknown = {**base, "items": [{"film": 999_999}]}
    assert _refused(editor_api, unknown, code="unknown_film", field="items") == (
        "Film inconnu : 999999."
    )
    assert (
        _refused(editor_api, unknown, code="unknown_film", field="items", lang="en")
        == "No such film: 999999."
    )
    twice = {**base, "items": [{"film": films["streamed"].pk}, {"film": films["streamed"].pk}]}
    assert "déjà" in _refused(editor_api, twice, code="duplicate_item", field="items")
    assert "already" in _refused(editor_api, twice, code="duplicate_item", field="items", lang="en")
    backwards = {**base, "published_until": day(-1).isoformat()}
    assert _refused(
        editor_api, backwards, code="invalid_publication_window", field="published_until"
    ) == ("La publication se termine avant de commencer.")
    assert _refused(
        editor_api,
        backwards,
        code="invalid_publication_window",
        field="published_until",
        lang="en",
    ) == ("The publication ends before it starts.")
    _refused(editor_api, {**base, "kind": "theme"}, code="theme_required", field="theme")
    _refused(
        editor_api,
        {**base, "kind": "director_portrait", "person": 999_999},
        code="unknown_person",
        field="person",
    )
    _refused(editor_api, {**base, "kind": "nope"}, code="validation_error", field="kind")

    created = create_collection(editor_api, [films["streamed"]])
    url = f"/api/v1/collections/{created['id']}/"
    _refused(
        editor_api,
        {"film": films["streamed"].pk},
        code="duplicate_item",
        field="film",
        url=url + "items/",
    )
    _refused(editor_api, {"film": 999_999}, code="unknown_film", field="film", url=url + "items/")
    _refused(
        editor_api,
        {"published_until": day(-5).isoformat()},
        code="invalid_publication_window",
        field="published_until",
        url=url,
        method="patch",
    )
    assert editor_api.delete(url + "items/999999/").status_code == 404


def test_only_the_cinema_staff_write(library_api, patron_api, api, films):
    body = {"kind": "favourites", "title": "X"}
    assert library_api.post("/api/v1/collections/", body, format="json").status_code == 403
    assert patron_api.post("/api/v1/collections/", body, format="json").status_code == 403
    assert api.post("/api/v1/collections/", body, format="json").status_code == 401
    assert api.get("/api/v1/collections/").status_code == 401
    assert not Collection.objects.exists()
