"""Subscriptions: quote → payment → active, invoices, renewal, reminders, coverage."""

import datetime

import pytest
from django.core import mail

from accounts.models import User
from subscriptions.models import Invoice, RenewalReminder, ScreeningCreditEntry, Subscription
from subscriptions.services.subscriptions import renewal_reminders_send, subscription_activate
from tests.conftest import client_for
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def quote(client, subscriber, plan, starts_on):
    return client.post(
        "/api/v1/subscriptions/",
        {"subscriber": subscriber.pk, "plan": plan.pk, "starts_on": starts_on.isoformat()},
        format="json",
    )


def test_quote_snapshots_the_price(library_api, library, platform, today):
    response = quote(library_api, library, platform, today)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "quote"
    assert (body["price_excl_vat"], body["price_incl_vat"]) == ("600.00", "720.00")
    assert (
        body["ends_on"]
        == (today.replace(year=today.year + 1) - datetime.timedelta(days=1)).isoformat()
    )


def test_only_an_admin_of_the_subscriber_commits(library, other_library, platform, today):
    member = client_for(UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library))
    assert quote(member, library, platform, today).status_code == 403
    admin = client_for(UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=library))
    assert quote(admin, other_library, platform, today).status_code == 404
    assert not Subscription.objects.exists()


def test_plan_of_another_year_is_refused(library_api, library, next_grid, today, grid):
    plan = next_grid.plans.get(code="platform")
    response = quote(library_api, library, plan, today)
    assert response.status_code == 400
    assert response.json()["code"] == "plan_not_in_grid"


