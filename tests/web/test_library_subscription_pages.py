"""The back office's subscription pages: the tariff grid with the library's price, a
quote for a pack, paid by purchase order (an invoice issued, its PDF) or by card through
Stripe Checkout (the gateway faked), cancelling a quote, renewing; refusals as sentences;
a member reads only; another library's subscription or invoice is a 404."""

from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from subscriptions.gateways import stripe as stripe_gateway
from subscriptions.models import Invoice, Subscription
from subscriptions.services import billing
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.factories import UserFactory
from tests.subscriptions.conftest import make_grid
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(db):
    from django.utils import timezone

    return make_grid(timezone.localdate().year)


def post(client, url, data, *, token_from=None):
    token = csrf_of(client, token_from or url)
    return client.post(url, {"csrfmiddlewaretoken": token, **data})


def test_the_grid_shows_the_librarys_price(staff_web, library, grid):
    library.population_served = 9000
    library.save()
    page = staff_web.get("/bibliotheque/abonnement/").content.decode()
    assert f"La grille tarifaire {grid.year}" in page
    # the tier that covers 9,000 inhabitants is marked, with its quote (VAT 20 %)
    platform = grid.plans.get(code="platform")
    tier = platform.tiers.get(population_from__lte=9000, population_to__gte=9000)
    price = str(tier.price_excl_vat).replace(".", ",")  # as French writes it
    assert f"<strong>{price} €</strong>" in page
    # a pack's one price, whatever the size; the population as French writes it
    assert "<strong>Toute population — votre bibliothèque</strong>" in page
    assert "par votre bibliothèque : 9\xa0000 habitants" in page


def test_a_pack_quoted_then_paid_by_purchase_order_issues_an_invoice(
    staff_web, library, grid, today
):
    pack = grid.plans.get(code="discovery-3")
    response = post(
        staff_web,
        "/bibliotheque/abonnement/",
        {"plan": pack.pk, "starts_on": today.isoformat()},
    )
    assert response.status_code == 302
    quote = Subscription.objects.get(subscriber=library)
    assert response["Location"] == f"/bibliotheque/abonnement/{quote.pk}/"
    assert quote.status == "quote" and quote.plan == pack
    paid = post(
        staff_web,
        response["Location"],
        {"payment_method": "administrative_invoice", "purchase_order_reference": "BC-2026-17"},
    )
    assert paid.status_code == 302
    quote.refresh_from_db()
    assert quote.status == "awaiting_payment"
    invoice = Invoice.objects.get(subscription=quote)
    assert invoice.purchase_order_reference == "BC-2026-17"
    detail = staff_web.get(response["Location"]).content.decode()
    assert 'id="payment-form"' not in detail  # the invoice is paid by transfer
    assert "Annuler cette commande" in detail and "Crédits de projection" not in detail
    overview = staff_web.get("/bibliotheque/abonnement/").content.decode()
    assert invoice.number in overview and "Émise" in overview
    pdf = staff_web.get(f"/bibliotheque/abonnement/factures/{invoice.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def test_paying_by_card_goes_to_stripe_checkout(
    staff_web, library, grid, today, monkeypatch, settings
):
    settings.STRIPE_API_KEY = "sk_test_configured"  # Stripe on: card and SEPA offered
    monkeypatch.setattr(stripe_gateway, "customer_create", lambda **kwargs: "cus_test")
    monkeypatch.setattr(
        stripe_gateway,
        "checkout_session_create",
        lambda **kwargs: stripe_gateway.CheckoutSession(
            id="cs_test", url="https://checkout.stripe.test/cs_test"
        ),
    )
    quote = subscription_quote_create(
        subscriber=library, plan=grid.plans.get(code="discovery-5"), starts_on=today
    )
    response = post(staff_web, f"/bibliotheque/abonnement/{quote.pk}/", {"payment_method": "card"})
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.test/cs_test"
    quote.refresh_from_db()
    assert quote.status == "awaiting_payment" and quote.stripe_checkout_session_id == "cs_test"
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize("failing", ["customer_create", "checkout_session_create"])
def test_a_provider_failure_is_a_sentence_and_leaves_the_quote_as_it_was(
    staff_web, library, grid, today, settings, monkeypatch, failing
):
    settings.STRIPE_API_KEY = "sk_test_configured"
    monkeypatch.setattr(stripe_gateway, "customer_create", lambda **kwargs: "cus_test")

    def unreachable(**kwargs):
        raise stripe_gateway.PaymentProviderError("connection refused")

    monkeypatch.setattr(stripe_gateway, failing, unreachable)
    quote = subscription_quote_create(
        subscriber=library, plan=grid.plans.get(code="discovery-5"), starts_on=today
    )
    url = f"/bibliotheque/abonnement/{quote.pk}/"
    response = post(staff_web, url, {"payment_method": "sepa_debit"})
    assert response.status_code == 502
    assert "Le prestataire de paiement" in response.content.decode()
    assert not Invoice.objects.exists()
    quote.refresh_from_db()
    assert quote.status == "quote" and quote.payment_method == ""
    assert (quote.stripe_customer_id, quote.stripe_checkout_session_id) == ("", "")

    # Stripe back: the same form goes to the checkout
    monkeypatch.setattr(stripe_gateway, "customer_create", lambda **kwargs: "cus_test")
    monkeypatch.setattr(
        stripe_gateway,
        "checkout_session_create",
        lambda **kwargs: stripe_gateway.CheckoutSession(
            id="cs_test", url="https://checkout.stripe.test/cs_test"
        ),
    )
    response = post(staff_web, url, {"payment_method": "sepa_debit"})
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.test/cs_test"
    quote.refresh_from_db()
    assert (quote.status, quote.payment_method) == ("awaiting_payment", "sepa_debit")
    assert (quote.stripe_customer_id, quote.stripe_checkout_session_id) == ("cus_test", "cs_test")


