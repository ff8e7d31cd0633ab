"""The web client in a real browser: a library whose network subscribes, a patron
registered with a card and PIN, the scale film with French and SDH subtitles on the local
store (the embedded default), and axe-core (npm, pinned) run by axe-playwright-python to check pages."""

from __future__ import annotations

import functools
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalogue.search import film_search_refresh
from tests.browser.conftest import ROOT
from tests.browser.scale_film import store_scale_film
from tests.browser.support import unavailable
from tests.media.conftest import (  # noqa: F401 (fixtures used by these tests)
    grid,
    local_store,
    streamable_film,
    streaming_subscription,
    today,
)

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CARD, PIN = "0012345678", "482193"
#: what axe checks: WCAG 2.1 A and AA (the RGAA's reference)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def registered(library):
    from subscriptions.services.patrons import patron_register

    return patron_register(institution=library, card=CARD, pin=PIN, home_area="69")


@pytest.fixture
def watchable(streamable_film, streaming_subscription, scale_ladder, settings, local_store):  # noqa: F811
    """The scale film on the local store, with French and SDH subtitles, its title a
    search can find."""
    film = store_scale_film(streamable_film, scale_ladder, settings, sdh=True)
    film.title = "Réalité des glaneurs"
    film.save(update_fields=["title"])
    film_search_refresh(film_ids=[film.pk])
    return film


def axe_violations(page) -> list[str]:
    """What axe-core finds on the page as it is now (WCAG 2.1 A and AA), run by
    axe-playwright-python with the axe-core that package.json pins. The script is evaluated
    through the browser's devtools, which the page's Content-Security-Policy does not
    restrict (an injected <script> would be refused, rightly)."""
    if not AXE_JS.exists():
        unavailable(f"{AXE_JS.relative_to(ROOT)} is missing: run `make js`")
    result = _axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result.response["violations"]
    ]


@functools.cache
def _axe() -> Axe:
    return Axe.from_file(AXE_JS)


@pytest.fixture
def watched_page(browser, live_server, settings, local_store):  # noqa: F811
    """A page in French (the browser's language, as a French patron's), recording every
    request to a host other than the live server's and every console error; the test
    asserts there is none. It asks for the settings and the store first, so it is closed
    before they are restored: no request of its own reaches a store that is gone."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.console_lines.append(f"pageerror: {error}"))
    page.set_default_timeout(15_000)
    page.expected_console = []  # a test expecting an error (a refusal it shows) names it
    page.failed_responses = []
    page.on(
        "response",
        lambda response: (
            page.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    own = urlparse(live_server.url).netloc
    page.foreign_requests = []
    page.on(
        "request",
        lambda request: (
            page.foreign_requests.append(request.url)
            if urlparse(request.url).netloc not in (own, "")
            and not request.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    yield page
    # a session the page still holds ends now, not while the test's data is being flushed
    if not page.is_closed() and page.url.startswith(live_server.url):
        page.evaluate("async () => { if (window.catalogPlayer) await window.catalogPlayer.end(); }")
    context.close()
    errors = [
        line
        for line in page.console_lines
        if line.startswith(("error", "pageerror"))
        and not any(expected in line for expected in page.expected_console)
    ]
    assert not errors, (errors, page.failed_responses)
    assert not page.foreign_requests, page.foreign_requests
