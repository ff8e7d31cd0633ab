"""The daily rights job: expiry flags and the digest to the staff in charge, automatic
withdrawal of films left without rights, and idempotence."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from catalogue.models import Film
from rights import services
from rights.decisions import decide
from rights.models import GrantExpiryAlert, Medium
from tests.factories import FilmFactory, InstitutionFactory, UserFactory
from tests.rights.conftest import ContractFactory, GrantFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 3, 1)


def _day(offset):
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture
def negotiator(db):
    return UserFactory(
        username="nego",
        role=User.Role.RIGHTS_NEGOTIATOR,
        institution=None,
        email="nego@example.org",
    )


@pytest.fixture(autouse=True)
def _thresholds(settings):
    settings.RIGHTS_EXPIRY_NOTICE_DAYS = [180, 30, 7]


@pytest.fixture
def daily(django_capture_on_commit_callbacks):
    """The job as it runs for real: its transaction commits, then the mails it queued for
    after the commit go."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.rights_daily(**kwargs)

    return run


def test_expiring_grants_are_flagged_once_and_mailed_to_the_staff_in_charge(negotiator, daily):
    in_charge = UserFactory(
        username="anne",
        role=User.Role.CATALOGUE_EDITOR,
        institution=None,
        email="anne@example.org",
    )
    soon = GrantFactory(
        contract=ContractFactory(in_charge=in_charge), starts_on=_day(-400), ends_on=_day(20)
    )
    nobody = GrantFactory(starts_on=_day(-400), ends_on=_day(180))
    beyond = GrantFactory(starts_on=_day(-400), ends_on=_day(181))  # beyond the notice
    GrantFactory(starts_on=_day(-400), ends_on=None)

    result = daily(today=TODAY)
    assert result["flagged"] == 2
    flags = {(a.grant_id, a.threshold_days) for a in GrantExpiryAlert.objects.all()}
    assert flags == {(soon.pk, 30), (nobody.pk, 180)}
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_recipient) == {"anne@example.org", "nego@example.org"}
    assert soon.film.reference in by_recipient["anne@example.org"]
    assert nobody.film.reference not in by_recipient["anne@example.org"]
    # without anybody in charge, the rights negotiators get it
    assert nobody.film.reference in by_recipient["nego@example.org"]

    # the same day again: nothing new
    mail.outbox.clear()
    assert daily(today=TODAY) == {
        "flagged": 0,
        "unnotified": 0,
        "emails": 0,
        "withdrawn": [],
    }
    assert mail.outbox == []

    # 13 days later the first grant enters the 7-day notice and the third the 180-day one
    result = daily(today=_day(13))
    assert result["flagged"] == 2
    assert set(
        GrantExpiryAlert.objects.filter(flagged_on=_day(13)).values_list(
            "grant_id", "threshold_days"
        )
    ) == {(soon.pk, 7), (beyond.pk, 180)}


def test_extending_a_grant_flags_its_new_end_when_it_comes_near(negotiator, daily):
    grant = GrantFactory(starts_on=_day(-400), ends_on=_day(10))
    daily(today=TODAY)
    services.grant_update(grant=grant, ends_on=_day(400))
    assert daily(today=TODAY)["flagged"] == 0
    assert daily(today=_day(400 - 30))["flagged"] == 1


