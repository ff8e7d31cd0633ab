"""Long files prepared in the background, in the back office: past a threshold the
statistics page and the records page offer to prepare a CSV or a full MARC file instead
of writing it in the request; the file's part of the page says "being prepared" and is
polled by htmx every 2 s (a plain link refreshes without JavaScript), then offers the
download; the files are the institution's staff's only and expire; a file that cannot be
prepared says why; bad input is a 4xx."""

import csv
import datetime
import io
import time
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from backend.exports import ExportState, export_run, exports_sweep
from records.models import RecordsExport
from records.services import records_export_prepare
from rights.models import Medium
from stats import services as stats_services
from stats.models import StatsExport
from stats.services import stats_export_prepare, stats_exports_sweep
from tests.editorial.conftest import film_with
from tests.factories import FilmFactory, UserFactory
from tests.records.conftest import subscribe
from tests.stats.conftest import make_view
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 14)
STATS = "/bibliotheque/statistiques/"
RECORDS = "/bibliotheque/notices/"
ASK = {"table": "views", "group_by": "film", "start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def views(library):
    for title in ("Les Glaneurs", "Sans soleil", "Le Joli Mai"):
        film = FilmFactory(title=title)
        for viewer in ("a", "b"):
            make_view(library=library, film=film, day=DAY, viewer=viewer, seconds=600)


@pytest.fixture
def background(settings):
    """Every table and full file is 'large': prepared in the background."""
    settings.STATS_EXPORT_BACKGROUND_ROWS = 2
    settings.RECORDS_EXPORT_BACKGROUND_RECORDS = 1


def post(client, url, data, page=STATS):
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(client, page), **data})


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a file, its task run once the request's transaction commits (as in
    `make run`, where tasks run in-process)."""

    def asking(client, url, data, page=STATS):
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, url, data, page)

    return asking


def polled(client, export, kind="statistiques"):
    return client.get(f"/bibliotheque/fichiers/{kind}/{export.pk}/", HTTP_HX_REQUEST="true")


def test_a_small_table_stays_a_link_a_long_one_is_prepared(staff_web, views, settings):
    settings.STATS_EXPORT_BACKGROUND_ROWS = 2
    page = staff_web.get(STATS, {"group_by": "film", "start": "2025-01-01"}).content.decode()
    # the film table has 3 rows: prepared; the screenings' (none by film) stays a link
    assert 'name="table" value="views"' in page
    assert "csv=screenings" in page and "csv=views" not in page
    # its button says how many rows the file holds (the table's, no count asked)
    assert "Préparer le CSV : Visionnages (3 lignes)" in unescape(page)


def test_a_long_tables_csv_typed_by_hand_leads_to_its_preparation(staff_web, views, settings):
    """`?csv=views` typed for a table longer than the threshold writes no CSV in the
    request and asks for nothing (a GET): back to the page at the table, whose button
    prepares it, with a sentence saying so. At the threshold the CSV is written."""
    settings.STATS_EXPORT_BACKGROUND_ROWS = 2
    query = {"group_by": "film", "start": "2025-01-01", "end": "2025-12-31"}
    response = staff_web.get(STATS, {**query, "csv": "views"})
    assert response.status_code == 302
    assert response["Location"] == (
        STATS + "?group_by=film&start=2025-01-01&end=2025-12-31#stats-views"
    )
    assert not StatsExport.objects.exists()
    page = unescape(staff_web.get(response["Location"]).content.decode())
    assert "Ce tableau compte 3 lignes" in page
    assert 'name="table" value="views"' in page  # the button that prepares it
    assert "Ce tableau compte" not in staff_web.get(STATS, query).content.decode()  # once

    settings.STATS_EXPORT_BACKGROUND_ROWS = 3
    written = staff_web.get(STATS, {**query, "csv": "views"})
    assert written.status_code == 200 and written["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(written.content.decode())))
    assert sorted(row["film_title"] for row in rows) == [
        "Le Joli Mai",
        "Les Glaneurs",
        "Sans soleil",
    ]


def test_a_short_tables_csv_builds_that_table_only(staff_web, views, settings):
    settings.STATS_EXPORT_BACKGROUND_ROWS = 2
    query = {"group_by": "film", "start": "2025-01-01", "end": "2025-12-31", "csv": "screenings"}
    with CaptureQueriesContext(connection) as queries:
        response = staff_web.get(STATS, query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    sql = [query["sql"] for query in queries.captured_queries]
    assert any("subscriptions_screeningbooking" in statement for statement in sql)
    assert not any("media_viewevent" in statement for statement in sql)  # the views' tables


def test_the_stats_csv_is_prepared_polled_and_offered(
    staff_web, views, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        asked = post(staff_web, STATS + "fichiers/", ASK)
    assert asked.status_code == 302 and asked["Location"].endswith("#exports")
    export = StatsExport.objects.get()
    assert export.state == ExportState.PENDING and len(queued) == 1
    assert export.estimated_rows == 3  # the film table's rows, counted by the database
    page = unescape(staff_web.get(asked["Location"]).content.decode())
    assert "En cours de préparation" in page and 'hx-trigger="every 2s"' in page
    assert "environ 3 lignes" in page
    assert 'href="/bibliotheque/statistiques/?' in page  # the refresh link, without JS
    part = polled(staff_web, export).content.decode()
    assert 'hx-trigger="every 2s"' in part and "telecharger" not in part

    queued[0]()  # the worker runs the task

    export.refresh_from_db()
    assert export.state == ExportState.READY and export.rows == 3
    part = polled(staff_web, export).content.decode()
    assert "hx-trigger" not in part  # polling stops
    download = f"/bibliotheque/fichiers/statistiques/{export.pk}/telecharger"
    assert f'href="{download}"' in part
    response = staff_web.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="views-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted((row["film_title"], row["views"]) for row in rows) == [
        ("Le Joli Mai", "2"),
        ("Les Glaneurs", "2"),
        ("Sans soleil", "2"),
    ]


def test_asking_twice_prepares_once(staff_web, views, background, ask):
    ask(staff_web, STATS + "fichiers/", ASK)
    token = csrf_of(staff_web, STATS)
    with CaptureQueriesContext(connection) as queries:
        again = staff_web.post(STATS + "fichiers/", {"csrfmiddlewaretoken": token, **ASK})
    assert again.status_code == 302
    assert StatsExport.objects.count() == 1
    assert StatsExport.objects.get().state == ExportState.READY  # tasks run in-process here
    # the second ask finds the file: the table's rows are not counted again
    assert not any("media_viewevent" in query["sql"] for query in queries.captured_queries)


def test_without_htmx_the_part_is_the_page(staff_web, views, background, ask):
    ask(staff_web, STATS + "fichiers/", ASK)
    export = StatsExport.objects.get()
    response = staff_web.get(f"/bibliotheque/fichiers/statistiques/{export.pk}/")
    assert response.status_code == 302 and response["Location"] == STATS + "#exports"


@pytest.mark.parametrize(
    "wrong",
    [{"table": "nope"}, {"group_by": "planet"}, {"start": "2025-06-01", "end": "2025-01-01"}],
)
def test_bad_input_is_refused_and_nothing_is_asked(staff_web, views, background, wrong):
    response = post(staff_web, STATS + "fichiers/", {**ASK, **wrong})
    assert response.status_code == 400
    assert not StatsExport.objects.exists()


def test_another_institutions_figures_are_not_found(staff_web, views, background, other_library):
    response = post(staff_web, STATS + "fichiers/", {**ASK, "institution": other_library.pk})
    assert response.status_code == 404 and not StatsExport.objects.exists()


def test_the_file_is_the_institutions_staffs_only(
    staff_web, views, background, library, other_library, patron, ask
):
    ask(staff_web, STATS + "fichiers/", ASK)
    export = StatsExport.objects.get()
    download = f"/bibliotheque/fichiers/statistiques/{export.pk}/telecharger"
    colleague = Client()
    colleague.force_login(UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library))
    assert colleague.get(download).status_code == 200
    stranger = Client()
    stranger.force_login(UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=other_library))
    assert stranger.get(download).status_code == 404
    assert polled(stranger, export).status_code == 404
    assert "Glaneurs" not in stranger.get(STATS).content.decode()
    reader = Client()
    reader.force_login(patron)
    assert reader.get(download).status_code == 403
    assert Client().get(download).status_code == 302  # to the sign-in page
    # the records' kind does not open a statistics file
    assert staff_web.get(f"/bibliotheque/fichiers/notices/{export.pk}/telecharger").status_code in (
        404,
    )
    assert staff_web.get(f"/bibliotheque/fichiers/autre/{export.pk}/").status_code == 404


def test_a_file_that_cannot_be_prepared_says_why(
    staff_web, library_admin, views, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        post(staff_web, STATS + "fichiers/", ASK)
    User.objects.filter(pk=library_admin.pk).update(is_active=False)
    queued[0]()
    export = StatsExport.objects.get()
    assert export.state == ExportState.FAILED and not export.file
    User.objects.filter(pk=library_admin.pk).update(is_active=True)
    part = unescape(polled(staff_web, export).content.decode())
    assert "Échec" in part and "Le compte qui a demandé ce fichier est fermé." in part
    assert "hx-trigger" not in part
    assert (
        staff_web.get(f"/bibliotheque/fichiers/statistiques/{export.pk}/telecharger").status_code
        == 404
    )


def test_a_producer_that_breaks_fails_the_export_not_the_request(
    staff_web, views, background, monkeypatch, ask
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("stats.services.stats_table", broken)
    asked = ask(staff_web, STATS + "fichiers/", ASK)
    assert asked.status_code == 302
    export = StatsExport.objects.get()
    assert export.state == ExportState.FAILED
    assert export.error == "Le fichier n'a pas pu être préparé. Demandez-le à nouveau plus tard."


def test_a_claimed_export_is_prepared_once(
    staff_web, views, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        post(staff_web, STATS + "fichiers/", ASK)
    export = StatsExport.objects.get()
    assert stats_export_prepare(export_id=export.pk) == ExportState.READY
    assert stats_export_prepare(export_id=export.pk) == "skipped"


def test_files_expire_and_lost_ones_fail(
    staff_web, views, background, django_capture_on_commit_callbacks, ask
):
    ask(staff_web, STATS + "fichiers/", ASK)
    ready = StatsExport.objects.get()
    storage = ready.file.storage
    assert storage.exists(ready.file.name)
    with django_capture_on_commit_callbacks(execute=False):
        post(staff_web, STATS + "fichiers/", {**ASK, "group_by": "month"})
    lost = StatsExport.objects.get(state=ExportState.PENDING)
    StatsExport.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    StatsExport.objects.filter(pk=ready.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    download = f"/bibliotheque/fichiers/statistiques/{ready.pk}/telecharger"
    assert staff_web.get(download).status_code == 404  # expired: gone at once
    assert stats_exports_sweep() == {"failed": 1, "deleted": 1}
    assert not storage.exists(ready.file.name)
    lost.refresh_from_db()
    assert lost.state == ExportState.FAILED and "trop de temps" in lost.error


def test_the_pages_cost_the_same_queries_with_more_files(staff_web, views, background, ask):
    def count(url, **headers):
        with CaptureQueriesContext(connection) as captured:
            assert staff_web.get(url, **headers).status_code == 200
        return len(captured)

    ask(staff_web, STATS + "fichiers/", ASK)
    first = StatsExport.objects.get()
    page = STATS + "?start=2025-01-01"
    one = count(page)
    part = count(f"/bibliotheque/fichiers/statistiques/{first.pk}/", HTTP_HX_REQUEST="true")
    for group_by in ("month", "library", "department"):
        ask(staff_web, STATS + "fichiers/", {**ASK, "group_by": group_by})
    assert StatsExport.objects.count() == 4
    assert count(page) == one
    assert count(f"/bibliotheque/fichiers/statistiques/{first.pk}/", HTTP_HX_REQUEST="true") == part


# --- the full MARC file ---------------------------------------------------------------


@pytest.fixture
def streamable(network, library):
    subscribe(network)
    return [film_with(Medium.STREAM_HOME, title=title) for title in ("Les Glaneurs", "Sans soleil")]


def test_a_large_full_file_is_prepared_then_offered(
    staff_web, streamable, background, django_capture_on_commit_callbacks
):
    page = unescape(staff_web.get(RECORDS).content.decode())
    assert "2 notices" in page and 'href="/api/v1/records/?format=' not in page
    assert 'name="format" value="marcxml"' in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        asked = post(staff_web, RECORDS + "fichiers/", {"format": "marcxml"}, page=RECORDS)
    assert asked.status_code == 302 and asked["Location"] == RECORDS + "#exports"
    export = RecordsExport.objects.get()
    assert 'hx-trigger="every 2s"' in polled(staff_web, export, "notices").content.decode()
    queued[0]()
    export.refresh_from_db()
    assert export.state == ExportState.READY and export.rows == 2
    response = staff_web.get(f"/bibliotheque/fichiers/notices/{export.pk}/telecharger")
    assert response["Content-Type"] == "application/marcxml+xml"
    body = b"".join(response.streaming_content)
    assert b"Les Glaneurs" in body and b"Sans soleil" in body
    listed = unescape(staff_web.get(RECORDS).content.decode())
    assert "Prêt" in listed and "2 notices" in listed


def test_a_full_file_read_after_midnight_is_named_for_the_day_it_holds(
    staff_web,
    streamable,
    library,
    library_admin,
    background,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """Asked at 23:59 (Paris), prepared at 00:01 the next day: the records are read on
    the next day, so the file is named for it, as its records' 005 say."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone as tz

    from records.services import records_export_request

    paris = ZoneInfo("Europe/Paris")
    today = tz.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    asked_at = datetime.datetime.combine(today, datetime.time(23, 59), tzinfo=paris)
    read_at = datetime.datetime.combine(tomorrow, datetime.time(0, 1), tzinfo=paris)
    monkeypatch.setattr(tz, "now", lambda: asked_at.astimezone(datetime.UTC))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        export = records_export_request(user=library_admin, fmt="marc21")
    assert export.filename == f"{library.code}-marc21-{today:%Y%m%d}.mrc"
    monkeypatch.setattr(tz, "now", lambda: read_at.astimezone(datetime.UTC))
    queued[0]()
    export.refresh_from_db()
    assert export.state == ExportState.READY
    assert export.filename == f"{library.code}-marc21-{tomorrow:%Y%m%d}.mrc"
    assert export.file.name.endswith(f"-{tomorrow:%Y%m%d}.mrc")
    body = export.file.open("rb").read()
    assert f"{tomorrow:%Y%m%d}000100.0".encode() in body
    assert f"{today:%Y%m%d}2359".encode() not in body
    response = staff_web.get(f"/bibliotheque/fichiers/notices/{export.pk}/telecharger")
    assert f"-{tomorrow:%Y%m%d}.mrc" in response["Content-Disposition"]


