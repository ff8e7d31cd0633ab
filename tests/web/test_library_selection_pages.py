"""The back office's selection pages: create a selection, add films by reference at a
position (refusals on the field), take one out, rename, delete; each film with the media
the library may use it on (the rights engine); another library's selection is a 404."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import LibrarySelection
from editorial.services import library_selection_create, library_selection_item_add
from rights.models import Medium
from tests.editorial.conftest import film_with
from tests.factories import FilmFactory
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db


def post(client, url, data, *, token_from=None):
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(client, token_from or url), **data})


def test_a_selection_is_made_in_order_and_shows_what_the_library_may_do(staff_web, library):
    first = film_with(Medium.DVD, title="Premier", reference="CN-000101")
    second = FilmFactory(title="Second", reference="CN-000102")
    created = post(staff_web, "/bibliotheque/selections/", {"title": "Coups de cœur"})
    assert created.status_code == 302
    selection = LibrarySelection.objects.get(institution=library)
    url = created["Location"]
    assert post(staff_web, url, {"action": "add", "reference": "cn-000101"}).status_code == 302
    added = post(
        staff_web,
        url,
        {"action": "add", "reference": "CN-000102", "position": "1", "note": "À voir"},
    )
    assert added.status_code == 302
    assert [i.film_id for i in selection.items.order_by("position")] == [second.pk, first.pk]
    page = unescape(staff_web.get(url).content.decode())
    assert page.index("Second") < page.index("Premier")
    assert "Votre bibliothèque peut l'utiliser : DVD" in page
    assert "N'est plus utilisable par votre bibliothèque" in page  # the film without rights


def test_refusals_are_on_the_reference_field(staff_web, library):
    film = FilmFactory(reference="CN-000201")
    proposal = FilmFactory(reference="CN-000202", status="proposed")
    selection = library_selection_create(institution=library, title="S")
    library_selection_item_add(selection=selection, film=film.pk)
    url = f"/bibliotheque/selections/{selection.pk}/"
    for reference in ("CN-000201", "CN-000202", "CN-999999"):
        response = post(staff_web, url, {"action": "add", "reference": reference})
        assert response.status_code in (400, 409), reference
        assert 'id="id_reference-error"' in response.content.decode()
    assert selection.items.count() == 1
    assert proposal.pk not in selection.items.values_list("film_id", flat=True)


def test_take_out_rename_and_delete(staff_web, library):
    film = FilmFactory()
    selection = library_selection_create(institution=library, title="Avant")
    item = library_selection_item_add(selection=selection, film=film.pk)
    url = f"/bibliotheque/selections/{selection.pk}/"
    assert post(staff_web, url, {"action": "remove", "item": item.pk}).status_code == 302
    assert selection.items.count() == 0
    assert (
        post(staff_web, url, {"action": "edit", "title": "Après", "description": ""}).status_code
        == 302
    )
    selection.refresh_from_db()
    assert selection.title == "Après"
    empty = post(staff_web, url, {"action": "edit", "title": ""})
    assert empty.status_code == 400 and 'id="id_title-error"' in empty.content.decode()
    assert post(staff_web, url + "supprimer", {}, token_from=url).status_code == 302
    assert not LibrarySelection.objects.filter(pk=selection.pk).exists()


def test_another_librarys_selection_is_not_found(staff_web, other_library):
    theirs = library_selection_create(institution=other_library, title="La leur")
    assert staff_web.get(f"/bibliotheque/selections/{theirs.pk}/").status_code == 404
    assert "La leur" not in staff_web.get("/bibliotheque/selections/").content.decode()
    deleted = post(
        staff_web,
        f"/bibliotheque/selections/{theirs.pk}/supprimer",
        {},
        token_from="/bibliotheque/selections/",
    )
    assert deleted.status_code == 404 and LibrarySelection.objects.filter(pk=theirs.pk).exists()


def test_the_pages_cost_the_same_queries_with_more_films(staff_web, library):
    selection = library_selection_create(institution=library, title="S")
    library_selection_item_add(selection=selection, film=FilmFactory().pk)

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert staff_web.get(url).status_code == 200
        return len(captured)

    urls = ["/bibliotheque/selections/", f"/bibliotheque/selections/{selection.pk}/"]
    few = [count(url) for url in urls]
    for _ in range(3):
        library_selection_item_add(selection=selection, film=FilmFactory().pk)
    library_selection_create(institution=library, title="T")
    assert [count(url) for url in urls] == few


def _selection_of(library, titles):
    selection = library_selection_create(institution=library, title="Ordre")
    items = [
        library_selection_item_add(selection=selection, film=FilmFactory(title=title).pk)
        for title in titles
    ]
    return selection, items


def _order(selection):
    return list(selection.items.order_by("position").values_list("film__title", "position"))


def test_a_film_moves_up_and_down_without_javascript_and_patrons_see_the_new_order(
    staff_web, library, patron_api
):
    selection, (first, second, third) = _selection_of(library, ["Un", "Deux", "Trois"])
    url = f"/bibliotheque/selections/{selection.pk}/"
    up = post(staff_web, url, {"action": "move", "item": third.pk, "direction": "up"})
    assert up.status_code == 302
    assert up["Location"] == f"{url}#selection-item-{third.pk}"
    assert _order(selection) == [("Un", 0), ("Trois", 1), ("Deux", 2)]
    page = unescape(staff_web.get(url).content.decode())
    assert "« Trois » est maintenant à la place 2 sur 3." in page
    assert page.index(">Un<") < page.index(">Trois<") < page.index(">Deux<")
    # the first film has no "up", the last no "down"
    assert f'id="move-up-{first.pk}"' not in page and f'id="move-down-{first.pk}"' in page
    assert f'id="move-down-{second.pk}"' not in page and f'id="move-up-{second.pk}"' in page
    down = post(staff_web, url, {"action": "move", "item": first.pk, "direction": "down"})
    assert down.status_code == 302
    assert _order(selection) == [("Trois", 0), ("Un", 1), ("Deux", 2)]
    # the library's patrons read the selection in that order
    (seen,) = patron_api.get("/api/v1/library-selections/").json()["results"]
    assert [item["film"]["title"] for item in seen["items"]] == ["Trois", "Un", "Deux"]


def test_under_htmx_a_move_answers_the_list_with_the_button_focused_again(staff_web, library):
    selection, (_first, second, third) = _selection_of(library, ["Un", "Deux", "Trois"])
    url = f"/bibliotheque/selections/{selection.pk}/"
    token = csrf_of(staff_web, url)

    def move(item, direction):
        return staff_web.post(
            url,
            {
                "csrfmiddlewaretoken": token,
                "action": "move",
                "item": item.pk,
                "direction": direction,
            },
            HTTP_HX_REQUEST="true",
        )

    answer = move(second, "down")
    assert answer.status_code == 200
    part = unescape(answer.content.decode())
    assert part.lstrip().startswith('<div id="selection-films">')
    assert "<main" not in part  # the list only
    assert _order(selection) == [("Un", 0), ("Trois", 1), ("Deux", 2)]
    # now last: its "down" is gone, so its "up" takes the focus
    assert f'id="move-up-{second.pk}" autofocus' in part
    assert 'hx-swap-oob="true">« Deux » est maintenant à la place 3 sur 3.</p>' in part
    part = unescape(move(third, "up").content.decode())
    assert f'id="move-down-{third.pk}" autofocus' in part  # first now: "down" focused
    assert _order(selection) == [("Trois", 0), ("Un", 1), ("Deux", 2)]


def test_a_bad_move_is_refused_and_changes_nothing(staff_web, library, other_library):
    selection, (first, second) = _selection_of(library, ["Un", "Deux"])
    theirs, (their_item,) = _selection_of(other_library, ["Le leur"])
    url = f"/bibliotheque/selections/{selection.pk}/"
    for data in (
        {"item": second.pk, "direction": "sideways"},
        {"item": "abc", "direction": "up"},
        {"item": str(10**20), "direction": "up"},
        {"item": their_item.pk, "direction": "up"},  # another selection's film
        {"direction": "up"},
    ):
        response = post(staff_web, url, {"action": "move", **data})
        assert response.status_code == 404, data
    other = post(
        staff_web,
        f"/bibliotheque/selections/{theirs.pk}/",
        {"action": "move", "item": their_item.pk, "direction": "down"},
        token_from=url,
    )
    assert other.status_code == 404
    # the first film moved up stays first
    assert (
        post(staff_web, url, {"action": "move", "item": first.pk, "direction": "up"}).status_code
        == 302
    )
    assert _order(selection) == [("Un", 0), ("Deux", 1)]
    assert _order(theirs) == [("Le leur", 0)]


def test_a_move_costs_the_same_queries_with_more_films(staff_web, library):
    selection, items = _selection_of(library, ["A", "B"])
    url = f"/bibliotheque/selections/{selection.pk}/"
    token = csrf_of(staff_web, url)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = staff_web.post(
                url,
                {
                    "csrfmiddlewaretoken": token,
                    "action": "move",
                    "item": items[0].pk,
                    "direction": "down",
                },
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200
        return len(captured)

    few = count()  # A moves after B
    for title in ("C", "D", "E"):
        library_selection_item_add(selection=selection, film=FilmFactory(title=title).pk)
    items[0].refresh_from_db()
    assert items[0].position == 1
    assert count() == few  # A moves after C: B, C, A, D, E — two rows change, as before