@pytest.mark.embedded
def test_administrative_invoice_flow(library_api, editor_api, library, platform, today):
    subscription_id = quote(library_api, library, platform, today).json()["id"]
    response = library_api.post(
        f"/api/v1/subscriptions/{subscription_id}/request-payment/",
        {"payment_method": "administrative_invoice", "purchase_order_reference": "BC-2026-17"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "awaiting_payment"
    invoices = library_api.get("/api/v1/invoices/").json()["results"]
    assert len(invoices) == 1
    invoice = invoices[0]
    assert invoice["number"] == f"{today.year}-00001"
    assert invoice["amount_incl_vat"] == "720.00"
    assert invoice["purchase_order_reference"] == "BC-2026-17"
    pdf = library_api.get(f"/api/v1/invoices/{invoice['id']}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # only the staff mark it paid; then the subscription is active with its allowance
    assert (
        library_api.post(
            f"/api/v1/invoices/{invoice['id']}/mark-paid/", {"paid_on": today.isoformat()}
        ).status_code
        == 403
    )
    paid = editor_api.post(
        f"/api/v1/invoices/{invoice['id']}/mark-paid/", {"paid_on": today.isoformat()}
    )
    assert paid.status_code == 200
    credits = library_api.get(f"/api/v1/subscriptions/{subscription_id}/credits/").json()
    assert credits["balance"] == platform.screenings_per_year
    assert Subscription.objects.get(pk=subscription_id).status == "active"
    again = editor_api.post(
        f"/api/v1/invoices/{invoice['id']}/mark-paid/", {"paid_on": today.isoformat()}
    )
    assert again.status_code == 409
    assert ScreeningCreditEntry.objects.count() == 1


def test_invoice_numbers_are_gap_free_per_year(editor_api, platform, pack3, today):
    numbers = []
    for _ in range(3):
        subscriber = InstitutionFactory()
        sid = quote(editor_api, subscriber, pack3, today).json()["id"]
        editor_api.post(
            f"/api/v1/subscriptions/{sid}/request-payment/",
            {"payment_method": "administrative_invoice"},
            format="json",
        )
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2, 3]


def test_overlapping_subscription_is_refused(library_api, library, platform, today):
    first = quote(library_api, library, platform, today).json()["id"]
    subscription_activate(subscription=Subscription.objects.get(pk=first))
    response = quote(library_api, library, platform, today + datetime.timedelta(days=30))
    assert response.status_code == 409
    assert response.json()["code"] == "overlapping_subscription"


def test_renewal_uses_the_next_year_grid_once(library_api, library, platform, next_grid, today):
    sid = quote(library_api, library, platform, today.replace(month=1, day=1)).json()["id"]
    subscription_activate(subscription=Subscription.objects.get(pk=sid))
    response = library_api.post(f"/api/v1/subscriptions/{sid}/renew/")
    assert response.status_code == 201, response.content
    renewal = Subscription.objects.get(pk=response.json()["id"])
    assert renewal.plan.grid == next_grid
    assert renewal.starts_on == datetime.date(today.year + 1, 1, 1)
    assert renewal.previous_id == sid
    assert (
        library_api.post(f"/api/v1/subscriptions/{sid}/renew/").json()["code"] == "already_renewed"
    )


def test_cannot_cancel_twice(library_api, library, platform, today):
    sid = quote(library_api, library, platform, today).json()["id"]
    assert library_api.post(f"/api/v1/subscriptions/{sid}/cancel/").status_code == 200
    response = library_api.post(f"/api/v1/subscriptions/{sid}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_transition"


def test_renewal_reminders_60_30_7_days_once_each(library, library_admin, platform, today):
    library_admin.email = "admin@bib.example.org"
    library_admin.save()
    start = datetime.date(2025, 3, 1)
    subscription = Subscription.objects.create(
        subscriber=library,
        plan=platform,
        starts_on=start,
        ends_on=datetime.date(2026, 2, 28),
        status=Subscription.Status.ACTIVE,
        population_served=1,
        price_excl_vat=1,
        vat_rate=0,
        price_incl_vat=1,
    )
    end = subscription.ends_on
    sent = []
    for days_before in range(75, -1, -1):
        sent.append(renewal_reminders_send(today=end - datetime.timedelta(days=days_before)))
        renewal_reminders_send(today=end - datetime.timedelta(days=days_before))  # twice a day
    assert sum(sent) == 3
    assert sorted(RenewalReminder.objects.values_list("days_before", flat=True)) == [7, 30, 60]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == ["admin@bib.example.org"]


def test_network_subscription_covers_members_from_the_day_they_join(
    editor_api, network, library, platform, today
):
    sid = quote(editor_api, network, platform, today.replace(month=1, day=1)).json()["id"]
    late = InstitutionFactory(name="Nouvelle médiathèque")
    joined = today.replace(month=1, day=1) + datetime.timedelta(days=40)
    MembershipFactory(network=network, library=late, joined_on=joined)
    url = f"/api/v1/subscriptions/{sid}/libraries/"
    before = editor_api.get(url, {"on": (joined - datetime.timedelta(days=1)).isoformat()}).json()
    after = editor_api.get(url, {"on": joined.isoformat()}).json()
    assert {lib["id"] for lib in before["results"]} == {library.pk}
    assert {lib["id"] for lib in after["results"]} == {library.pk, late.pk}


def test_member_library_sees_its_network_subscription_but_not_others(
    library_api, editor_api, network, other_library, platform, today
):
    network_sub = quote(editor_api, network, platform, today).json()["id"]
    other_sub = quote(editor_api, other_library, platform, today).json()["id"]
    listed = {s["id"] for s in library_api.get("/api/v1/subscriptions/").json()["results"]}
    assert listed == {network_sub}
    assert library_api.get(f"/api/v1/subscriptions/{other_sub}/").status_code == 404
    assert library_api.get(f"/api/v1/subscriptions/{other_sub}/credits/").status_code == 404


def test_patrons_see_no_subscription(patron_api, library, platform, editor_api, today):
    quote(editor_api, library, platform, today)
    assert patron_api.get("/api/v1/subscriptions/").status_code == 403


def test_daily_command_expires_and_is_idempotent(library, platform, today):
    from django.core.management import call_command

    ended = Subscription.objects.create(
        subscriber=library,
        plan=platform,
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=36),
        status=Subscription.Status.ACTIVE,
        population_served=1,
        price_excl_vat=1,
        vat_rate=0,
        price_incl_vat=1,
    )
    ending = Subscription.objects.create(
        subscriber=library,
        plan=platform,
        starts_on=today - datetime.timedelta(days=300),
        ends_on=today + datetime.timedelta(days=20),
        status=Subscription.Status.ACTIVE,
        population_served=1,
        price_excl_vat=1,
        vat_rate=0,
        price_incl_vat=1,
    )
    call_command("subscriptions_daily", verbosity=0)
    call_command("subscriptions_daily", verbosity=0)
    ended.refresh_from_db()
    ending.refresh_from_db()
    assert ended.status == "expired"
    assert ending.status == "active"
    assert list(ending.reminders.values_list("days_before", flat=True)) == [30]


def test_status_labels_agree_in_gender_in_french():
    """ "Abonnement" is masculine, "commande" and "réservation" feminine: one msgid
    "Cancelled" cannot serve both (the subscription's has its own context)."""
    from django.utils import translation

    from orders.models import Order
    from subscriptions.models import ScreeningBooking

    with translation.override("fr"):
        assert str(Subscription.Status.CANCELLED.label) == "Annulé"
        assert str(Subscription.Status.EXPIRED.label) == "Expiré"
        assert str(Order.Status.CANCELLED.label) == "Annulée"
        assert str(ScreeningBooking.Status.CANCELLED.label) == "Annulée"


def _ended(subscription_id, today):
    """The subscription's period is over (it began 400 days ago)."""
    Subscription.objects.filter(pk=subscription_id).update(
        starts_on=today - datetime.timedelta(days=400), ends_on=today - datetime.timedelta(days=35)
    )


def test_a_subscription_whose_period_ended_cannot_be_activated(
    library_api, editor_api, library, platform, today
):
    subscription_id = quote(library_api, library, platform, today).json()["id"]
    _ended(subscription_id, today)
    response = editor_api.post(f"/api/v1/subscriptions/{subscription_id}/activate/")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "period_ended"
    subscription = Subscription.objects.get(pk=subscription_id)
    assert (subscription.status, subscription.activated_at) == ("quote", None)
    assert not ScreeningCreditEntry.objects.filter(subscription=subscription).exists()


def test_a_late_payment_is_recorded_without_activating_an_ended_period(
    library_api, editor_api, library, platform, today
):
    subscription_id = quote(library_api, library, platform, today).json()["id"]
    library_api.post(
        f"/api/v1/subscriptions/{subscription_id}/request-payment/",
        {"payment_method": "administrative_invoice"},
        format="json",
    )
    _ended(subscription_id, today)
    invoice = Invoice.objects.get(subscription_id=subscription_id)
    response = editor_api.post(
        f"/api/v1/invoices/{invoice.pk}/mark-paid/", {"paid_on": today.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert Subscription.objects.get(pk=subscription_id).status == "awaiting_payment"


def test_an_active_subscription_whose_period_ended_is_never_listed_active(
    library_api, library, platform, today
):
    """Before the daily job writes `expired`, the lists already say so."""
    subscription = subscription_activate(
        subscription=Subscription.objects.get(
            pk=quote(library_api, library, platform, today).json()["id"]
        )
    )
    _ended(subscription.pk, today)
    assert Subscription.objects.get(pk=subscription.pk).status == "active"  # as stored
    listed = library_api.get("/api/v1/subscriptions/").json()["results"]
    assert [(s["id"], s["status"]) for s in listed] == [(subscription.pk, "expired")]
    detail = library_api.get(f"/api/v1/subscriptions/{subscription.pk}/").json()
    assert detail["status"] == "expired"
    assert library_api.get("/api/v1/subscriptions/", {"status": "active"}).json()["count"] == 0
    expired = library_api.get("/api/v1/subscriptions/", {"status": "expired"}).json()
    assert [s["id"] for s in expired["results"]] == [subscription.pk]


@pytest.mark.embedded
def test_an_invoice_whose_cents_do_not_add_up_in_binary_floats_is_issued(library, today):
    """65.73 + 13.15 is not 78.88 in binary floating point, which is how SQLite (the
    embedded default) adds decimal columns: the invoice's amounts are checked to the cent."""
    from decimal import Decimal

    from subscriptions.models import Plan, PriceTier, TariffGrid
    from subscriptions.services.subscriptions import (
        subscription_payment_request,
        subscription_quote_create,
    )

    grid = TariffGrid.objects.create(year=today.year, vat_rate=Decimal("0.2000"))
    pack = Plan.objects.create(
        grid=grid, code="discovery-5", name="Forfait 5", kind="discovery", screenings_per_year=5
    )
    PriceTier.objects.create(plan=pack, population_from=0, price_excl_vat=Decimal("65.73"))
    quote = subscription_quote_create(subscriber=library, plan=pack, starts_on=today)
    subscription_payment_request(subscription=quote, payment_method="administrative_invoice")
    invoice = Invoice.objects.get(subscription=quote)
    assert (invoice.amount_excl_vat, invoice.vat_amount, invoice.amount_incl_vat) == (
        Decimal("65.73"),
        Decimal("13.15"),
        Decimal("78.88"),
    )
