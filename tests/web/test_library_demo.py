"""Right after `make run`, the demo library's back office has something in every part of
its dashboard — its subscription and credits, streaming use past an alert of its annual
cap, a film it uses leaving soon, an invoice to pay, an order shipped, a screening whose
file can be downloaded — and `demo_logins` says where each of the issue's journeys
starts and with which login; each journey's data is there (a film to screen and one
that may not be screened on a later day, a DVD edition refused, a network with members)."""

import datetime
import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from catalogue.models import Film
from institutions.models import Institution
from notices.demo import LEAVING_IN_DAYS
from rights.decisions import decide
from rights.models import Medium
from subscriptions.models import CapAlert, Invoice, StreamingLoan, Subscription

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def office(demo_data):
    client = Client()
    client.force_login(User.objects.get(username="library-admin"))
    return client


def _section(page: str, title_id: str) -> str:
    start = page.index(f'id="{title_id}"')
    return page[start : page.find("</section>", start)]


def test_every_part_of_the_demo_librarys_dashboard_has_something(office):
    page = unescape(office.get("/bibliotheque/").content.decode())
    subscription = _section(page, "subscription-title")
    assert "Abonnement à la plateforme" in subscription
    assert int(re.search(r'data-credits="(\d+)"', subscription).group(1)) > 0
    streaming = _section(page, "streaming-title")
    used, cap, percent = map(
        int, re.search(r"(\d+) films sur (\d+) \((\d+) %\)", streaming).groups()
    )
    assert 70 <= percent < 100 and percent == used * 100 // cap
    assert "70 % atteint" in streaming and "80 % atteint" in streaming
    assert "100 % non atteint" in streaming
    to_do = _section(page, "todo-title")
    assert "Facture 20" in to_do and "à payer" in to_do
    assert "a été expédiée" in to_do
    assert "peut être téléchargé" in to_do
    leaving = _section(page, "leaving-title")
    assert "Projection publique" in leaving and "une projection publique est réservée" in leaving


def test_the_demo_figures_hold_together(demo_data):
    """The cap's alerts are those the playback start would have written, the invoice is
    the demo library's own and still due, and the film leaving soon still may be screened
    on its booked day but not after its last day."""
    library = Institution.objects.get(code="BIB-00001")
    alert = CapAlert.objects.filter(library=library).order_by("threshold").last()
    subscription = alert.subscription
    loans = StreamingLoan.objects.filter(subscription=subscription, library=library).count()
    assert subscription.library_annual_films == alert.cap
    assert {a.threshold for a in CapAlert.objects.filter(library=library)} == {
        t for t in CapAlert.THRESHOLDS if loans * 100 >= t * alert.cap
    }
    # no member of the network went past the cap
    for member_loans in (
        StreamingLoan.objects.filter(subscription=subscription)
        .values_list("library_id", flat=True)
        .distinct()
    ):
        used = StreamingLoan.objects.filter(subscription=subscription, library_id=member_loans)
        assert used.count() <= subscription.library_annual_films
    invoice = Invoice.objects.get(subscription__subscriber=library)
    assert invoice.status == Invoice.Status.ISSUED and invoice.due_on >= timezone.localdate()
    assert invoice.subscription.ends_on < timezone.localdate()  # a new pack may be bought
    booking = library.screening_bookings.filter(
        status="booked", starts_at__gte=timezone.now()
    ).earliest("starts_at")
    last_day = timezone.localdate() + datetime.timedelta(days=LEAVING_IN_DAYS)
    on_the_day = decide(library, booking.film, Medium.PUBLIC_SCREENING, on=booking.starts_at.date())
    assert on_the_day.allowed and on_the_day.valid_until == last_day
    after = decide(
        library,
        booking.film,
        Medium.PUBLIC_SCREENING,
        on=last_day + datetime.timedelta(days=1),
    )
    assert not after.allowed
    assert Subscription.objects.filter(subscriber=library).count() == 1


