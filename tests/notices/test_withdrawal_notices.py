"""Advance notice of withdrawals: who is told, once, what "leaving soon" lists, and
screenings booked after the end of the rights flagged (not cancelled)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from editorial.services import library_selection_create, library_selection_item_add
from media.models import ViewEvent
from notices.models import WithdrawalNotice
from orders.models import DvdEdition, Order, OrderLine
from rights import services as rights_services
from rights.models import Medium
from subscriptions.models import ScreeningBooking
from subscriptions.services.screenings import booking_create
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.conftest import client_for
from tests.factories import FilmFactory, InstitutionFactory, UserFactory
from tests.rights.conftest import GrantFactory
from tests.subscriptions.conftest import make_grid

pytestmark = pytest.mark.django_db


def _day(offset):
    return timezone.localdate() + datetime.timedelta(days=offset)


def _at(offset):
    moment = datetime.datetime.combine(_day(offset), datetime.time(20, 0))
    return timezone.make_aware(moment)


@pytest.fixture
def staff(db):
    return UserFactory(
        username="nego",
        role=User.Role.RIGHTS_NEGOTIATOR,
        institution=None,
        email="nego@example.org",
    )


def _admin_of(library, email):
    return UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=library, email=email)


def _leaving_film(days=12):
    """A film on every medium, whose screening and DVD rights end in `days` days."""
    film = FilmFactory()
    grants = {
        medium: GrantFactory(film=film, medium=medium, starts_on=_day(-400), ends_on=None)
        for medium in Medium.values
    }
    return film, grants, days


@pytest.mark.embedded
def test_library_using_a_film_is_told_once_with_its_bookings_after_the_end(staff):
    library = InstitutionFactory(email="bib@example.org")
    other = InstitutionFactory(email="autre@example.org")
    film, grants, days = _leaving_film()
    grid = make_grid(timezone.localdate().year)
    pack = grid.plans.get(code="discovery-8")
    subscription = subscription_activate(
        subscription=subscription_quote_create(
            subscriber=library, plan=pack, starts_on=timezone.localdate()
        )
    )
    booked_before = booking_create(
        library=library, film=film, starts_at=_at(5), venue="Salle", expected_audience=30
    )
    booked_after = booking_create(
        library=library, film=film, starts_at=_at(20), venue="Salle", expected_audience=30
    )
    # the rights are cut short after the bookings were made
    for medium in (Medium.PUBLIC_SCREENING, Medium.DVD):
        rights_services.grant_update(grant=grants[medium], ends_on=_day(days))

    result = call_command_result()
    notices = list(WithdrawalNotice.objects.order_by("medium"))
    assert [(n.institution_id, n.medium, n.last_day) for n in notices] == [
        (library.pk, Medium.DVD, _day(days)),
        (library.pk, Medium.PUBLIC_SCREENING, _day(days)),
    ]
    screening = notices[1]
    assert screening.reasons == ["screening_booked"]
    assert screening.bookings_after_end == [[booked_after.pk, _day(20).isoformat()]]
    assert result["screenings_at_risk"] == 1
    # the booking is flagged, not cancelled
    booked_after.refresh_from_db()
    assert booked_after.status == ScreeningBooking.Status.BOOKED
    assert subscription.pk == booked_after.subscription_id
    # the library and the staff are told; the other library, which does not use it, is not
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["bib@example.org", "nego@example.org"]
    library_mail = next(m for m in mail.outbox if m.to == ["bib@example.org"])
    assert film.title in library_mail.body
    # the screening after the end is named (by its day), the one before is not
    assert _day(20).isoformat() in library_mail.body
    assert _day(5).isoformat() not in library_mail.body
    assert booked_before.status == ScreeningBooking.Status.BOOKED
    assert not WithdrawalNotice.objects.filter(institution=other).exists()

    # once per film, medium and end date
    mail.outbox.clear()
    assert call_command_result()["notices"] == 0
    assert mail.outbox == []


def call_command_result(**kwargs):
    """The job as it runs for real: its transaction commits, then the e-mails it queued
    for after the commit go."""
    from django.test import TestCase

    from notices.services import withdrawal_notices_send

    with TestCase.captureOnCommitCallbacks(execute=True):
        return withdrawal_notices_send(**kwargs)


def test_the_notices_are_mailed_only_once_the_job_commits(staff):
    from django.db import transaction
    from django.test import TestCase

    from notices.services import withdrawal_notices_send

    library = InstitutionFactory(email="bib@example.org")
    film, grants, days = _leaving_film()
    rights_services.grant_update(grant=grants[Medium.DVD], ends_on=_day(days))
    library_selection_with(library, film)
    with TestCase.captureOnCommitCallbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            withdrawal_notices_send()
            raise RuntimeError("the job failed after mailing")
    assert mail.outbox == [] and not WithdrawalNotice.objects.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = withdrawal_notices_send()
        assert mail.outbox == []  # inside the job's transaction (holding the notices' locks)
    assert (result["notices"], result["emails"]) == (1, 1)
    assert [m.to for m in mail.outbox] == [["bib@example.org"]]
    assert WithdrawalNotice.objects.get().emails_sent == 1


def test_a_notice_that_cannot_be_mailed_is_given_back(staff, monkeypatch):
    import smtplib

    from notices import services as notices_services

    library = InstitutionFactory(email="bib@example.org")
    film, grants, days = _leaving_film()
    rights_services.grant_update(grant=grants[Medium.DVD], ends_on=_day(days))
    library_selection_with(library, film)

    def refused(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("the relay is down")

    monkeypatch.setattr(notices_services, "send_mail", refused)
    assert call_command_result()["emails"] == 1  # queued, then refused by the relay
    assert mail.outbox == []
    assert WithdrawalNotice.objects.get().emails_sent == 0  # the claim was given back
    monkeypatch.undo()
    assert call_command_result()["emails"] == 1  # the same day's next run tells it
    assert [m.to for m in mail.outbox] == [["bib@example.org"]]


def library_selection_with(library, film):
    from editorial.services import library_selection_create, library_selection_item_add

    selection = library_selection_create(institution=library, title="Sélection")
    library_selection_item_add(selection=selection, film=film.pk)
    return selection


def test_open_dvd_orders_and_recent_viewers_are_users_too(staff):
    ordering = InstitutionFactory(email="dvd@example.org")
    viewing = InstitutionFactory(email="vue@example.org")
    past_order = InstitutionFactory(email="livree@example.org")
    film, grants, days = _leaving_film()
    rights_services.grant_update(grant=grants[Medium.DVD], ends_on=_day(days))
    rights_services.grant_update(grant=grants[Medium.STREAM_HOME], ends_on=_day(days + 3))
    edition = DvdEdition.objects.create(film=film, ean="3760000000017", price=Decimal("29.90"))
    for library, status in ((ordering, "submitted"), (past_order, "delivered")):
        now = timezone.now()
        done = {"validated_at": now, "shipped_at": now, "delivered_at": now}
        order = Order.objects.create(
            library=library,
            status=status,
            submitted_at=now,
            carrier_reference="COLIS-1" if status == "delivered" else "",
            **(done if status == "delivered" else {}),
        )
        OrderLine.objects.create(
            order=order, edition=edition, quantity=1, unit_price=Decimal("29.90")
        )
    ViewEvent.objects.create(
        film=film,
        institution=viewing,
        viewer_pseudonym="p1",
        medium="stream_home",
        seconds_watched=600,
        started_at=timezone.now() - datetime.timedelta(days=3),
    )
    call_command_result()
    told = {(n.institution_id, n.medium): n.reasons for n in WithdrawalNotice.objects.all()}
    assert told == {
        (ordering.pk, Medium.DVD): ["dvd_order_open"],
        (ordering.pk, Medium.STREAM_HOME): ["dvd_order_open"],
        (viewing.pk, Medium.DVD): ["recent_views"],
        (viewing.pk, Medium.STREAM_HOME): ["recent_views"],
    }


def test_a_library_whose_selection_holds_the_film_is_told_once(staff):
    """A film in a library's own selection is a use of it, even with nothing else: the
    library is told once, why, and by e-mail; a library without it is not told."""
    selecting = InstitutionFactory(email="selection@example.org")
    admin = _admin_of(selecting, "admin-selection@example.org")
    elsewhere = InstitutionFactory(email="ailleurs@example.org")
    film, grants, days = _leaving_film()
    other_film, _other_grants, _ = _leaving_film()
    rights_services.grant_update(grant=grants[Medium.STREAM_HOME], ends_on=_day(days))
    mine = library_selection_create(institution=selecting, title="Ciné-club")
    library_selection_item_add(selection=mine, film=film.pk)
    theirs = library_selection_create(institution=elsewhere, title="Autre")
    library_selection_item_add(selection=theirs, film=other_film.pk)

    assert call_command_result()["notices"] == 1
    (notice,) = WithdrawalNotice.objects.all()
    assert (notice.institution_id, notice.film_id, notice.medium, notice.last_day) == (
        selecting.pk,
        film.pk,
        Medium.STREAM_HOME,
        _day(days),
    )
    assert notice.reasons == ["in_selection"]
    told = [m for m in mail.outbox if "admin-selection@example.org" in m.to]
    assert len(told) == 1 and film.title in told[0].body
    assert not any("ailleurs@example.org" in m.to for m in mail.outbox)
    (shown,) = client_for(admin).get("/api/v1/withdrawal-notices/").json()["results"]
    assert shown["reasons"] == ["in_selection"]
    mail.outbox.clear()
    assert call_command_result()["notices"] == 0
    assert mail.outbox == []


def test_renewed_rights_leave_nobody_to_tell(staff):
    library = InstitutionFactory()
    film, grants, days = _leaving_film()
    rights_services.grant_update(grant=grants[Medium.STREAM_HOME], ends_on=_day(days))
    ViewEvent.objects.create(
        film=film,
        institution=library,
        viewer_pseudonym="p",
        medium="stream_home",
        seconds_watched=60,
        started_at=timezone.now(),
    )
    # a second grant continues the right the day after: the engine says it does not leave
    GrantFactory(
        film=film,
        contract=grants[Medium.STREAM_HOME].contract,
        medium=Medium.STREAM_HOME,
        starts_on=_day(days + 1),
        ends_on=None,
    )
    assert call_command_result()["notices"] == 0
    # beyond the notice period: not yet
    rights_services.grant_update(grant=grants[Medium.DVD], ends_on=_day(45))
    assert call_command_result()["notices"] == 0
    assert call_command_result(today=_day(20))["notices"] == 1


def test_leaving_soon_lists_what_leaves_the_callers_library(
    library_api, library, other_library_api
):
    film, grants, days = _leaving_film()
    rights_services.grant_update(grant=grants[Medium.STREAM_ONSITE], ends_on=_day(days))
    staying, _, _ = _leaving_film()
    body = library_api.get("/api/v1/leaving-soon/").json()
    assert [(r["film"], r["medium"], r["last_day"]) for r in body["results"]] == [
        (film.pk, "stream_onsite", _day(days).isoformat())
    ]
    assert library_api.get("/api/v1/leaving-soon/", {"days": 5}).json()["results"] == []
    # another library may not read this library's list
    response = other_library_api.get("/api/v1/leaving-soon/", {"institution": library.pk})
    assert response.status_code == 404
    assert staying.pk not in {r["film"] for r in body["results"]}


def test_leaving_soon_costs_a_constant_number_of_queries(library_api):
    counts = []
    for size in (1, 5):
        for _ in range(size):
            _film, grants, days = _leaving_film()
            rights_services.grant_update(grant=grants[Medium.DVD], ends_on=_day(days))
        with CaptureQueriesContext(connection) as ctx:
            assert library_api.get("/api/v1/leaving-soon/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_notices_are_private_to_each_library(library_api, library, other_library, editor_api):
    film, _grants, days = _leaving_film()
    for institution in (library, other_library):
        WithdrawalNotice.objects.create(
            institution=institution,
            film=film,
            medium="dvd",
            last_day=_day(days),
            notified_on=_day(0),
        )
    mine = library_api.get("/api/v1/withdrawal-notices/").json()["results"]
    assert [n["institution"] for n in mine] == [library.pk]
    assert editor_api.get("/api/v1/withdrawal-notices/").json()["count"] == 2


def test_staff_must_name_the_library_and_bad_days_are_refused(editor_api, library_api):
    response = editor_api.get("/api/v1/leaving-soon/", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["institution"])
    response = library_api.get("/api/v1/leaving-soon/", {"days": 0})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["days"])


def test_command_runs_for_a_given_day(staff, capsys):
    call_command("withdrawal_notices", "--date", _day(0).isoformat())
    assert "0 notice(s)" in capsys.readouterr().out


def test_a_library_that_used_its_yearly_cap_is_still_told_its_screening_is_at_risk(staff):
    """Leaving is about the rights ending, whatever the library's use of a yearly cap: a
    library whose one screening allowed this year is booked after the end is told."""
    library = InstitutionFactory(email="bib@example.org")
    film = FilmFactory()
    grant = GrantFactory(
        film=film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=_day(-400),
        ends_on=None,
        max_screenings_per_year=1,
    )
    pack = make_grid(timezone.localdate().year).plans.get(code="discovery-8")
    subscription_activate(
        subscription=subscription_quote_create(
            subscriber=library, plan=pack, starts_on=timezone.localdate()
        )
    )
    day = 20 if _day(20).year == _day(0).year else 1  # the booking counts in this year
    booked = booking_create(
        library=library, film=film, starts_at=_at(day), venue="Salle", expected_audience=30
    )
    rights_services.grant_update(grant=grant, ends_on=_day(day - 1))
    result = call_command_result()
    notice = WithdrawalNotice.objects.get(institution=library)
    assert (notice.medium, notice.last_day) == (Medium.PUBLIC_SCREENING, _day(day - 1))
    assert notice.bookings_after_end == [[booked.pk, _day(day).isoformat()]]
    assert result["screenings_at_risk"] == 1
