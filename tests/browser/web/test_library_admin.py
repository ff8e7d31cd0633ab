"""The library's back office in chromium: a library administrator invites a colleague,
who follows the e-mailed link (read from Django's outbox: the live server runs in this
process, on the same locmem backend), chooses a password and signs in; and the back
office's pages pass axe-core in French and English at 1280 and 375 px."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from editorial.services import library_selection_create, library_selection_item_add
from subscriptions.services.patrons import patron_register
from subscriptions.services.subscriptions import (
    subscription_payment_request,
    subscription_quote_create,
)
from tests.browser.web.conftest import axe_violations
from tests.factories import TEST_PASSWORD, FilmFactory, UserFactory
from tests.stats.conftest import make_view
from tests.subscriptions.conftest import make_grid

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 375)


def staff_sign_in(page, live_server, username, password, *, next_path=""):
    query = "?" + urlencode({"next": next_path}) if next_path else ""
    page.goto(f"{live_server.url}/connexion/{query}")
    page.locator("#id_staff-username").fill(username)
    page.locator("#id_staff-password").fill(password)
    page.locator("#staff-sign-in button[type=submit]").click()


@pytest.mark.slow
def test_an_admin_invites_a_colleague_who_sets_a_password_and_signs_in(
    watched_page, browser, live_server, library, library_admin
):
    """Slow on purpose (about 10 s): two browser contexts, nine page loads — the whole
    journey from the invitation to the colleague's first sign-in."""
    page = watched_page
    staff_sign_in(
        page, live_server, library_admin.username, TEST_PASSWORD, next_path="/bibliotheque/equipe/"
    )
    expect(page.get_by_role("heading", name="Comptes du personnel", level=1)).to_be_visible()
    page.get_by_label("Adresse électronique").fill("claire.dupont@mediatheque.example")
    page.get_by_label("Prénom").fill("Claire")
    page.get_by_label("Nom", exact=True).fill("Dupont")
    page.get_by_label("Rôle").select_option("institution_member")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(
        page.get_by_text("Invitation envoyée à claire.dupont@mediatheque.example")
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Claire Dupont"))).to_contain_text(
        "Invitation en attente"
    )

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/bibliotheque/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("/bibliotheque/", 1)[1]

    newcomer = browser.new_context(locale="fr-FR")
    other = newcomer.new_page()
    other.goto(f"{live_server.url}/bibliotheque/{path}")
    expect(
        other.get_by_role("heading", name="Bienvenue : choisissez votre mot de passe")
    ).to_be_visible()
    other.get_by_label("Nouveau mot de passe", exact=False).first.fill("un-long-mot-de-passe")
    other.get_by_label("Nouveau mot de passe, à nouveau").fill("un-long-mot-de-passe")
    other.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(other.get_by_text("Votre mot de passe est enregistré")).to_be_visible()
    staff_sign_in(
        other,
        live_server,
        "claire.dupont@mediatheque.example",
        "un-long-mot-de-passe",
        next_path="/bibliotheque/equipe/",
    )
    expect(other.get_by_role("heading", name="Comptes du personnel", level=1)).to_be_visible()
    expect(other.get_by_role("row", name=re.compile("Claire Dupont"))).to_contain_text("Actif")
    # the link worked once
    other.goto(f"{live_server.url}/bibliotheque/{path}")
    expect(other.get_by_text("Ce lien ne fonctionne plus")).to_be_visible()
    newcomer.close()
    page.expected_console.append("400")  # the spent link's page answers 400


def card_sign_in(page, live_server, library, card, pin):
    page.goto(f"{live_server.url}/connexion/?bib={library.code}")
    page.locator("#id_card-card").fill(card)
    page.locator("#id_card-pin").fill(pin)
    page.get_by_role("button", name="Me connecter avec ma carte").click()


@pytest.mark.slow
def test_staff_register_a_patron_who_signs_in_until_erased(
    watched_page, browser, live_server, library, library_admin
):
    """Slow on purpose (about 8 s): two browser contexts, the patron signing in twice."""
    page = watched_page
    staff_sign_in(
        page, live_server, library_admin.username, TEST_PASSWORD, next_path="/bibliotheque/usagers/"
    )
    register = page.locator("#patron-register")
    register.get_by_label("Numéro de carte de bibliothèque").fill("0099887766")
    register.get_by_label("Lieu de résidence (facultatif)").fill("69")
    register.get_by_role("button", name="Inscrire l’usager").click()
    pin = page.locator("#shown-secret").inner_text()
    assert re.fullmatch(r"\d{6,8}", pin)

    patron_context = browser.new_context(locale="fr-FR")
    patron_page = patron_context.new_page()
    card_sign_in(patron_page, live_server, library, "0099887766", pin)
    expect(patron_page).to_have_url(f"{live_server.url}/mon-espace/")
    patron_page.context.clear_cookies()

    page.get_by_role("link", name="Voir cet usager").click()
    page.get_by_text("Je confirme").click()  # the DSFR styles the label over the box
    page.get_by_role("button", name="Effacer l’usager").click()
    expect(page.get_by_text("est effacé : sa carte ne permet plus de se connecter")).to_be_visible()

    card_sign_in(patron_page, live_server, library, "0099887766", pin)
    expect(patron_page.get_by_role("alert")).to_contain_text("Carte inconnue")
    assert patron_page.url.startswith(f"{live_server.url}/connexion/")
    patron_context.close()


