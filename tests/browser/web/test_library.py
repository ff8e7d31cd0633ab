"""The library's back office in chromium (Playwright), in French (the default): a
library administrator books and cancels a screening on a pack and reads why a film may
not be screened (journey 1), orders DVDs with a double click that orders once and
follows the order to "shipped" (journey 2); and every back-office page passes axe-core
in French and English at 1280 and 375 px. No console error and no request to another
host (`watched_page`, `_check_pages`)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from orders import services as order_services
from orders.models import Order, OrderLine
from rights.models import Medium
from subscriptions.models import ScreeningBooking, Subscription
from tests.browser.web.test_accessibility import _check_pages
from tests.conftest import client_for
from tests.editorial.conftest import day, film_with
from tests.factories import TEST_PASSWORD
from tests.orders.conftest import available, grant_dvd, make_edition
from tests.subscriptions.conftest import make_grid
from tests.web.library_data import NOT_YET_DAYS, buy_pack, screening_films, tomorrow

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_as_staff(page, live_server, user):
    page.goto(f"{live_server.url}/connexion/")
    page.locator("#id_staff-username").fill(user.username)
    page.locator("#id_staff-password").fill(TEST_PASSWORD)
    page.locator("#staff-sign-in button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/bibliotheque/")


def french_date(value: datetime.date) -> str:
    with translation.override("fr"):
        return formats.date_format(value, "DATE_FORMAT")


def french_amount(value) -> str:
    with translation.override("fr"):
        return formats.number_format(value, 2, force_grouping=True)


@pytest.fixture
def dvd_library(library):
    library.dvd_authorised_since = datetime.date(2015, 1, 1)
    library.save(update_fields=["dvd_authorised_since"])
    return library


@pytest.mark.slow
def test_journey_1_a_pack_bought_through_the_pages_its_credits_move_with_a_booking(
    watched_page, live_server, library, library_admin, editor
):
    """The administrator buys the 3-screening pack on the subscription pages, with the
    keyboard (a quote, then a purchase order: with Stripe off, as after `make run`, it is
    the one way to pay and the page says why); the cinema staff record the transfer
    (their API); the credits go 3 → 2 with a booking and back to 3 when it
    is cancelled; a film without screening rights that day says why and until when.
    Slow on purpose (about 7 s): the issue's whole journey, some fifteen page loads."""
    page = watched_page
    grid = make_grid(timezone.localdate().year)
    screening_films()
    sign_in_as_staff(page, live_server, library_admin)

    page.get_by_role("link", name="Abonnement et factures").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abonnement et factures")
    plan = page.get_by_label("Abonnement ou forfait")
    plan.select_option(value=str(grid.plans.get(code="discovery-3").pk))
    expect(plan.locator("option:checked")).to_have_text(
        re.compile(r"^Forfait découverte 3 — [0-9\s,]+ € TTC$")
    )
    page.get_by_label("Début le").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Obtenir le devis").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forfait découverte 3")
    expect(page.locator("#subscription-facts")).to_contain_text("Devis")

    # Stripe is off: the purchase order is the one way, already chosen, and the page says why
    by_invoice = page.get_by_label("Bon de commande et virement (facture administrative)")
    expect(by_invoice).to_be_checked()
    expect(page.get_by_label("Carte bancaire, par Stripe")).to_have_count(0)
    expect(page.locator("#online-payment-off")).to_contain_text("n’est pas disponible")
    page.get_by_label("Référence du bon de commande (facultatif)").fill("BC-2026-0042")
    page.get_by_role("button", name="Confirmer la commande").press("Enter")

    # what the librarian needs to pay: the invoice, the amount, the payee's IBAN, the
    # reference to give, the purchase order
    pack = Subscription.objects.get(subscriber=library)
    invoice = pack.invoices.get()
    transfer = page.locator("#bank-transfer")
    expect(transfer).to_contain_text(f"La facture {invoice.number} attend votre virement")
    expect(transfer).to_contain_text(french_amount(invoice.amount_incl_vat) + " € TTC")
    expect(transfer).to_contain_text(french_date(invoice.due_on))
    expect(transfer.locator("#payee-iban")).to_have_text(settings.INVOICE_ISSUER_IBAN)
    expect(transfer.locator("#transfer-reference")).to_have_text(f"Facture {invoice.number}")
    expect(transfer).to_contain_text("BC-2026-0042")
    expect(page.locator("#subscription-facts")).to_contain_text("En attente de paiement")
    expect(page.locator("#credits")).to_have_count(0)  # not before the payment

    # the cinema staff record the transfer, through their API
    recorded = client_for(editor).post(
        f"/api/v1/invoices/{invoice.pk}/mark-paid/",
        {"paid_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert recorded.status_code == 200, recorded.json()
    page.reload()
    expect(page.locator("#bank-transfer")).to_have_count(0)
    expect(page.locator("#subscription-facts")).to_contain_text("Actif")
    expect(page.locator("#credits")).to_contain_text("3")
    expect(page.get_by_role("listitem").filter(has_text=invoice.number)).to_contain_text("Payée le")
    page.locator("#credits").get_by_role("link", name="Réserver une projection").click()
    expect(page.locator("#credits [data-credits]")).to_have_text("3")

    page.get_by_label("Titre, réalisateur, thème").fill("Glaneurs")
    page.get_by_label("Date de projection").fill(tomorrow().isoformat())
    page.get_by_role("button", name="Chercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=Glaneurs"))  # htmx keeps it in the URL
    page.get_by_role(
        "link", name="Réserver une projection de « Les Glaneurs et la Glaneuse »"
    ).click()

    page.get_by_label("Heure").fill("18:30")
    page.get_by_label("Lieu").fill("Auditorium")
    page.get_by_label("Public attendu").fill("45")
    page.get_by_role("button", name="Réserver la projection").click()
    expect(page.get_by_text("Crédits restants : 2.")).to_be_visible()
    expect(page.locator("#credits [data-credits]")).to_have_text("2")
    assert ScreeningBooking.objects.get().status == "booked"

    page.get_by_role(
        "button", name="Annuler la projection de « Les Glaneurs et la Glaneuse »"
    ).click()
    expect(page.get_by_text("Crédits restants : 3.")).to_be_visible()
    expect(page.locator("#credits [data-credits]")).to_have_text("3")

    # a film whose screening rights start later: no booking, why and from when
    page.get_by_label("Titre, réalisateur, thème").fill("Pointe")
    page.locator("label[for=id_available]").click()  # every film, not only the screenable
    expect(
        page.get_by_label("Seulement les films que ma bibliothèque peut projeter ce jour-là")
    ).not_to_be_checked()
    page.get_by_role("button", name="Chercher", exact=True).click()
    results = page.locator("#finder-results")
    expect(results).to_contain_text("La Pointe courte")
    expect(results).to_contain_text(
        "Pas encore : votre bibliothèque le pourra à partir du " + french_date(day(NOT_YET_DAYS))
    )
    expect(
        results.get_by_role("link", name="Réserver une projection de « La Pointe courte »")
    ).to_have_count(0)

    # its booking page answers for the day chosen, again when the day changes (htmx)
    page.goto(
        f"{live_server.url}/bibliotheque/projections/films/CN-00102/reserver"
        f"?on={tomorrow().isoformat()}"
    )
    answer = page.locator("#booking-answer")
    expect(answer).to_contain_text("Aucune projection possible le")
    page.get_by_label("Date").fill(day(NOT_YET_DAYS + 1).isoformat())
    page.get_by_label("Date").dispatch_event("change")
    expect(page.locator("#booking-answer")).to_contain_text("Votre bibliothèque le peut.")


@pytest.mark.postgres
def test_journey_2_a_double_click_orders_once_and_the_order_is_followed_to_shipped(
    watched_page, live_server, dvd_library, library_admin, editor
):
    """PostgreSQL: the two submissions are in flight together, each on its own
    connection (the live server shares one connection between its threads on SQLite in
    memory)."""
    page = watched_page
    salt = make_edition(stock=5, film=film_with(title="Le Sel de la terre"))
    school = make_edition(stock=4, film=film_with(title="Être et avoir"))
    ended = make_edition(stock=3, rights=False, film=film_with(title="Droits finis"))
    grant_dvd(ended.film, starts_on=datetime.date(2010, 1, 1), ends_on=day(-5))
    sign_in_as_staff(page, live_server, library_admin)
    page.get_by_role("link", name="Commande de DVD").first.click()

    for title, copies in (("Le Sel de la terre", "2"), ("Être et avoir", "1")):
        page.get_by_label(f"Exemplaires de « {title} »").fill(copies)
        page.get_by_role("button", name=f"Ajouter « {title} » au panier").click()
        expect(page.locator("#cart-summary")).to_contain_text(f"« {title} » est dans le panier")
    expect(page.locator("#cart-summary")).to_contain_text("Panier : 3 exemplaires (2 titre(s))")
    # the rights engine refuses "Droits finis" on DVD: its row says why, with no button
    row = page.locator("li.web-result", has_text="Droits finis")
    expect(row).to_contain_text("DVD : Les droits pour cet usage ont pris fin.")
    expect(row).to_contain_text("Cette édition ne peut pas être ajoutée au panier.")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(row.get_by_role("spinbutton")).to_have_count(0)
    # a line put in the cart before its rights ended (the service no longer takes it now)
    # is refused there, with the reason
    OrderLine.objects.create(order=Order.objects.get(), edition=ended, quantity=1)

    page.get_by_role("link", name="Voir le panier").click()
    refused = page.locator(f"#line-{Order.objects.get().lines.get(edition=ended).pk}")
    expect(refused).to_contain_text("DVD : Les droits pour cet usage ont pris fin.")
    page.get_by_role("button", name="Retirer « Droits finis »").click()
    expect(page.locator("#cart-lines")).not_to_contain_text("Droits finis")

    # submitted twice at once (a double click, or a click and a reload): the same form,
    # the same key, two requests in flight together
    finals = page.evaluate(
        """async () => {
            const form = document.getElementById('cart-submit');
            const send = () => fetch(form.action, {method: 'POST', body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map(answer => answer.url);
        }"""
    )
    assert finals[0] == finals[1] and "/bibliotheque/dvd/commandes/" in finals[0], finals
    page.goto(finals[0])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commande n°")
    order = Order.objects.exclude(status="cart").get()
    assert order.status == "submitted"
    assert (available(salt), available(school), available(ended)) == (3, 3, 3)

    order_services.order_validate(order=order, by=editor)
    order_services.order_ship(order=order, carrier_reference="COLIS-4242", by=editor)
    page.reload()
    expect(page.locator("#order-status")).to_contain_text("Expédiée")
    expect(page.locator("#order-status")).to_contain_text("Étape 3 sur 4")
    expect(page.locator("#carrier-reference")).to_have_text("COLIS-4242")
    expect(page.get_by_role("link", name="Bon de livraison (PDF)")).to_be_visible()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr-FR", "en-GB"])
def test_every_back_office_page_passes_axe(
    browser, live_server, dvd_library, library_admin, editor, language
):
    pack = buy_pack(dvd_library, size=3)
    films = screening_films()
    ScreeningBooking.objects.create(
        library=dvd_library,
        subscription=pack,
        film=films["screenable"],
        starts_at=timezone.now() + datetime.timedelta(days=3),
        venue="Auditorium",
        expected_audience=40,
    )
    ScreeningBooking.objects.create(
        library=dvd_library,
        subscription=pack,
        film=films["screenable"],
        starts_at=timezone.now() - datetime.timedelta(days=3),
        venue="Auditorium",
        expected_audience=40,
    )
    shipped_edition = make_edition(stock=5, film=film_with(title="Le Sel de la terre"))
    order, _ = order_services.cart_get_or_create(library=dvd_library)
    order_services.cart_line_add(order=order, edition=shipped_edition, quantity=2)
    order_services.order_submit(order=order)
    order_services.order_validate(order=order, by=editor)
    order_services.order_ship(order=order, carrier_reference="COLIS-1", by=editor)
    cart, _ = order_services.cart_get_or_create(library=dvd_library)
    ended = make_edition(stock=3, rights=False, film=film_with(title="Droits finis"))
    grant_dvd(ended.film, starts_on=datetime.date(2010, 1, 1), ends_on=day(-5))
    OrderLine.objects.create(order=cart, edition=ended, quantity=1)  # put before they ended
    film_with(Medium.PUBLIC_SCREENING, title="Autre film")
    """Slow on purpose (18 page checks per language, about 10 s): each back-office page is
    loaded once and checked at both widths."""
    paths = [
        "/bibliotheque/",
        f"/bibliotheque/projections/?q=&on={tomorrow().isoformat()}",
        f"/bibliotheque/projections/films/{films['screenable'].reference}/reserver",
        f"/bibliotheque/projections/films/{films['not_yet'].reference}/reserver",
        "/bibliotheque/dvd/",
        "/bibliotheque/dvd/?available=on",
        "/bibliotheque/dvd/panier/",
        "/bibliotheque/dvd/commandes/",
        f"/bibliotheque/dvd/commandes/{order.pk}/",
    ]

    def sign_in(page):
        sign_in_as_staff(page, live_server, library_admin)

    found = _check_pages(browser, live_server, paths, language=language, sign_in=sign_in)
    assert not found, "\n".join(f"{p}: {v}" for p, violations in found.items() for v in violations)
