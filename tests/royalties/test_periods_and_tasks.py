"""Periods in Paris dates, and the beat task that drafts a period's statements on the
first day of the next one."""

import datetime

import pytest
from django.test import override_settings

from rights.models import Medium
from royalties.models import Statement
from royalties.periods import period_just_ended, period_parse, quarter
from royalties.services import statement_approve, statement_draft
from royalties.tasks import statements_draft_due
from tests.factories import FilmFactory
from tests.royalties.conftest import ContractFactory, D, GrantFactory, make_view_on


def test_periods():
    assert quarter(2017, 1) == period_parse("2017-Q1")
    assert (quarter(2017, 1).start, quarter(2017, 1).end) == (D(2017, 1, 1), D(2017, 3, 31))
    assert (quarter(2016, 4).start, quarter(2016, 4).end) == (D(2016, 10, 1), D(2016, 12, 31))
    assert period_just_ended("quarter", today=D(2017, 4, 1)) == quarter(2017, 1)
    assert period_just_ended("quarter", today=D(2017, 1, 1)) == quarter(2016, 4)
    assert period_just_ended("quarter", today=D(2017, 4, 2)) is None
    assert period_just_ended("year", today=D(2018, 1, 1)).label == "2017"
    assert period_just_ended("year", today=D(2018, 4, 1)) is None
    first, after = quarter(2017, 1).bounds()
    # Paris midnight: 23:00 UTC the day before in winter
    assert first.astimezone(datetime.UTC) == datetime.datetime(
        2016, 12, 31, 23, tzinfo=datetime.UTC
    )
    assert after.astimezone(datetime.UTC) == datetime.datetime(2017, 3, 31, 22, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_a_view_at_half_past_midnight_in_paris_counts_in_its_paris_quarter(libraries):
    """00:30 on 1 April in Paris is still 31 March in UTC: it counts in the second
    quarter, and a grant starting on 1 April covers it."""
    contract = ContractFactory()
    film = FilmFactory()
    GrantFactory(
        contract=contract,
        film=film,
        medium=Medium.STREAM_HOME,
        starts_on=D(2017, 4, 1),
        ends_on=None,
    )
    view = make_view_on(library=libraries[0], film=film, day=D(2017, 4, 1))
    view.started_at = datetime.datetime(2017, 3, 31, 22, 30, tzinfo=datetime.UTC)
    view.save(update_fields=["started_at"])
    first = statement_draft(contract=contract, period=quarter(2017, 1), today=D(2018, 1, 1))
    second = statement_draft(contract=contract, period=quarter(2017, 2), today=D(2018, 1, 1))
    assert not first.usage.exists()
    assert second.usage.over_period().get().views == 1


@pytest.mark.django_db
@override_settings(ROYALTY_STATEMENT_PERIOD="quarter")
def test_the_beat_task_drafts_on_the_first_day_of_a_quarter_only(libraries):
    signed = ContractFactory(signed_on=D(2016, 1, 1))
    ContractFactory(status="draft", signed_on=None)  # gives no rights: no statement
    assert statements_draft_due.delay(day="2017-04-02").get() == {"drafted": 0, "kept": 0}
    assert statements_draft_due.delay(day="2017-04-01").get() == {"drafted": 1, "kept": 0}
    # again: the draft is recomputed; once approved, it is kept
    assert statements_draft_due.delay(day="2017-04-01").get() == {"drafted": 1, "kept": 0}
    statement_approve(statement=Statement.objects.get())
    assert statements_draft_due.delay(day="2017-04-01").get() == {"drafted": 0, "kept": 1}
    statement = Statement.objects.get()
    assert (statement.contract, statement.period_start, statement.period_end) == (
        signed, D(2017, 1, 1), D(2017, 3, 31)
    )  # fmt: skip