@pytest.mark.slow
def test_statistics_charts_csv_and_a_networks_members(
    watched_page, browser, live_server, network, library, library_admin, other_library
):
    """Slow on purpose (about 8 s): two accounts in two contexts, a file downloaded."""
    film, theirs = FilmFactory(title="Les Glaneurs"), FilmFactory(title="Film voisin")
    day = datetime.date(2025, 3, 14)
    for viewer in ("a", "b", "c"):
        make_view(library=library, film=film, day=day, viewer=viewer)
    make_view(library=other_library, film=theirs, day=day)
    period = "start=2025-01-01&end=2025-12-31"

    page = watched_page
    staff_sign_in(
        page,
        live_server,
        library_admin.username,
        TEST_PASSWORD,
        next_path=f"/bibliotheque/statistiques/?{period}",
    )
    chart = page.get_by_role("img", name="Visionnages par mois (visionnages)")
    expect(chart).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^2025-03 3"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Visionnages (CSV)").click()
    lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert lines[0].startswith("month,") and any(line.startswith("2025-03,3,") for line in lines)
    assert "Film voisin" not in page.content()

    network_admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)
    other = browser.new_context(locale="fr-FR")
    network_page = other.new_page()
    staff_sign_in(
        network_page,
        live_server,
        network_admin.username,
        TEST_PASSWORD,
        next_path=f"/bibliotheque/statistiques/?{period}&group_by=library",
    )
    views = network_page.get_by_role("region", name="Visionnages")
    expect(views.get_by_role("row", name=re.compile(re.escape(library.name)))).to_be_visible()
    network_page.get_by_label("Chiffres de").select_option(str(library.pk))
    network_page.get_by_role("button", name="Afficher").click()
    expect(network_page.get_by_text(f"Chiffres de {library.name}")).to_be_visible()
    expect(network_page.get_by_role("heading", name="Où vivent les usagers")).to_be_visible()
    assert "Film voisin" not in network_page.content()
    other.close()


def test_a_film_is_moved_in_a_selection_with_the_keyboard(
    watched_page, live_server, library, library_admin
):
    """Enter on "Move down" moves the film (htmx swaps the list) and leaves the focus on
    the moved film's button, so Enter again moves it on; at the end, its "Move up" has
    the focus."""
    page = watched_page
    selection = library_selection_create(institution=library, title="Ciné-club")
    items = {
        title: library_selection_item_add(selection=selection, film=FilmFactory(title=title).pk)
        for title in ("Un", "Deux", "Trois")
    }
    staff_sign_in(
        page,
        live_server,
        library_admin.username,
        TEST_PASSWORD,
        next_path=f"/bibliotheque/selections/{selection.pk}/",
    )
    films = page.locator("#selection-items > li > a")
    expect(films).to_have_text(["Un", "Deux", "Trois"])
    page.get_by_role("button", name="Descendre Un").focus()
    page.keyboard.press("Enter")
    expect(films).to_have_text(["Deux", "Un", "Trois"])
    expect(page.locator(f"#move-down-{items['Un'].pk}")).to_be_focused()
    expect(page.locator("#selection-status")).to_have_text(
        "« Un » est maintenant à la place 2 sur 3."
    )
    # htmx wires the new list's forms when it settles (20 ms after the swap): an Enter
    # before that would post the form without htmx (a plain POST and a new page)
    expect(page.locator("#selection-films")).not_to_have_class(re.compile(r"htmx-settling"))
    page.keyboard.press("Enter")
    expect(films).to_have_text(["Deux", "Trois", "Un"])
    expect(page.locator(f"#move-up-{items['Un'].pk}")).to_be_focused()  # last: no "down"
    assert list(selection.items.order_by("position").values_list("film__title", flat=True)) == [
        "Deux",
        "Trois",
        "Un",
    ]
    assert "#" not in page.url.split("/selections/")[1]  # no page load: htmx


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr-FR", "en-GB"])
def test_back_office_pages_pass_axe_in_both_languages_and_widths(
    browser, live_server, library, library_admin, language
):
    """Slow on purpose (about 25 s): sixteen pages, each loaded once and checked at both
    widths."""
    colleague = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    patron = patron_register(institution=library, card="0012345678", pin="482193")
    grid = make_grid(timezone.localdate().year)
    quote = subscription_quote_create(
        subscriber=library, plan=grid.plans.get(code="discovery-3"), starts_on=timezone.localdate()
    )
    subscription_payment_request(subscription=quote, payment_method="administrative_invoice")
    platform_quote = subscription_quote_create(
        subscriber=library, plan=grid.plans.get(code="platform"), starts_on=timezone.localdate()
    )  # a quote: the payment form
    selection = library_selection_create(institution=library, title="Coups de cœur")
    for title in ("Un", "Deux", "Trois"):  # the move buttons
        library_selection_item_add(selection=selection, film=FilmFactory(title=title).pk)
    paths = [
        "/bibliotheque/selections/",
        f"/bibliotheque/selections/{selection.pk}/",
        "/bibliotheque/notices/",
        "/bibliotheque/statistiques/",
        "/bibliotheque/abonnement/",
        f"/bibliotheque/abonnement/{quote.pk}/",
        f"/bibliotheque/abonnement/{platform_quote.pk}/",
        "/paiement/merci",
        "/bibliotheque/usagers/",
        f"/bibliotheque/usagers/{patron.pk}/",
        "/bibliotheque/equipe/",
        f"/bibliotheque/equipe/{colleague.pk}/",
        "/connexion/mot-de-passe/",
        "/connexion/mot-de-passe/envoye/",
        "/bibliotheque/invitation/MQ/bad-token/",
    ]
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    staff_sign_in(page, live_server, library_admin.username, TEST_PASSWORD)
    found = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status in (200, 400), (path, response.status)
        assert page.evaluate("document.documentElement.lang") == language[:2]
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            violations = axe_violations(page)
            if violations:
                found[f"{path} @{width}"] = violations
    context.close()
    assert not [line for line in console if "400" not in line], console
    assert not found, found
