"""The web client's journeys in chromium (Playwright): what a patron does, with the
keyboard only where it matters, in French (the default). No console error and no request
to another host on any of them (`watched_page`)."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from editorial.models import SavedFilm
from media.models import PlaybackSession
from rights.models import Medium
from subscriptions.models import StreamingLoan
from tests.browser.scale_film import SEGMENT_SECONDS
from tests.browser.web.conftest import CARD, PIN
from tests.editorial.conftest import film_with

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_with_card(page):
    page.locator("#id_card-card").fill(CARD)
    page.locator("#id_card-pin").fill(PIN)
    page.get_by_role("button", name="Me connecter avec ma carte").click()


def eventually(read, seconds: float = 5.0):
    """What `read()` answers once it answers something (the page's requests are
    asynchronous), or a failure after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = read()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"nothing after {seconds} s")


def current_time(page) -> float:
    return page.evaluate("document.getElementById('player-video').currentTime")


def play_until(page, seconds: float) -> None:
    page.wait_for_function(
        f"() => document.getElementById('player-video').currentTime > {seconds}", timeout=20_000
    )


@pytest.mark.slow
def test_a_patron_comes_from_the_record_link_watches_with_sdh_and_resumes(
    watched_page, live_server, watchable, registered, library
):
    """Slow on purpose (about 10 s): it plays the scale film twice in real time, to
    prove playback, the SDH choice and the resume position."""
    page = watched_page
    film_url = f"{live_server.url}/films/{watchable.reference}"
    page.goto(f"{film_url}?bib={library.code}")
    page.get_by_role("link", name="Me connecter avec ma carte de bibliothèque").click()
    expect(page.get_by_text(f"Usager de {library.name}")).to_be_visible()
    sign_in_with_card(page)
    expect(page).to_have_url(film_url)
    expect(page.get_by_text("Regarder à domicile")).to_be_visible()

    page.get_by_role("link", name="Regarder le film").click()
    expect(page.locator("#quota")).to_be_visible()
    page.get_by_role("button", name="Lecture").click()
    play_until(page, 3)
    expect(page.locator("#player-play")).to_have_text("Pause")

    subtitles = page.get_by_label("Sous-titres", exact=True)
    sdh = subtitles.locator("option", has_text="sourds")
    subtitles.select_option(sdh.get_attribute("value"))
    page.wait_for_function(
        "() => window.catalogPlayer.hls().subtitleTrack >= 0 && "
        "window.catalogPlayer.hls().subtitleTracks[window.catalogPlayer.hls().subtitleTrack]"
        ".name.includes('sourds')"
    )
    left_at = current_time(page)
    page.get_by_role("link", name="Retour à la page du film").click()
    expect(page).to_have_url(film_url)
    session = eventually(  # leaving the page ended the session where the patron was
        lambda: PlaybackSession.objects.filter(film=watchable, ended_at__isnull=False).first()
    )
    assert abs(session.position_seconds - left_at) < 1.0

    page.goto(f"{film_url}/regarder")
    page.get_by_role("button", name="Lecture").click()
    page.wait_for_function("() => document.getElementById('player-video').currentTime > 0.1")
    assert abs(current_time(page) - left_at) <= SEGMENT_SECONDS
    expect(page.locator("#player-status")).to_have_text("Reprise là où vous vous étiez arrêté.")
    assert PlaybackSession.objects.filter(film=watchable, ended_at__isnull=True).count() == 1


def test_search_finds_accents_and_a_filter_narrows_the_list_in_the_url(
    watched_page, live_server, watchable
):
    page = watched_page
    film_with(Medium.DVD, title="Sans sous-titres", has_french_subtitles=False)
    watchable.has_french_subtitles = True
    watchable.save(update_fields=["has_french_subtitles"])
    page.goto(f"{live_server.url}/films/")
    page.get_by_role("searchbox", name="Rechercher dans le catalogue").last.fill("realite")
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.get_by_role("link", name="Réalité des glaneurs")).to_be_visible()
    assert "q=realite" in page.url

    page.goto(f"{live_server.url}/films/")
    expect(page.get_by_text("Sans sous-titres")).to_be_visible()
    page.get_by_role("button", name="Filtres").click()  # folded while no filter is on
    page.locator("label[for=id_french_subtitles]").click()
    expect(page.get_by_text("Sans sous-titres")).to_have_count(0)  # htmx: the results only
    expect(page).to_have_url(re.compile(r"french_subtitles=on"))
    page.reload()
    expect(page.get_by_label("Sous-titres français")).to_be_checked()
    expect(page.get_by_text("Sans sous-titres")).to_have_count(0)


