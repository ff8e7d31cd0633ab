"""A long file in chromium: the statistics page offers to prepare a long table's CSV; once
asked, its part says "being prepared" and htmx asks for it again every 2 s; when a worker
has prepared the file (here: the test, in place of the worker), the part offers the
download without a reload, polling stops, and the page passes axe-core in both states."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from stats.models import StatsExport
from stats.services import stats_export_prepare
from tests.browser.web.conftest import axe_violations
from tests.browser.web.test_library_admin import staff_sign_in
from tests.factories import TEST_PASSWORD, FilmFactory
from tests.stats.conftest import make_view

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.slow
def test_a_long_csv_is_prepared_in_the_background_and_offered_when_ready(
    watched_page, live_server, library, library_admin, settings, monkeypatch
):
    """Slow on purpose (about 8 s): the sign-in, axe-core run twice, and htmx's polling,
    which asks every 2 s — the test waits for the poll that brings the ready file."""
    settings.STATS_EXPORT_BACKGROUND_ROWS = 1
    # no worker: the task is queued and waits (the test plays the worker below)
    monkeypatch.setattr("stats.tasks.stats_export_prepare.delay", lambda *args: None)
    day = datetime.date(datetime.date.today().year, 1, 15)
    for title in ("Les Glaneurs", "Sans soleil"):
        make_view(library=library, film=FilmFactory(title=title), day=day, viewer="a")
    page = watched_page
    staff_sign_in(
        page,
        live_server,
        library_admin.username,
        TEST_PASSWORD,
        next_path="/bibliotheque/statistiques/?group_by=film",
    )
    page.get_by_role("button", name="Préparer le CSV : Visionnages").click()
    part = page.locator("#exports [data-export-state]")
    expect(part).to_have_attribute("data-export-state", "pending")
    expect(part).to_contain_text("En cours de préparation")
    expect(part.get_by_role("link", name="Actualiser la page")).to_be_visible()
    assert axe_violations(page) == []

    export = StatsExport.objects.get()
    stats_export_prepare(export_id=export.pk)

    expect(part).to_have_attribute("data-export-state", "ready", timeout=8_000)
    assert part.get_attribute("hx-trigger") is None  # polling stopped
    with page.expect_download() as download:
        part.get_by_role("link", name=f"Télécharger {export.filename}").click()
    body = open(download.value.path(), encoding="utf-8").read()
    assert "Les Glaneurs" in body and "Sans soleil" in body
    assert axe_violations(page) == []