def test_a_small_full_file_stays_a_link(staff_web, streamable):
    page = staff_web.get(RECORDS).content.decode()
    assert 'href="/api/v1/records/?format=marc21"' in page
    assert "notices/fichiers/" not in page


def test_records_refusals(staff_web, library, background, django_capture_on_commit_callbacks):
    # no streaming subscription: 403 with the reason, nothing asked
    refused = post(staff_web, RECORDS + "fichiers/", {"format": "marc21"}, page=RECORDS)
    assert refused.status_code == 403
    assert "n'en a pas aujourd'hui" in unescape(refused.content.decode())
    bad = post(staff_web, RECORDS + "fichiers/", {"format": "pdf"}, page=RECORDS)
    assert bad.status_code == 400 and not RecordsExport.objects.exists()


def test_a_library_that_stopped_subscribing_gets_a_failed_file(
    staff_web, streamable, network, background, django_capture_on_commit_callbacks
):
    from subscriptions.models import Subscription

    with django_capture_on_commit_callbacks(execute=False) as queued:
        post(staff_web, RECORDS + "fichiers/", {"format": "marc21"}, page=RECORDS)
    Subscription.objects.filter(subscriber=network).update(status=Subscription.Status.CANCELLED)
    queued[0]()
    export = RecordsExport.objects.get()
    assert export.state == ExportState.FAILED and "n'en a pas aujourd'hui" in export.error
    assert records_export_prepare(export_id=export.pk) == "skipped"


