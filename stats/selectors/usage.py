"""The statistics tables: views, public screenings and DVD orders of a scope over a
period, grouped by month, film, library, network, department or region.

Each table is one aggregate query (GROUP BY in the database, whatever the number of
records), plus nothing: labels come from the same query. On PostgreSQL a library's or a
period's rows are found through the indexes on (institution, started_at) and
(started_at) of the view events, (library, starts_at) of the bookings and
(status, submitted_at) of the orders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils.translation import gettext_lazy as _

from institutions.geography import REGIONS
from media.models import ViewEvent
from orders.models import Order, OrderLine
from stats.selectors.scope import Period, StatsScope
from subscriptions.models import ScreeningBooking


@dataclass(frozen=True)
class Source:
    """Where a family of figures comes from: the model, the path to its institution, to
    the moment that dates it and to its film, which records count, and the aggregates."""

    name: str
    model: type
    institution: str
    moment: str
    film: str
    counted: Q
    measures: dict[str, Callable[[], object]]
    #: measures turned into others once aggregated (seconds → minutes)
    derived: dict[str, Callable[[dict], object]] = field(default_factory=dict)

    def queryset(self, scope: StatsScope, period: Period) -> QuerySet:
        first, after = period.bounds()
        qs = self.model.objects.filter(
            self.counted, **{f"{self.moment}__gte": first, f"{self.moment}__lt": after}
        )
        return scope.apply(qs, institution_field=self.institution, moment_field=self.moment)

    @property
    def columns(self) -> list[str]:
        return [name for name in self.measures if name not in self.hidden] + list(self.derived)

    @property
    def hidden(self) -> set[str]:
        return {"seconds"} if "minutes" in self.derived else set()


VIEWS = Source(
    name="views",
    model=ViewEvent,
    institution="institution",
    moment="started_at",
    film="film",
    counted=Q(),
    measures={
        "views": lambda: Count("pk"),
        "seconds": lambda: Coalesce(Sum("seconds_watched"), 0),
        "viewers": lambda: Count("viewer_pseudonym", distinct=True),
    },
    derived={"minutes": lambda row: round(row["seconds"] / 60)},
)
SCREENINGS = Source(
    name="screenings",
    model=ScreeningBooking,
    institution="library",
    moment="starts_at",
    film="film",
    counted=~Q(status=ScreeningBooking.Status.CANCELLED),
    measures={
        "screenings": lambda: Count("pk"),
        "held": lambda: Count("pk", filter=Q(status=ScreeningBooking.Status.HELD)),
        "attendance": lambda: Coalesce(Sum("actual_attendance"), 0),
    },
)
#: copies accepted by the cinema staff, dated by the order's submission
ORDERS = Source(
    name="orders",
    model=OrderLine,
    institution="order__library",
    moment="order__submitted_at",
    film="edition__film",
    counted=Q(
        status=OrderLine.Status.ACCEPTED,
        order__status__in=[Order.Status.VALIDATED, Order.Status.SHIPPED, Order.Status.DELIVERED],
    ),
    measures={
        "copies": lambda: Coalesce(Sum("quantity"), 0),
        "titles": lambda: Count("edition__film", distinct=True),
        "orders": lambda: Count("order", distinct=True),
    },
)
SOURCES = {source.name: source for source in (VIEWS, SCREENINGS, ORDERS)}

MEASURE_LABELS = {
    "views": _("views"),
    "minutes": _("minutes watched"),
    "viewers": _("distinct viewers"),
    "screenings": _("screenings booked"),
    "held": _("screenings held"),
    "attendance": _("attendance"),
    "copies": _("DVD copies"),
    "titles": _("DVD titles"),
    "orders": _("DVD orders"),
    "patrons": _("registered patrons"),
}

GROUPINGS = {
    "month": _("month"),
    "film": _("film"),
    "library": _("library"),
    "network": _("network"),
    "department": _("department"),
    "region": _("region"),
}


def _group_values(source: Source, grouping: str) -> dict[str, object]:
    """The GROUP BY columns of a grouping, as `values()` expressions."""
    inst = source.institution
    if grouping == "month":
        return {"month": TruncMonth(source.moment)}
    if grouping == "film":
        return {
            "film_pk": F(f"{source.film}_id" if "__" not in source.film else source.film),
            "film_reference": F(f"{source.film}__reference"),
            "film_title": F(f"{source.film}__title"),
        }
    if grouping == "library":
        return {
            "library_pk": F(f"{inst}_id" if "__" not in inst else inst),
            "library_code": F(f"{inst}__code"),
            "library_name": F(f"{inst}__name"),
        }
    if grouping == "network":
        return {
            "network_pk": F(f"{inst}__network_memberships__network"),
            "network_code": F(f"{inst}__network_memberships__network__code"),
            "network_name": F(f"{inst}__network_memberships__network__name"),
        }
    if grouping == "department":
        return {"department": F(f"{inst}__department_code")}
    if grouping == "region":
        return {"region": F(f"{inst}__region_code")}
    raise ValueError(grouping)


def _members_on_record_day(source: Source) -> Q:
    """For the network grouping: the membership in force on the record's day."""
    path = f"{source.institution}__network_memberships"
    return Q(**{f"{path}__joined_on__lte": F("stat_day")}) & (
        Q(**{f"{path}__left_on__isnull": True}) | Q(**{f"{path}__left_on__gt": F("stat_day")})
    )


