"""Every page of the web client passes axe-core (WCAG 2.1 A and AA, the RGAA's reference)
with no violation, in French and in English, on a wide screen (1280 px) and a phone
(375 px), with no console error and no request to another host; and the JavaScript a page
other than the watch page loads stays within 50 KB compressed."""

from __future__ import annotations

import gzip
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders

from rights.models import Medium
from tests.browser.web.conftest import axe_violations
from tests.editorial.conftest import film_with
from tests.web.conftest import collection

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 375)


@pytest.fixture
def site(watchable, registered, library, streaming_subscription):
    """A little of everything the pages show: the scale film with a director and a theme
    in a published collection, another film, the patron's list, a selection of the
    patron's library with both films (one the patron may watch, one not)."""
    from catalogue.models import Person, Theme
    from editorial.models import SavedFilm
    from editorial.services import library_selection_create, library_selection_item_add

    director = Person.objects.create(
        name="Agnès Varda", sort_name="Varda, Agnès", portrait="Une œuvre."
    )
    theme = Theme.objects.create(name="Travail", slug="travail", description="Le travail.")
    watchable.directors.add(director)
    watchable.themes.add(theme)
    other = film_with(Medium.DVD, title="Sur DVD")
    shown = collection("favourites", [watchable, other], title="Coups de cœur")
    SavedFilm.objects.create(user=registered.user, film=watchable)
    selection = library_selection_create(
        institution=library, title="Coups de cœur", description="Ce que l'équipe a aimé."
    )
    library_selection_item_add(selection=selection, film=watchable.pk, note="Un classique.")
    library_selection_item_add(selection=selection, film=other.pk)
    statement = _holder_with_a_statement(watchable)
    return {
        "public": [
            "/",
            "/films/",
            "/films/?q=glaneurs&french_subtitles=on",
            f"/films/{watchable.reference}",
            f"/films/{watchable.reference}?bib={library.code}",
            f"/realisateurs/{director.pk}",
            "/themes/",
            "/themes/travail",
            f"/selections/{shown.pk}",
            "/bibliotheques/?q=Médiathèque",
            "/connexion/",
            "/accessibilite/",
            "/mentions-legales/",
            "/donnees-personnelles/",
        ],
        "patron": [
            f"/films/{watchable.reference}",
            f"/films/{watchable.reference}/regarder",
            "/mon-espace/",
            "/mon-espace/donnees/",
            "/mon-espace/selections/",
            f"/mon-espace/selections/{selection.pk}",
        ],
        "holder": [
            "/ayants-droit/",
            f"/ayants-droit/releves/{statement.pk}",
            f"/ayants-droit/films/{watchable.pk}?periode=2017",
        ],
    }


def _holder_with_a_statement(film):
    """A rights holder's user (`holder-demo`) whose contract for the film has an approved
    2017 statement and a right ending within 180 days."""
    import datetime

    from django.utils import timezone

    from accounts.models import User
    from royalties.models import PaymentTerms, PerUseRate, RightsHolderMember
    from royalties.periods import year
    from royalties.services import statement_approve, statement_draft
    from tests.rights.conftest import ContractFactory, GrantFactory

    contract = ContractFactory()
    today = timezone.localdate()
    GrantFactory(contract=contract, film=film, medium=Medium.DVD, starts_on=datetime.date(2017, 1, 1),
                 ends_on=today + datetime.timedelta(days=60))  # fmt: skip
    terms = PaymentTerms.objects.create(
        contract=contract, valid_from=datetime.date(2017, 1, 1), flat_fee=500, fee_schedule="yearly"
    )
    PerUseRate.objects.create(terms=terms, medium=Medium.DVD, unit="copy", rate=3)
    user = User.objects.create_user(
        username="holder-demo", password="Lumiere-1895!", role=User.Role.RIGHTS_HOLDER
    )
    RightsHolderMember.objects.create(user=user, rights_holder=contract.rights_holder)
    return statement_approve(statement=statement_draft(contract=contract, period=year(2017)))


def _check_pages(browser, live_server, paths, *, language, sign_in=None) -> dict:
    found = {}
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    console, foreign = [], []
    own = urlparse(live_server.url).netloc
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    page.on(
        "request",
        lambda r: (
            foreign.append(r.url)
            if urlparse(r.url).netloc not in (own, "") and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    if sign_in:
        sign_in(page)
    for path in paths:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if width == WIDTHS[0]:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, (path, response.status)
                assert page.evaluate("document.documentElement.lang") == language[:2]
            violations = axe_violations(page)
            if violations:
                found[f"{path} @{width} ({language})"] = violations
    context.close()
    assert not console, console
    assert not foreign, foreign
    return found


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr-FR", "en-GB"])
def test_every_page_passes_axe_in_both_languages_and_widths(
    browser, live_server, site, library, language
):
    """Slow on purpose (46 page checks per language): each page is loaded once and
    checked at both widths."""

    def sign_in(page):
        page.goto(f"{live_server.url}/connexion/?bib={library.code}")
        page.locator("#id_card-card").fill("0012345678")
        page.locator("#id_card-pin").fill("482193")
        page.locator("#card-sign-in button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/mon-espace/")

    def holder_sign_in(page):
        page.goto(f"{live_server.url}/connexion/")
        page.locator("#id_staff-username").fill("holder-demo")
        page.locator("#id_staff-password").fill("Lumiere-1895!")
        page.locator("#staff-sign-in button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/ayants-droit/")

    found = _check_pages(browser, live_server, site["public"], language=language)
    found |= _check_pages(browser, live_server, site["patron"], language=language, sign_in=sign_in)
    found |= _check_pages(
        browser, live_server, site["holder"], language=language, sign_in=holder_sign_in
    )
    assert not found, "\n".join(
        f"{page}: {v}" for page, violations in found.items() for v in violations
    )


def test_pages_other_than_the_watch_page_load_at_most_50_kb_of_javascript(
    browser, live_server, site
):
    page = browser.new_page()
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(f"{live_server.url}/films/")
    total = 0
    for url in set(scripts):
        path = urlparse(url).path.removeprefix("/static/")
        found = finders.find(path)
        assert found, url
        with open(found, "rb") as script:
            total += len(gzip.compress(script.read(), compresslevel=9))
    page.close()
    assert 0 < total <= 50 * 1024, total


def test_the_axe_check_does_find_violations(browser):
    """The harness is not blind: a page with an unlabelled field and an image without a
    text alternative fails it."""
    page = browser.new_page()
    page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    found = " ".join(axe_violations(page))
    page.close()
    assert "image-alt" in found and "label" in found
