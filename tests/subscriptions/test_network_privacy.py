"""A network's member libraries share its subscription, not each other's private data:
another member's contact, DVD standing and on-site networks, its bookings in the shared
credit ledger, and the network's invoices stay out of a member's (or a patron's) view,
while the network's own staff and the cinema staff see them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from institutions.models import OnSiteIPRange
from subscriptions.services import billing
from subscriptions.services.screenings import booking_create
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.conftest import client_for
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.subscriptions.conftest import screenable_film

PRIVATE = {"email", "dvd_authorised_since", "dvd_suspended", "dvd_suspension_reason", "ip_ranges"}


@pytest.fixture
def sibling(network):
    """Another library of the same network, with private details."""
    library = InstitutionFactory(
        email="direction@soeur.example",
        dvd_suspended=True,
        dvd_suspension_reason="Impayés 2023, contentieux en cours",
    )
    MembershipFactory(network=network, library=library)
    OnSiteIPRange.objects.create(institution=library, cidr="192.0.2.0/24", label="salle")
    return library


@pytest.fixture
def network_api(network):
    return client_for(UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network))


def _members(client, network) -> dict[int, dict]:
    response = client.get(f"/api/v1/institutions/{network.pk}/members/")
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def test_a_member_sees_the_other_members_public_details_only(
    library_api, library, network, sibling
):
    rows = _members(library_api, network)
    assert rows[sibling.pk]["name"] == sibling.name
    assert not PRIVATE & rows[sibling.pk].keys()
    assert PRIVATE <= rows[library.pk].keys()  # its own, in full
    assert library_api.get(f"/api/v1/institutions/{sibling.pk}/").status_code == 404
    network_row = library_api.get(f"/api/v1/institutions/{network.pk}/").json()
    assert not PRIVATE & network_row.keys()


def test_the_network_and_the_cinema_staff_see_the_members_in_full(
    network_api, editor_api, network, sibling
):
    for client in (network_api, editor_api):
        row = _members(client, network)[sibling.pk]
        assert row["dvd_suspension_reason"] == "Impayés 2023, contentieux en cours"
        assert row["ip_ranges"] == [{"cidr": "192.0.2.0/24", "label": "salle"}]
        assert row["email"] == "direction@soeur.example"


def test_a_patron_sees_public_details_only_even_of_the_own_library(patron_api, library, network):
    OnSiteIPRange.objects.create(institution=library, cidr="198.51.100.0/24", label="wifi")
    own = patron_api.get(f"/api/v1/institutions/{library.pk}/").json()
    assert own["name"] == library.name
    assert not PRIVATE & own.keys()
    listed = patron_api.get("/api/v1/institutions/").json()["results"]
    assert {row["id"] for row in listed} == {library.pk, network.pk}
    assert all(not PRIVATE & row.keys() for row in listed)


def _book(library, by):
    return booking_create(
        library=library,
        film=screenable_film(),
        starts_at=timezone.now() + datetime.timedelta(days=10),
        venue="Salle",
        expected_audience=10,
        booked_by=by,
    )


def test_the_shared_ledger_hides_which_other_member_booked(
    library_api, library_admin, library, network_api, network, sibling, platform, today
):
    subscription = subscription_activate(
        subscription=subscription_quote_create(subscriber=network, plan=platform, starts_on=today)
    )
    theirs = _book(sibling, UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=sibling))
    mine = _book(library, library_admin)

    seen = library_api.get(f"/api/v1/subscriptions/{subscription.pk}/credits/").json()
    booked = [entry["booking"] for entry in seen["entries"] if entry["kind"] == "booking"]
    assert sorted(booked, key=str) == sorted([mine.pk, None], key=str)
    # every movement is there, so the balance is still their sum
    assert seen["balance"] == sum(entry["quantity"] for entry in seen["entries"])

    full = network_api.get(f"/api/v1/subscriptions/{subscription.pk}/credits/").json()
    assert {e["booking"] for e in full["entries"] if e["kind"] == "booking"} == {
        mine.pk,
        theirs.pk,
    }
    assert full["balance"] == seen["balance"]


def test_a_networks_invoices_are_the_networks(
    library_api, network_api, editor_api, network, platform, today
):
    quote = subscription_quote_create(subscriber=network, plan=platform, starts_on=today)
    started = billing.subscription_payment_start(
        subscription=quote,
        payment_method="administrative_invoice",
        purchase_order_reference="BC-NET-42",
    )
    invoice = started.subscription.invoices.get()
    assert library_api.get("/api/v1/invoices/").json()["count"] == 0
    assert library_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 404
    for client in (network_api, editor_api):
        listed = client.get("/api/v1/invoices/").json()
        assert [row["id"] for row in listed["results"]] == [invoice.pk]
    assert network_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 200