def test_an_export_given_up_while_prepared_stays_failed_and_leaves_no_file(
    staff_web, views, background, monkeypatch, django_capture_on_commit_callbacks
):
    """The sweep fails an export whose worker it takes for lost; when that worker was only
    slow and ends later, the export stays failed (the page said so, and the same file may
    have been asked for again since) and the file it wrote is not left in the storage."""
    with django_capture_on_commit_callbacks(execute=False):
        post(staff_web, STATS + "fichiers/", ASK)
    export = StatsExport.objects.get()
    table = stats_services.stats_table

    def slow(*args, **kwargs):
        later = timezone.now() + datetime.timedelta(hours=2)
        assert exports_sweep(StatsExport, now=later)["failed"] == 1  # given up meanwhile
        return table(*args, **kwargs)

    monkeypatch.setattr("stats.services.stats_table", slow)
    storage = export.file.storage

    def stored():  # the files under exports/stats/<uuid>/
        if not storage.exists("exports/stats"):
            return set()
        folders = storage.listdir("exports/stats")[0]
        return {
            f"{folder}/{name}"
            for folder in folders
            for name in storage.listdir(f"exports/stats/{folder}")[1]
        }

    before = stored()
    assert stats_export_prepare(export_id=export.pk) == ExportState.FAILED
    export.refresh_from_db()
    assert export.state == ExportState.FAILED and not export.file and export.rows is None
    assert "trop de temps" in export.error
    assert stored() == before  # no file left without its export


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-02-01"), ("9999-12-01", "9999-12-31")]
)
def test_days_out_of_range_are_refused_on_the_page_and_for_a_file(staff_web, start, end):
    """The statistics page and the request for a file refuse a period whose bounds would
    overflow (400 on the field; the page used to answer 500, the file to be asked for)."""
    page = staff_web.get(STATS, {"start": start, "end": end})
    assert page.status_code == 400
    assert "Choisissez un jour entre le 2000-01-01 et le 2100-12-31." in unescape(
        page.content.decode()
    )
    asked = post(staff_web, STATS + "fichiers/", {"table": "views", "start": start, "end": end})
    assert asked.status_code == 400 and not StatsExport.objects.exists()


