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
