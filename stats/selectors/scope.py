"""Whose statistics a caller may read, and over which period.

A library's staff read their library's statistics; a network's staff read the network's
(its members', each counted while it was a member) and any current member's; the cinema
staff read everyone's, nationally or for one institution. Anyone else's statistics do not
exist for the caller: 404, as for every private object (`backend.access`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.access import get_or_not_found
from backend.errors import ApplicationError, NotFoundError
from institutions.models import Institution, NetworkMembership
from institutions.selectors import network_members
from stats.errors import StatsErrorCode

#: the longest period a table or a chart covers (ten years of months)
MAX_PERIOD_DAYS = 3660
#: the days a period may cover (the API's, the page's and SUSHI's: far off, its bounds as
#: moments would overflow)
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """Calendar days in Europe/Paris, both ends included."""

    start: datetime.date
    end: datetime.date

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end + 1 day) as aware datetimes, for a range scan on a timestamp."""
        tz = timezone.get_default_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return first, after

    def months(self) -> list[datetime.date]:
        """First day of each month the period touches, in order."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


def period_from(
    start: datetime.date | None, end: datetime.date | None, *, today: datetime.date | None = None
) -> Period:
    """The period asked for; by default the current year up to today. An end before the
    start, or more than ten years, is refused with the field at fault."""
    today = today or timezone.localdate()
    start = start or (end or today).replace(month=1, day=1)
    end = end or max(today, start)
    if end < start:
        raise ApplicationError(
            StatsErrorCode.INVALID_PERIOD,
            _("The period ends before it starts."),
            field="end",
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ApplicationError(
            StatsErrorCode.PERIOD_TOO_LONG,
            _("A period covers at most ten years."),
            field="end",
        )
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            raise ApplicationError(
                StatsErrorCode.INVALID_PERIOD,
                _("Choose a day between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
                field=name,
            )
    return Period(start, end)


@dataclass(frozen=True)
class StatsScope:
    """Whose records a statistic counts: every institution (`institution` is None), one
    library, or a network — its own records and its members' while they were members."""

    institution: Institution | None

    @property
    def is_national(self) -> bool:
        return self.institution is None

    @property
    def is_network(self) -> bool:
        return self.institution is not None and self.institution.is_network

    def apply(self, queryset: QuerySet, *, institution_field: str, moment_field: str):
        """`queryset` restricted to the scope. For a network, a record counts when its
        library was a member on the record's day (membership is dated)."""
        if self.institution is None:
            return queryset
        own = Q(**{f"{institution_field}_id": self.institution.pk})
        if not self.institution.is_network:
            return queryset.filter(own)
        membership = NetworkMembership.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=OuterRef("stat_day")),
            network_id=self.institution.pk,
            library_id=OuterRef(f"{institution_field}_id"),
            joined_on__lte=OuterRef("stat_day"),
        )
        return queryset.annotate(stat_day=TruncDate(F(moment_field))).filter(
            own | Exists(membership)
        )


def stats_scope_get_for(user, institution_id=None) -> StatsScope:
    """The scope `user` asks for: `institution_id`, or by default their own institution
    (the whole country for the cinema staff). Another institution's statistics answer
    404, never 403, so ids reveal nothing."""
    not_found = NotFoundError("not_found", _("No such institution."))
    if not user.is_authenticated:
        raise not_found
    if user.is_cinema_staff:
        if institution_id is None:
            return StatsScope(None)
        return StatsScope(
            get_or_not_found(Institution.objects.all(), institution_id, _("No such institution."))
        )
    if not user.is_institution_staff or user.institution_id is None:
        raise not_found
    own = user.institution
    if institution_id is None or str(institution_id) == str(own.pk):
        return StatsScope(own)
    if own.is_network:
        return StatsScope(
            get_or_not_found(
                network_members(network=own), institution_id, _("No such institution.")
            )
        )
    raise not_found


def library_scope_required(scope: StatsScope) -> Institution:
    """Tables that describe one institution (where its patrons live) need one."""
    if scope.institution is None:
        raise ApplicationError(
            StatsErrorCode.INSTITUTION_REQUIRED,
            _("Choose an institution."),
            field="institution",
        )
    return scope.institution