def test_an_export_claimed_late_is_not_taken_for_lost(
    staff_web, views, background, django_capture_on_commit_callbacks
):
    """Running counts from the claim, not from the request: a task that waited in the
    queue longer than EXPORT_STALE_MINUTES, then claimed, is not failed by the sweep."""
    with django_capture_on_commit_callbacks(execute=False):
        post(staff_web, STATS + "fichiers/", ASK)
    export = StatsExport.objects.get()
    now = timezone.now()
    StatsExport.objects.filter(pk=export.pk).update(
        created_at=now - datetime.timedelta(hours=2), state=ExportState.RUNNING, started_at=now
    )
    assert exports_sweep(StatsExport, now=now + datetime.timedelta(minutes=1))["failed"] == 0
    export.refresh_from_db()
    assert export.state == ExportState.RUNNING
    StatsExport.objects.filter(pk=export.pk).update(started_at=now - datetime.timedelta(hours=1))
    assert exports_sweep(StatsExport, now=now)["failed"] == 1  # running an hour: lost


# --- the sweep's rule: a worker is lost when it stops beating ---------------------------
def _running(library, *, started, beat):
    """A statistics export claimed at `started`, whose worker last beat at `beat`."""
    now = timezone.now()
    return StatsExport.objects.create(
        institution=library,
        kind="views",
        parameters={},
        parameters_key=f"views-{started}-{beat}",
        state=ExportState.RUNNING,
        filename="views.csv",
        content_type="text/csv",
        created_at=started,
        started_at=started,
        heartbeat_at=beat,
        expires_at=now + datetime.timedelta(hours=24),
    )


