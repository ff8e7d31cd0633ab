"""A statement's period: a calendar quarter or year, in Europe/Paris dates."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from royalties.errors import RoyaltiesErrorCode

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")


@dataclass(frozen=True)
class StatementPeriod:
    kind: str  # "quarter" or "year" (Statement.PeriodKind)
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[first day 00:00, day after the last 00:00) in Paris, for a range scan."""
        tz = timezone.get_default_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return first, after

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def quarter(year: int, number: int) -> StatementPeriod:
    start = datetime.date(year, 3 * number - 2, 1)
    end = (
        datetime.date(year, 12, 31)
        if number == 4
        else datetime.date(year, 3 * number + 1, 1) - datetime.timedelta(days=1)
    )
    return StatementPeriod("quarter", start, end)


def year(number: int) -> StatementPeriod:
    return StatementPeriod("year", datetime.date(number, 1, 1), datetime.date(number, 12, 31))


def period_parse(value: str) -> StatementPeriod:
    """`2017` (a year) or `2017-Q3` (a quarter); anything else is refused with the field."""
    match = _PERIOD.match(value or "")
    if match is None or not 2000 <= int(match["year"]) <= 2999:
        raise ApplicationError(
            RoyaltiesErrorCode.INVALID_PERIOD,
            _("Give a year (2017) or a quarter (2017-Q3)."),
            field="period",
        )
    if match["quarter"]:
        return quarter(int(match["year"]), int(match["quarter"]))
    return year(int(match["year"]))


def period_ended(period: StatementPeriod, *, today: datetime.date) -> StatementPeriod:
    """The period, when it is over by `today` (a statement counts a whole period);
    refused otherwise — the current period, or one in the future."""
    if period.end >= today:
        raise ApplicationError(
            RoyaltiesErrorCode.PERIOD_NOT_OVER,
            _("A statement covers a period that is over."),
            field="period",
        )
    return period


def period_just_ended(kind: str, *, today: datetime.date) -> StatementPeriod | None:
    """The quarter (or year) that ended yesterday, when today is its successor's first
    day; None on any other day."""
    yesterday = today - datetime.timedelta(days=1)
    if kind == "year":
        return year(yesterday.year) if today.month == 1 and today.day == 1 else None
    if today.day == 1 and today.month in (1, 4, 7, 10):
        return quarter(yesterday.year, (yesterday.month - 1) // 3 + 1)
    return None
