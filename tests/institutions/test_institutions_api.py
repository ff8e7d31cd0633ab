"""Institutions and networks, edited by the cinema staff."""

import datetime

import pytest

from institutions.models import Institution, NetworkMembership

pytestmark = pytest.mark.django_db


def payload(**overrides):
    data = {
        "name": "Médiathèque associative du Panier",
        "code": "BIB-13055-P",
        "kind": "association",
        "commune": "Marseille",
        "department_code": "13",
        "population_served": 12000,
        "dvd_authorised_since": "2017-03-01",
        "ip_ranges": [{"cidr": "192.0.2.0/24", "label": "Wi-Fi public"}],
    }
    data.update(overrides)
    return data


@pytest.mark.embedded
def test_create_library_derives_the_region(editor_api):
    response = editor_api.post("/api/v1/institutions/", payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region_code"] == "93"
    assert body["is_dvd_authorised"] is True
    assert body["ip_ranges"] == [{"cidr": "192.0.2.0/24", "label": "Wi-Fi public"}]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ip_ranges": [{"cidr": "192.0.2.7/24"}]}, "ip_ranges"),
        ({"ip_ranges": [{"cidr": "not-an-ip"}]}, "ip_ranges"),
        ({"department_code": "20"}, "department_code"),
        ({"department_code": "13", "region_code": "11"}, "region_code"),
        ({"kind": "private_club"}, "kind"),
        ({"population_served": -5}, "population_served"),
    ],
)
def test_bad_institution_is_refused_and_nothing_written(editor_api, overrides, field):
    response = editor_api.post("/api/v1/institutions/", payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Institution.objects.filter(code="BIB-13055-P").exists()


def test_library_staff_cannot_create_or_edit(library_api, library):
    assert library_api.post("/api/v1/institutions/", payload(), format="json").status_code == 403
    response = library_api.patch(f"/api/v1/institutions/{library.pk}/", {"name": "Renamed"})
    assert response.status_code == 403


@pytest.mark.embedded
def test_network_membership_is_dated(editor_api, network, other_library):
    url = f"/api/v1/institutions/{network.pk}/members/"
    response = editor_api.post(
        url, {"library": other_library.pk, "joined_on": "2017-06-01"}, format="json"
    )
    assert response.status_code == 201
    assert (
        editor_api.post(url, {"library": other_library.pk}, format="json").json()["code"]
        == "already_member"
    )
    response = editor_api.post(
        f"{url}end/", {"library": other_library.pk, "left_on": "2018-01-01"}, format="json"
    )
    assert response.status_code == 204
    membership = NetworkMembership.objects.get(network=network, library=other_library)
    assert membership.left_on == datetime.date(2018, 1, 1)


def test_a_library_is_not_a_network(editor_api, library, other_library):
    response = editor_api.post(
        f"/api/v1/institutions/{library.pk}/members/", {"library": other_library.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_network"


def test_edit_replaces_ip_ranges(editor_api, library):
    response = editor_api.patch(
        f"/api/v1/institutions/{library.pk}/",
        {"ip_ranges": [{"cidr": "2001:db8::/32", "label": "IPv6"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [r.cidr for r in library.ip_ranges.all()] == ["2001:db8::/32"]


def test_history_records_who_changed_what(editor_api, editor, library):
    editor_api.patch(f"/api/v1/institutions/{library.pk}/", {"dvd_suspended": True}, format="json")
    record = library.history.first()
    assert record.history_user == editor
    assert record.dvd_suspended is True