def partial_minutes(now):
    return lambda delta: now + datetime.timedelta(minutes=delta)


def test_a_long_file_whose_worker_beats_is_not_taken_for_lost(library, settings):
    settings.EXPORT_STALE_MINUTES, settings.EXPORT_MAX_RUNNING_MINUTES = 30, 360
    now = timezone.now()
    minutes = partial_minutes(now)
    beating = _running(library, started=minutes(-90), beat=minutes(-1))
    silent = _running(library, started=minutes(-90), beat=minutes(-31))
    hanging = _running(library, started=minutes(-361), beat=minutes(-1))
    claimed_before_heartbeats = _running(library, started=minutes(-31), beat=None)
    assert exports_sweep(StatsExport, now=now)["failed"] == 3
    states = dict(StatsExport.objects.values_list("pk", "state"))
    assert states == {
        beating.pk: ExportState.RUNNING,  # an hour and a half, alive: still prepared
        silent.pk: ExportState.FAILED,  # no heartbeat for 31 minutes: its worker died
        hanging.pk: ExportState.FAILED,  # beating, but six hours: given up
        claimed_before_heartbeats.pk: ExportState.FAILED,
    }


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_the_file_is_prepared(library, settings):
    """A producer slower than EXPORT_STALE_MINUTES (here 0.3 s) is not failed by a sweep
    run meanwhile: the worker's heartbeat thread (every 0.05 s here) keeps it alive; it
    ends ready. Its heartbeats are written on the thread's own connection, so the rows are
    committed (a transactional test)."""
    settings.EXPORT_STALE_MINUTES = 0.005  # 0.3 s
    settings.EXPORT_HEARTBEAT_SECONDS = 0.05
    export = _running(library, started=timezone.now(), beat=None)
    StatsExport.objects.filter(pk=export.pk).update(state=ExportState.PENDING, started_at=None)
    swept = []

    def slow(export):
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            time.sleep(0.1)
            swept.append(exports_sweep(StatsExport)["failed"])
        return b"month,views\n", 1

    assert export_run(StatsExport, export_id=export.pk, produce=slow) == ExportState.READY
    assert len(swept) >= 8 and set(swept) == {0}
    export.refresh_from_db()
    assert export.state == ExportState.READY and export.heartbeat_at > export.started_at
    export.file.storage.delete(export.file.name)
    # once the worker is gone, nothing beats: a running export left behind is failed
    StatsExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING)
    time.sleep(0.6)
    assert exports_sweep(StatsExport)["failed"] == 1


