"""An institution's private data is readable by its own staff and by the cinema staff
only; for anyone else it does not exist (404, so ids are not revealed)."""

import pytest

from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

#: Every endpoint that exposes an institution's private data, as a format string of the
#: institution's id. Each capability that adds one (orders, subscriptions, patrons,
#: invoices, statistics) adds it here so the cross-institution test covers it.
PRIVATE_ENDPOINTS = [
    "/api/v1/institutions/{id}/users/",
    "/api/v1/institutions/{id}/dvd-orders/",
    "/api/v1/stats/views/?institution={id}",
    "/api/v1/stats/screenings/?institution={id}",
    "/api/v1/stats/orders/?institution={id}",
    "/api/v1/stats/home-areas/?institution={id}",
    "/api/v1/stats/charts/monthly/?institution={id}",
    "/api/v1/stats/charts/home-areas/?institution={id}",
    "/api/v1/reports/counter/title-requests/?institution={id}",
    "/api/v1/leaving-soon/?institution={id}",
    "/api/v1/records/updates/?institution={id}",
    "/api/v1/records/?institution={id}",
    "/api/v1/institutions/{id}/record-settings/",
    "/api/v1/institutions/{id}/sushi-credentials/",
]


@pytest.fixture(autouse=True)
def _streaming_subscriber(library):
    """The library subscribes to the platform (catalogue records are for subscribers)."""
    from tests.records.conftest import subscribe

    return subscribe(library)


@pytest.mark.parametrize("url", PRIVATE_ENDPOINTS)
def test_own_staff_reads_private_data(library_api, library, url):
    assert library_api.get(url.format(id=library.pk)).status_code == 200


@pytest.mark.parametrize("url", PRIVATE_ENDPOINTS)
def test_other_library_is_refused_with_404(other_library_api, library, url):
    response = other_library_api.get(url.format(id=library.pk))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("url", PRIVATE_ENDPOINTS)
def test_patrons_do_not_read_their_library_private_data(patron_api, library, url):
    assert patron_api.get(url.format(id=library.pk)).status_code == 404


@pytest.mark.parametrize("url", PRIVATE_ENDPOINTS)
def test_anonymous_is_asked_to_log_in(api, library, url):
    assert api.get(url.format(id=library.pk)).status_code == 401


@pytest.mark.parametrize("url", PRIVATE_ENDPOINTS)
def test_cinema_staff_read_any_institution(editor_api, library, url):
    assert editor_api.get(url.format(id=library.pk)).status_code == 200


def test_users_list_shows_only_the_institution_accounts(
    library_api, library, library_admin, patron, other_library_admin
):
    body = library_api.get(f"/api/v1/institutions/{library.pk}/users/").json()
    usernames = {u["username"] for u in body["results"]}
    assert usernames == {library_admin.username, patron.username}
    assert "email" not in body["results"][0]


def test_institution_list_is_scoped(library_api, library, network, other_library):
    body = library_api.get("/api/v1/institutions/").json()
    assert {i["id"] for i in body["results"]} == {library.pk, network.pk}


def test_other_institution_detail_is_404(library_api, other_library):
    assert library_api.get(f"/api/v1/institutions/{other_library.pk}/").status_code == 404


def test_network_staff_see_their_members(network, library, other_library):
    from accounts.models import User
    from tests.conftest import client_for
    from tests.factories import UserFactory

    admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)
    client = client_for(admin)
    members = client.get(f"/api/v1/institutions/{network.pk}/members/").json()
    assert [m["id"] for m in members["results"]] == [library.pk]
    assert client.get(f"/api/v1/institutions/{other_library.pk}/").status_code == 404


def test_cinema_staff_list_every_institution(editor_api, library, other_library, network):
    InstitutionFactory()
    assert editor_api.get("/api/v1/institutions/").json()["count"] == 4


def test_the_institution_serializer_fails_closed(library):
    """Without the reader's scope in its context (a new view, a nested use), the
    serializer leaves the private details out instead of showing them."""
    from institutions.apis import InstitutionSerializer

    library.email = "contact@mediatheque.example"
    library.save()
    data = InstitutionSerializer(library).data
    private = {*InstitutionSerializer.PRIVATE_FIELDS, "ip_ranges"}
    assert private & set(data) == set()
    assert (data["id"], data["name"]) == (library.pk, library.name)
    assert InstitutionSerializer(library, context={"private_ids": {library.pk}}).data["email"] == (
        "contact@mediatheque.example"
    )


def test_the_cinema_staff_read_what_they_wrote(editor_api, library):
    response = editor_api.patch(
        f"/api/v1/institutions/{library.pk}/", {"email": "nouvelle@example.org"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["email"] == "nouvelle@example.org"