def test_at_the_monthly_quota_the_patron_reads_why_and_keeps_the_film_for_later(
    watched_page, live_server, watchable, registered, library, streaming_subscription
):
    page = watched_page
    streaming_subscription.patron_monthly_films = 2
    streaming_subscription.save(update_fields=["patron_monthly_films"])
    now = timezone.now()
    for _ in range(2):
        StreamingLoan.objects.create(
            subscription=streaming_subscription, library=library, user=registered.user,
            film=film_with(Medium.STREAM_HOME), started_at=now, window_ends_at=now,
            day=timezone.localdate(),
        )  # fmt: skip
    page.goto(f"{live_server.url}/connexion/?bib={library.code}")
    sign_in_with_card(page)
    page.goto(f"{live_server.url}/films/{watchable.reference}/regarder")
    renews = (timezone.localdate().replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    quota = page.locator("#quota")
    expect(quota).to_contain_text("Vous avez regardé vos 2 films du mois")
    expect(quota).to_contain_text(str(renews.year))

    page.expected_console = ["status of 429"]  # the playback API's refusal, shown below
    page.get_by_role("button", name="Lecture").click()  # the API says the same, as a sentence
    expect(page.locator("#player-error")).to_contain_text("films du mois")

    page.goto(f"{live_server.url}/films/{watchable.reference}")
    page.get_by_role("button", name="Ajouter à ma liste").click()
    expect(page.get_by_role("button", name="Dans ma liste — retirer")).to_be_visible()
    assert SavedFilm.objects.filter(user=registered.user, film=watchable).exists()
    page.goto(f"{live_server.url}/mon-espace/")
    expect(page.get_by_role("link", name="Réalité des glaneurs")).to_be_visible()


def test_a_rating_reaches_most_appreciated_after_the_editorial_refresh(
    watched_page, live_server, watchable, registered, library, streaming_subscription, settings
):
    page = watched_page
    settings.APPRECIATED_MIN_RATINGS = 1
    now = timezone.now()
    PlaybackSession.objects.create(
        film=watchable, user=registered.user, institution=library,
        subscription=streaming_subscription, medium=Medium.STREAM_HOME, started_at=now,
        last_heartbeat_at=now, ended_at=now,
    )  # fmt: skip
    page.goto(f"{live_server.url}/connexion/?bib={library.code}")
    sign_in_with_card(page)
    page.goto(f"{live_server.url}/films/{watchable.reference}")
    page.locator("label[for=stars-4]").click()
    page.get_by_role("button", name="Enregistrer ma note").click()
    expect(page.locator("#rating-status")).to_have_text("Merci : votre note est enregistrée.")

    page.goto(f"{live_server.url}/")
    appreciated = page.locator("section", has=page.locator("#appreciated-title"))
    expect(appreciated).not_to_contain_text("Réalité des glaneurs")
    call_command("refresh_appreciated")
    page.reload()
    expect(appreciated).to_contain_text("Réalité des glaneurs")
    expect(appreciated).to_contain_text("4,00 sur 5")


@pytest.mark.slow
def test_the_watch_page_works_with_the_keyboard_only(
    watched_page, live_server, watchable, registered, library
):
    """Slow on purpose (about 6 s): real-time playback, driven by keys only."""
    page = watched_page
    page.goto(f"{live_server.url}/connexion/?bib={library.code}")
    sign_in_with_card(page)
    page.goto(f"{live_server.url}/films/{watchable.reference}")
    watch = page.get_by_role("link", name="Regarder le film")
    for _ in range(60):  # Tab to the link as a keyboard user does
        page.keyboard.press("Tab")
        if watch.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the Watch link cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/regarder$"))
    play = page.locator("#player-play")
    for _ in range(60):
        page.keyboard.press("Tab")
        if play.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the Play button cannot be reached with Tab")
    page.keyboard.press("Enter")
    play_until(page, 1)
    page.keyboard.press("Enter")  # pause
    expect(play).to_have_text("Lecture")
    assert page.evaluate("document.getElementById('player-video').paused")
    page.keyboard.press("Tab")  # to the subtitles list
    subtitles = page.locator("#player-subtitles")
    assert subtitles.evaluate("element => element === document.activeElement")
    before = page.evaluate("window.catalogPlayer.hls().subtitleTrack")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"() => window.catalogPlayer.hls().subtitleTrack !== {before}")
