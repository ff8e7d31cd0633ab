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


def test_expiring_grants_are_flagged_once_and_mailed_to_the_staff_in_charge(negotiator):
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

    result = services.rights_daily(today=TODAY)
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
    assert services.rights_daily(today=TODAY) == {
        "flagged": 0,
        "unnotified": 0,
        "emails": 0,
        "withdrawn": [],
    }
    assert mail.outbox == []

    # 13 days later the first grant enters the 7-day notice and the third the 180-day one
    result = services.rights_daily(today=_day(13))
    assert result["flagged"] == 2
    assert set(
        GrantExpiryAlert.objects.filter(flagged_on=_day(13)).values_list(
            "grant_id", "threshold_days"
        )
    ) == {(soon.pk, 7), (beyond.pk, 180)}


def test_extending_a_grant_flags_its_new_end_when_it_comes_near(negotiator):
    grant = GrantFactory(starts_on=_day(-400), ends_on=_day(10))
    services.rights_daily(today=TODAY)
    services.grant_update(grant=grant, ends_on=_day(400))
    assert services.rights_daily(today=TODAY)["flagged"] == 0
    assert services.rights_daily(today=_day(400 - 30))["flagged"] == 1


def test_film_left_without_any_right_is_withdrawn_with_date_and_reason(negotiator):
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

    result = services.rights_daily(today=TODAY)
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

    assert services.rights_daily(today=TODAY)["withdrawn"] == []


def test_command_runs_the_job_for_a_given_day(negotiator, capsys):
    GrantFactory(starts_on=_day(-400), ends_on=_day(5))
    call_command("rights_daily", "--date", TODAY.isoformat())
    assert "1 grant(s) flagged" in capsys.readouterr().out
    call_command("rights_daily", "--date", TODAY.isoformat())
    assert "0 grant(s) flagged" in capsys.readouterr().out


def test_a_flag_nobody_could_be_told_about_waits_for_an_address(db):
    grant = GrantFactory(starts_on=_day(-400), ends_on=_day(5))
    assert services.rights_daily(today=TODAY)["unnotified"] == 1
    assert mail.outbox == []
    UserFactory(role=User.Role.RIGHTS_NEGOTIATOR, institution=None, email="new@example.org")
    result = services.rights_daily(today=_day(1))
    assert (result["emails"], result["unnotified"]) == (1, 0)
    assert grant.film.reference in mail.outbox[0].body
    assert services.rights_daily(today=_day(1))["emails"] == 0
