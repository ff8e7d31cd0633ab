"""The cinema staff's royalties pages and a rights holder's invitation in chromium: a
statement drafted, approved, sent and paid through its page; a rights holder's user
invited from the staff's page, who follows the e-mailed link (read from Django's outbox:
the live server runs in this process), chooses a password and lands on their space; every
page passes axe-core in French and English at 1280 and 375 px."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from royalties.models import Statement
from tests.browser.web.conftest import axe_violations
from tests.browser.web.test_library_admin import staff_sign_in
from tests.factories import TEST_PASSWORD
from tests.royalties.conftest import contracted

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 375)


def check_axe(page, found: dict, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page)
        if violations:
            found[f"{name} @{width}"] = violations
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.slow
def test_staff_draft_approve_send_and_pay_a_statement(watched_page, live_server, editor):
    """Slow on purpose (about 8 s): the statement's whole life, each page checked by axe
    at two widths."""
    page, found = watched_page, {}
    contract = contracted()
    staff_sign_in(
        page, live_server, editor.username, TEST_PASSWORD, next_path="/equipe/redevances/"
    )
    expect(page.get_by_role("heading", name="Relevés de droits", level=1)).to_be_visible()
    form = page.locator("#statement-draft")
    form.get_by_label("Référence du contrat").fill(contract.reference)
    form.get_by_label("Période").fill("2017")
    form.get_by_role("button", name="Préparer le relevé").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Relevé 2017")
    expect(page.get_by_text("Brouillon — à régler au plus tard le 01/03/2018")).to_be_visible()
    check_axe(page, found, "draft statement")

    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_text("Le relevé est approuvé")).to_be_visible()
    page.get_by_role("button", name="Envoyer le relevé").click()
    expect(page.get_by_text("Le relevé est envoyé à compta@prod.example")).to_be_visible()
    assert mail.outbox[-1].to == ["compta@prod.example"]
    pay = page.locator("#statement-pay")
    pay.get_by_label("Référence du paiement").fill("")
    pay.get_by_role("button", name="Enregistrer le paiement").click()
    expect(pay.locator("#id_reference-error")).to_be_visible()  # in place, 400
    check_axe(page, found, "pay form with an error")
    pay = page.locator("#statement-pay")
    pay.get_by_label("Payé le").fill("2018-02-01")
    pay.get_by_label("Référence du paiement").fill("VIR-2018-001")
    pay.get_by_role("button", name="Enregistrer le paiement").click()
    expect(page.get_by_text("Le paiement est enregistré.")).to_be_visible()
    expect(page.get_by_text("VIR-2018-001")).to_be_visible()
    statement = Statement.objects.get(contract=contract)
    assert (statement.status, statement.payment_reference) == ("paid", "VIR-2018-001")
    check_axe(page, found, "paid statement")

    page.get_by_role(
        "link", name=f"conditions de rémunération du contrat {contract.reference}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conditions de rémunération")
    check_axe(page, found, "terms")
    page.goto(f"{live_server.url}/equipe/redevances/?state=paid")
    expect(page.get_by_role("row", name=re.compile(contract.reference))).to_contain_text("Payé")
    check_axe(page, found, "list")
    page.expected_console.append("400")  # the pay form's refusal answers 400
    assert not found, found


@pytest.mark.slow
def test_a_rights_holder_s_user_is_invited_chooses_a_password_and_lands_on_their_space(
    watched_page, browser, live_server, editor
):
    """Slow on purpose (about 9 s): two browser contexts, the invitation from the staff's
    page — sent again, the first link dead — to the holder's first sign-in."""
    page, found = watched_page, {}
    contract = contracted()
    holder = contract.rights_holder
    staff_sign_in(
        page,
        live_server,
        editor.username,
        TEST_PASSWORD,
        next_path=f"/equipe/redevances/ayants-droit/{holder.pk}/utilisateurs/",
    )
    form = page.locator("#holder-invite")
    form.get_by_label("Identifiant").fill("prod-compta")
    form.get_by_label("Adresse électronique").fill("compta@prod.example")
    form.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.get_by_role("row", name=re.compile("prod-compta"))).to_contain_text(
        "Invitation en attente"
    )
    check_axe(page, found, "holder's users")
    # the first e-mail was lost: sent again, a fresh link; the first one no longer works
    page.get_by_role("button", name="Renvoyer à prod-compta").click()
    expect(
        page.get_by_text("Une nouvelle invitation est envoyée à compta@prod.example")
    ).to_be_visible()
    check_axe(page, found, "holder's users, invitation sent again")
    first, path = (
        "/ayants-droit/" + re.search(r"/ayants-droit/(invitation/\S+/)", message.body).group(1)
        for message in mail.outbox
    )

    context = browser.new_context(locale="fr-FR")
    other = context.new_page()
    other.goto(f"{live_server.url}{first}")
    expect(other.get_by_text("Ce lien ne fonctionne plus")).to_be_visible()
    other.goto(f"{live_server.url}{path}")
    expect(
        other.get_by_role("heading", name="Bienvenue : choisissez votre mot de passe")
    ).to_be_visible()
    expect(other.get_by_text(holder.name)).to_be_visible()
    other.get_by_label("Nouveau mot de passe", exact=False).first.fill("12345678")
    other.get_by_label("Nouveau mot de passe, à nouveau").fill("12345678")
    other.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(other.locator("#id_password1-error")).to_be_visible()  # Django's validators
    check_axe(other, found, "invitation with an error")
    other.get_by_label("Nouveau mot de passe", exact=False).first.fill("un-long-mot-de-passe")
    other.get_by_label("Nouveau mot de passe, à nouveau").fill("un-long-mot-de-passe")
    other.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(other.get_by_text("Votre mot de passe est enregistré")).to_be_visible()
    other.locator("#id_staff-username").fill("prod-compta")
    other.locator("#id_staff-password").fill("un-long-mot-de-passe")
    other.locator("#staff-sign-in button[type=submit]").click()
    expect(other).to_have_url(f"{live_server.url}/ayants-droit/")
    expect(other.get_by_role("heading", name="Mes droits", level=1)).to_be_visible()
    other.goto(f"{live_server.url}{path}")  # the link worked once
    expect(other.get_by_text("Ce lien ne fonctionne plus")).to_be_visible()
    check_axe(other, found, "spent invitation")
    context.close()
    assert not found, found


@pytest.mark.slow
def test_the_royalties_pages_pass_axe_in_english(browser, live_server, editor):
    """Slow on purpose (about 7 s): five pages, each checked at two widths."""
    contract = contracted()
    from royalties.periods import year
    from royalties.services import statement_draft

    statement = statement_draft(contract=contract, period=year(2017))
    paths = [
        "/equipe/redevances/",
        f"/equipe/redevances/releves/{statement.pk}/",
        f"/equipe/redevances/contrats/{contract.pk}/conditions/",
        f"/equipe/redevances/ayants-droit/{contract.rights_holder_id}/utilisateurs/",
        "/ayants-droit/invitation/MQ/bad-token/",
    ]
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB"})
    page = context.new_page()
    staff_sign_in(page, live_server, editor.username, TEST_PASSWORD)
    found = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status in (200, 400), (path, response.status)
        assert page.evaluate("document.documentElement.lang") == "en"
        check_axe(page, found, path)
    expect(page.get_by_text("This link no longer works")).to_be_visible()
    context.close()
    assert not found, found