def test_demo_logins_prints_each_journeys_start_and_login(demo_data):
    out = io.StringIO()
    call_command("demo_logins", "--port", "8123", stdout=out)
    printed = out.getvalue()
    office = "http://127.0.0.1:8123/bibliotheque/"
    assert f"Library back office: {office}" in printed
    for number, page in enumerate(
        ("abonnement/", "dvd/", "usagers/", "statistiques/", "equipe/"), start=1
    ):
        line = next(line for line in printed.splitlines() if line.startswith(f"  {number}. "))
        assert f"library-admin: {office}{page}" in line
    assert "network-admin" in printed
    screening = next(line for line in printed.splitlines() if line.startswith("  1. "))
    reference = re.search(r"\((CN-\d+)\) for (\S+);", screening)
    film_day = datetime.date.fromisoformat(reference.group(2))
    library = Institution.objects.get(code="BIB-00001")
    film = Film.objects.get(reference=reference.group(1))
    assert decide(library, film, Medium.PUBLIC_SCREENING, on=film_day).allowed
    dvd = next(line for line in printed.splitlines() if line.startswith("  2. "))
    refused = Film.objects.get(reference=re.search(r"\((CN-\d+)\) is refused", dvd).group(1))
    assert refused.dvd_editions.exists()
    assert not decide(library, refused, Medium.DVD).allowed


def test_the_network_administrator_reads_its_members(demo_data):
    client = Client()
    admin = User.objects.get(username="network-admin")
    client.force_login(admin)
    library = Institution.objects.get(code="BIB-00001")
    assert admin.institution.memberships.count() > 1
    page = unescape(client.get("/bibliotheque/statistiques/").content.decode())
    assert 'name="institution"' in page and f'value="{library.pk}">{library.name}<' in page
    member = client.get("/bibliotheque/statistiques/", {"institution": library.pk})
    assert member.status_code == 200


def test_the_demo_library_has_daily_update_files(office):
    """The records page lists the demo library's update files, computed by the daily
    task's service for the last days: the first holds a new record of every film the
    rights engine lets the library stream that day (as a library's first file does)."""
    from records.demo import DAYS
    from records.models import RecordChange, RecordHolding
    from records.selectors import available_film_ids

    library = Institution.objects.get(code="BIB-00001")
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=DAYS - 1)
    changes = RecordChange.objects.filter(institution=library)
    assert changes.filter(day__gte=first_day, day__lte=today).count() == changes.count() > 0
    first = changes.filter(day=first_day, kind=RecordChange.Kind.NEW)
    assert set(first.values_list("film_id", flat=True)) == available_film_ids(library, on=first_day)
    # what the library holds now is what it may stream today
    held = set(RecordHolding.objects.filter(institution=library).values_list("film_id", flat=True))
    assert held == available_film_ids(library, on=today)
    page = unescape(office.get("/bibliotheque/notices/").content.decode())
    updates = page[page.index('id="records-updates"') :]
    assert first_day.strftime("%d/%m/%Y") in updates
    assert f"/api/v1/records/updates/{first_day:%Y-%m-%d}/?format=marc21" in updates
    assert "records-updates" in page
    # the other libraries are left to the daily task
    assert not RecordChange.objects.exclude(institution=library).exists()


def test_the_demo_library_s_selections_hold_films_its_patrons_may_watch(demo_data):
    """A patron of the demo library finds films to watch in its selections (the engine's
    answer for home streaming today), beside others."""
    from editorial.models import LibrarySelection

    library = Institution.objects.get(code="BIB-00001")
    selections = LibrarySelection.objects.filter(institution=library).prefetch_related(
        "items__film"
    )
    assert selections.count() == 2
    for selection in selections:
        films = [item.film for item in selection.items.all()]
        assert len(films) == 5
        watchable = [film for film in films if decide(library, film, Medium.STREAM_HOME).allowed]
        assert len(watchable) >= 1, selection.title