def usage_table(
    source: Source, *, scope: StatsScope, period: Period, group_by: Sequence[str]
) -> list[dict]:
    """One row per group (in `group_by` order) with the source's measures, computed by
    one query. Groups without any record do not appear (see `monthly_series` for a
    series with its empty months)."""
    qs = source.queryset(scope, period)
    columns: dict[str, object] = {}
    for grouping in group_by:
        columns.update(_group_values(source, grouping))
    if "network" in group_by:
        if "stat_day" not in qs.query.annotations:
            qs = qs.annotate(stat_day=TruncDate(F(source.moment)))
        qs = qs.filter(_members_on_record_day(source))
    rows = (
        qs.order_by()
        .values(**columns)
        .annotate(**{name: make() for name, make in source.measures.items()})
        .order_by(*columns)
    )
    result = []
    for row in rows:  # aggregated groups, not records
        for name, derive in source.derived.items():
            row[name] = derive(row)
        for name in source.hidden:
            row.pop(name)
        if "month" in row:
            row["month"] = row["month"].strftime("%Y-%m")
        if "region" in row:
            row["region_name"] = REGIONS.get(row["region"], "")
        result.append(row)
    return result


#: the column that tells one group of a grouping from another (its labels follow from it)
GROUP_KEYS = {
    "month": "month",
    "film": "film_pk",
    "library": "library_pk",
    "network": "network_pk",
    "department": "department",
    "region": "region",
}


def usage_table_size(
    source: Source, *, scope: StatsScope, period: Period, group_by: Sequence[str]
) -> int:
    """How many rows `usage_table` would answer, counted by the database (one COUNT of
    the distinct groups) without building them: whether a table is long enough to be
    prepared in the background."""
    qs = source.queryset(scope, period)
    keys: dict[str, object] = {}
    for grouping in group_by:
        key = GROUP_KEYS[grouping]
        keys[key] = _group_values(source, grouping)[key]
    if "network" in group_by:
        if "stat_day" not in qs.query.annotations:
            qs = qs.annotate(stat_day=TruncDate(F(source.moment)))
        qs = qs.filter(_members_on_record_day(source))
    return qs.order_by().values(**keys).distinct().count()


def monthly_series(source: Source, *, scope: StatsScope, period: Period) -> list[dict]:
    """The monthly table with every month of the period, empty months as zeros."""
    by_month = {
        row["month"]: row
        for row in usage_table(source, scope=scope, period=period, group_by=["month"])
    }
    empty = dict.fromkeys(source.columns, 0)
    return [
        by_month.get(month.strftime("%Y-%m"), {"month": month.strftime("%Y-%m"), **empty})
        for month in period.months()
    ]