def test_a_failed_beat_does_not_stop_the_beats():
    """A beat that fails (the database restarting, a dropped connection) is logged; the
    next ones go on — else a live export would be failed by the sweep and its file lost."""
    from django.db import OperationalError

    from backend.exports import Heartbeat

    class Flaky:
        """A model whose first heartbeat UPDATE fails."""

        calls = 0

        class _meta:
            label = "tests.Flaky"

        class objects:
            @staticmethod
            def filter(**kwargs):
                return Flaky

        @classmethod
        def update(cls, **kwargs):
            cls.calls += 1
            if cls.calls == 1:
                raise OperationalError("server closed the connection unexpectedly")
            return 1

    with Heartbeat(Flaky, 1, every=0.01):
        deadline = time.monotonic() + 2
        while Flaky.calls < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert Flaky.calls >= 3


# --- the admin reads the exports ----------------------------------------------------------
@pytest.fixture
def superuser_web(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-Root-2026"))
    return client


def test_the_admin_lists_the_exports(
    superuser_web, staff_web, views, streamable, background, ask, library
):
    ask(staff_web, STATS + "fichiers/", ASK)
    ask(staff_web, RECORDS + "fichiers/", {"format": "marcxml"}, page=RECORDS)
    stats_export, records_export = StatsExport.objects.get(), RecordsExport.objects.get()
    for url, export in (
        ("/admin/stats/statsexport/", stats_export),
        ("/admin/records/recordsexport/", records_export),
    ):
        with CaptureQueriesContext(connection) as queries:
            listed = superuser_web.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert listed.status_code == 200
        assert len(queries) <= 12  # as every change list (tests/api/test_admin_pages.py)
        assert library.name in listed.content.decode()
        assert superuser_web.get(url, {"state": export.state}).status_code == 200
        opened = superuser_web.get(f"{url}{export.pk}/change/")
        assert opened.status_code == 200
        assert export.filename in opened.content.decode()
        assert 'name="_save"' not in opened.content.decode()  # read-only