def test_with_stripe_off_only_the_purchase_order_is_offered_and_the_page_says_why(
    staff_web, library, grid, today, settings
):
    settings.STRIPE_API_KEY = ""  # as `make run` starts
    quote = subscription_quote_create(
        subscriber=library, plan=grid.plans.get(code="discovery-3"), starts_on=today
    )
    url = f"/bibliotheque/abonnement/{quote.pk}/"
    page = unescape(staff_web.get(url).content.decode())
    assert 'value="administrative_invoice" checked' in page  # the one way, already chosen
    assert 'value="card"' not in page and 'value="sepa_debit"' not in page
    assert "n’est pas disponible sur ce service pour le moment" in page
    by_card = post(staff_web, url, {"payment_method": "card"})
    assert by_card.status_code == 400
    assert 'id="payment-method-error"' in by_card.content.decode()
    quote.refresh_from_db()
    assert quote.status == "quote" and not Invoice.objects.exists()


def test_an_invoice_awaiting_payment_shows_how_to_pay_it_then_the_credits_once_paid(
    staff_web, library, grid, today, settings, editor
):
    settings.INVOICE_ISSUER_IBAN = "FR76 3000 1007 9412 3456 7890 185"
    quote = subscription_quote_create(
        subscriber=library, plan=grid.plans.get(code="discovery-3"), starts_on=today
    )
    url = f"/bibliotheque/abonnement/{quote.pk}/"
    post(
        staff_web,
        url,
        {"payment_method": "administrative_invoice", "purchase_order_reference": "BC-77"},
    )
    invoice = Invoice.objects.get()
    page = unescape(staff_web.get(url).content.decode())
    assert f"La facture {invoice.number} attend votre virement" in page
    assert '<dd id="payee-iban">FR76 3000 1007 9412 3456 7890 185</dd>' in page
    assert f'<dd id="transfer-reference">Facture {invoice.number}</dd>' in page
    assert "<dd>BC-77</dd>" in page
    assert "En attente de paiement" in page and "Émise, en attente de paiement" in page
    assert 'id="credits"' not in page
    assert '<dd id="plan-includes">3 projections publiques par an</dd>' in page
    # the dashboard's to-do leads there
    dashboard = unescape(staff_web.get("/bibliotheque/").content.decode())
    assert (
        f'<a href="{url}">Comment la régler<span class="fr-sr-only"> (Facture {invoice.number})'
        in dashboard
    )
    billing.invoice_mark_paid(invoice=invoice, paid_on=today, by=editor)
    page = unescape(staff_web.get(url).content.decode())
    assert 'id="bank-transfer"' not in page
    assert '<dd id="credits">3 — <a href="/bibliotheque/projections/">' in page
    assert f"Payée le {today:%d/%m/%Y}" in page


def test_the_plan_choices_carry_the_library_s_price(staff_web, library, grid):
    library.population_served = 9000
    library.save()
    pack = grid.plans.get(code="discovery-3")
    tier = pack.tiers.get()  # one price whatever the size
    incl = (tier.price_excl_vat * (1 + grid.vat_rate)).quantize(Decimal("0.01"))
    price = f"{incl:,.2f}".replace(",", "\u202f").replace(".", ",")
    page = unescape(staff_web.get("/bibliotheque/abonnement/").content.decode())
    assert f">Forfait découverte 3 — {price} € TTC</option>" in page.replace("\xa0", "\u202f")