def test_film_left_without_any_right_is_withdrawn_with_date_and_reason(negotiator, daily):
    ended = GrantFactory(medium=Medium.STREAM_HOME, starts_on=_day(-400), ends_on=_day(-10))
    GrantFactory(film=ended.film, medium=Medium.DVD, starts_on=_day(-400), ends_on=_day(-3))
    # lost its platform rights but keeps DVD: stays in the catalogue as DVD-only
    dvd_left = GrantFactory(medium=Medium.STREAM_HOME, starts_on=_day(-400), ends_on=_day(-10))
    GrantFactory(film=dvd_left.film, medium=Medium.DVD, starts_on=_day(-400), ends_on=None)
    # rights to come: stays
    future = GrantFactory(starts_on=_day(-400), ends_on=_day(-10))
    GrantFactory(film=future.film, contract=future.contract, starts_on=_day(30), ends_on=None)
    # never had any grant (e.g. just added): not the job's business
    untouched = FilmFactory()

    result = daily(today=TODAY)
    assert result["withdrawn"] == [ended.film.pk]
    film = Film.objects.get(pk=ended.film.pk)
    assert (film.status, film.withdrawn_on) == (Film.Status.WITHDRAWN, _day(-2))
    assert film.withdrawal_reason
    assert film.history.count() >= 2  # the step is recorded; nothing is deleted
    assert film.rights_grants.count() == 2
    for other in (dvd_left.film, future.film, untouched):
        other.refresh_from_db()
        assert other.status == Film.Status.IN_CATALOGUE
    # the rights engine answers "withdrawn" from then on, on every medium
    library = InstitutionFactory()
    assert decide(library, film, Medium.DVD, on=TODAY).reason == "film_withdrawn"
    assert ended.film.reference in mail.outbox[0].body

    assert daily(today=TODAY)["withdrawn"] == []


def test_command_runs_the_job_for_a_given_day(negotiator, capsys):
    GrantFactory(starts_on=_day(-400), ends_on=_day(5))
    call_command("rights_daily", "--date", TODAY.isoformat())
    assert "1 grant(s) flagged" in capsys.readouterr().out
    call_command("rights_daily", "--date", TODAY.isoformat())
    assert "0 grant(s) flagged" in capsys.readouterr().out


def test_a_flag_nobody_could_be_told_about_waits_for_an_address(db, daily):
    grant = GrantFactory(starts_on=_day(-400), ends_on=_day(5))
    assert daily(today=TODAY)["unnotified"] == 1
    assert mail.outbox == []
    UserFactory(role=User.Role.RIGHTS_NEGOTIATOR, institution=None, email="new@example.org")
    result = daily(today=_day(1))
    assert (result["emails"], result["unnotified"]) == (1, 0)
    assert grant.film.reference in mail.outbox[0].body
    assert daily(today=_day(1))["emails"] == 0


# --- mail after commit ----------------------------------------------------------------------


def test_the_digest_goes_only_once_the_job_commits(negotiator, django_capture_on_commit_callbacks):
    grant = GrantFactory(starts_on=_day(-400), ends_on=_day(5))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.rights_daily(today=TODAY)
        assert mail.outbox == []  # inside the job's transaction: nothing sent yet
    assert result["emails"] == 1
    assert [m.to for m in mail.outbox] == [["nego@example.org"]]
    assert grant.film.reference in mail.outbox[0].body
    assert GrantExpiryAlert.objects.get().notified is True


def test_a_run_that_rolls_back_sends_nothing(negotiator, django_capture_on_commit_callbacks):
    from django.db import transaction

    GrantFactory(starts_on=_day(-400), ends_on=_day(5))
    ended = GrantFactory(starts_on=_day(-400), ends_on=_day(-10))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.rights_daily(today=TODAY)
            raise RuntimeError("the job failed after mailing")
    assert mail.outbox == []
    assert not GrantExpiryAlert.objects.exists()
    assert Film.objects.get(pk=ended.film_id).status == Film.Status.IN_CATALOGUE


def test_a_digest_that_cannot_be_sent_is_told_again_by_the_next_run(negotiator, daily, monkeypatch):
    import smtplib

    from rights.services import daily as daily_module

    grant = GrantFactory(starts_on=_day(-400), ends_on=_day(5))
    real_send_mail = daily_module.send_mail

    def refused(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("the relay is down")

    monkeypatch.setattr(daily_module, "send_mail", refused)
    assert daily(today=TODAY)["emails"] == 1  # queued, then refused by the relay
    assert mail.outbox == []
    assert GrantExpiryAlert.objects.get().notified is False  # the claim was given back
    monkeypatch.setattr(daily_module, "send_mail", real_send_mail)
    assert daily(today=_day(1))["emails"] == 1
    assert grant.film.reference in mail.outbox[0].body
    assert GrantExpiryAlert.objects.get().notified is True
