"""Browser fixtures: Debian's chromium driven by Playwright, a Django live server on
127.0.0.1, and a page on another origin that hosts hls.js (from node_modules/, installed
by `make js` as package-lock.json pins it). The web client's tests build on these.

- `browser` (module): headless chromium, started once per test module. Playwright's own
  browser builds are never downloaded: `executable_path` is the system's chromium
  (.ci/run installs it). Without the background-networking flags chromium's own
  connections are refused on a closed network; each launch has a fresh temporary
  profile (user data dir). Not once per session: Playwright's synchronous API keeps an
  event loop on the main thread while it runs, beside which Django refuses synchronous
  ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set — set here for the module's tests
  only, so it never reaches other tests nor their subprocesses (`check --deploy` refuses
  it). A launch costs about a second.
- `page` (test): a fresh browser context and page; what the page logged to its console
  is kept in `page.console_lines`.
- `live_server` (session): pytest-django's live server, bound to 127.0.0.1 (pytest-django
  makes every test using it transactional, so the server sees the test's data).
- `page_origin` (session): a static server on another port of 127.0.0.1 — another origin
  than the API — serving tests/browser/pages/ and node_modules/ under /vendor/.
- `hls_page` (test): `page` opened on the hls.js harness (pages/player.html), with that
  origin allowed by the API's CORS settings.

Under CI=true a missing chromium or hls.js fails the test; elsewhere it is skipped with
the reason.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.browser.scale_film import scale_ladder  # noqa: F401 (one encoding per session)
from tests.browser.support import unavailable

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
NODE_MODULES = ROOT / "node_modules"
HLS_JS = NODE_MODULES / "hls.js" / "dist" / "hls.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]


def pytest_collection_modifyitems(config, items):
    """Every test that drives the browser is marked `browser` (`-m "not browser"`); under
    pytest-xdist the tests here run on one worker (`--dist loadgroup`), which starts
    chromium and encodes the scale film once."""
    here = Path(__file__).resolve().parent
    grouped = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if grouped and here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        unavailable("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser(chromium_executable):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (make setup)")
    # Playwright's synchronous API keeps an event loop on this thread; the tests' own ORM
    # calls (and the database's flush after each test) are synchronous code that Django
    # would otherwise refuse to run beside it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.console_lines.append(f"pageerror: {error}"))
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server on 127.0.0.1 and a free port (its default address is
    `localhost`, which chromium may resolve to ::1)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
    }

    def translate_path(self, path):
        # /vendor/<package>/... comes from node_modules/, the rest from pages/
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith("/vendor/"):
            return str(NODE_MODULES / clean.removeprefix("/vendor/"))
        return super().translate_path(path)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def page_origin():
    """`http://127.0.0.1:<port>`: the harness pages and node_modules/, on an origin other
    than the live server's."""
    if not HLS_JS.exists():
        unavailable(f"{HLS_JS.relative_to(ROOT)} is missing: run `make js`")
    handler = functools.partial(_QuietHandler, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hls_page(page, page_origin, settings):
    """The hls.js harness, its origin allowed to call the API and load the streams."""
    settings.CORS_ALLOWED_ORIGINS = [page_origin]
    page.goto(f"{page_origin}/player.html")
    page.wait_for_function("window.Hls !== undefined && window.playback !== undefined")
    assert page.evaluate("Hls.isSupported()"), "this chromium has no Media Source Extensions"
    return page