def test_refusals_are_shown_in_place(staff_web, library, grid, today):
    pack = grid.plans.get(code="discovery-3")
    first = post(staff_web, "/bibliotheque/abonnement/", {"plan": pack.pk, "starts_on": today})
    quote = Subscription.objects.get()
    post(staff_web, first["Location"], {"payment_method": "administrative_invoice"})
    overlapping = post(
        staff_web, "/bibliotheque/abonnement/", {"plan": pack.pk, "starts_on": today.isoformat()}
    )
    assert overlapping.status_code == 409
    page = overlapping.content.decode()
    assert 'id="id_starts_on-error"' in page and "a déjà un abonnement de ce type" in page
    missing = post(staff_web, "/bibliotheque/abonnement/", {"plan": "999999", "starts_on": "x"})
    assert missing.status_code == 400
    page = missing.content.decode()
    assert 'id="id_plan-error"' in page and 'id="id_starts_on-error"' in page
    no_method = post(staff_web, f"/bibliotheque/abonnement/{quote.pk}/", {})
    assert no_method.status_code == 409 or 'id="payment-method-error"' in no_method.content.decode()
    assert Subscription.objects.count() == 1


def test_a_quote_is_cancelled_and_an_active_subscription_renewed(staff_web, library, grid, today):
    pack = grid.plans.get(code="discovery-8")
    quote = subscription_quote_create(subscriber=library, plan=pack, starts_on=today)
    url = f"/bibliotheque/abonnement/{quote.pk}/"
    assert post(staff_web, url + "annuler", {}, token_from=url).status_code == 302
    quote.refresh_from_db()
    assert quote.status == "cancelled"
    active = subscription_activate(
        subscription=subscription_quote_create(subscriber=library, plan=pack, starts_on=today)
    )
    make_grid(today.year + 1)
    url = f"/bibliotheque/abonnement/{active.pk}/"
    assert "Crédits de projection restants" in staff_web.get(url).content.decode()
    renewed = post(staff_web, url + "renouveler", {}, token_from=url)
    assert renewed.status_code == 302
    renewal = Subscription.objects.get(previous=active)
    assert renewed["Location"] == f"/bibliotheque/abonnement/{renewal.pk}/"
    again = post(staff_web, url + "renouveler", {}, token_from=url)
    assert "déjà été renouvelé" in staff_web.get(again["Location"]).content.decode()


def test_a_member_reads_but_may_not_commit(library, grid, today):
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get("/bibliotheque/abonnement/").content.decode()
    assert 'id="quote-form"' not in page
    pack = grid.plans.get(code="discovery-3")
    refused = post(client, "/bibliotheque/abonnement/", {"plan": pack.pk, "starts_on": today})
    assert refused.status_code == 403
    assert "Seul un administrateur de l'établissement peut l'engager." in unescape(
        refused.content.decode()
    )
    assert not Subscription.objects.exists()


def test_another_librarys_subscription_and_invoice_are_not_found(
    staff_web, other_library, grid, today
):
    theirs = subscription_quote_create(
        subscriber=other_library, plan=grid.plans.get(code="discovery-3"), starts_on=today
    )
    from subscriptions.services.subscriptions import subscription_payment_request

    subscription_payment_request(subscription=theirs, payment_method="administrative_invoice")
    invoice = Invoice.objects.get(subscription=theirs)
    assert staff_web.get(f"/bibliotheque/abonnement/{theirs.pk}/").status_code == 404
    assert staff_web.get(f"/bibliotheque/abonnement/factures/{invoice.pk}.pdf").status_code == 404
    assert invoice.number not in staff_web.get("/bibliotheque/abonnement/").content.decode()
    cancel = post(
        staff_web,
        f"/bibliotheque/abonnement/{theirs.pk}/annuler",
        {},
        token_from="/bibliotheque/abonnement/",
    )
    assert cancel.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "awaiting_payment"


def test_the_page_costs_the_same_queries_with_more_subscriptions_and_invoices(
    staff_web, library, grid, today
):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_web.get("/bibliotheque/abonnement/").status_code == 200
        return len(captured)

    from subscriptions.services.subscriptions import subscription_payment_request

    def invoiced(code):
        quote = subscription_quote_create(
            subscriber=library, plan=grid.plans.get(code=code), starts_on=today
        )
        subscription_payment_request(subscription=quote, payment_method="administrative_invoice")

    invoiced("discovery-3")
    few = count()
    invoiced("platform")  # another kind: packs of one kind cannot overlap
    assert count() == few
    assert Decimal(0) < Invoice.objects.first().amount_incl_vat
