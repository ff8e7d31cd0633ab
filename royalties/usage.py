"""What a contract's films did in a period, counted by the database from the records the
statistics count (`stats.selectors.usage`): the view events of the streaming platform,
the public screenings held and the DVD copies shipped.

A use belongs to a contract when one of the contract's grants covers its film and medium
on the use's day (Paris), for its institution's territory and kind, and the contract gave
rights that day (signed; terminated from a later day). When grants of several contracts
cover a use, it goes to the grant created first. Each use is priced by the terms version
in force on its day.

For each kind of use are read: the period's totals per film and medium, the figures by
month and by department (with its region) — never finer: no library, no patron; each
breakdown counts its own distinct viewers, which are not additive —, and the quantities
per film, medium and terms version that the lines price. A film's page reads its cells
(month and department at once, `usage_cells`); statements do not keep them.

The view events are millions a year: on PostgreSQL they are read in one query
(`VIEWS_SQL`) joining each event to its covering grant and terms version once (hash
joins), the breakdowns being grouping sets of that one pass. The screenings and
shipments (hundreds), and the view events on SQLite (the embedded default), are read
through the ORM: one aggregate query per breakdown and kind of use, the covering grant and
terms version found by a subquery per record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from institutions.geography import (
    DEPARTMENT_REGION,
    OVERSEAS_REGIONS,
    TERRITORY_METROPOLITAN,
    TERRITORY_OVERSEAS,
)
from media.models import ViewEvent
from orders.models import Order, OrderLine
from rights.models import Contract, Medium, RightsGrant
from royalties.models import PaymentTerms
from royalties.periods import StatementPeriod
from subscriptions.models import ScreeningBooking

OVERSEAS_DEPARTMENTS = sorted(d for d, r in DEPARTMENT_REGION.items() if r in OVERSEAS_REGIONS)
#: every usage figure a statement shows, zero when a kind of use has none
FIGURES = ("views", "seconds", "viewers", "screenings", "attendance", "copies")


@dataclass(frozen=True)
class UseSource:
    """Where one kind of use is recorded: the model, which records count, the paths to
    the film, the institution and the moment, the medium, and the figures."""

    name: str
    model: type
    counted: Q
    film: str
    institution: str
    moment: str
    medium: object  # an expression: the record's medium, or a constant
    figures: dict

    def base(self, contract: Contract | None, period: StatementPeriod) -> QuerySet:
        """The period's counted records of one contract's uses or, without a contract,
        of every contract's, each with the contract whose grant covered it that day
        (`use_contract`: of the grants covering it, the one created first)."""
        first, after = period.bounds()
        filters = {f"{self.moment}__gte": first, f"{self.moment}__lt": after}
        if contract is not None:
            films = RightsGrant.objects.filter(contract_id=contract.pk).values("film_id")
            filters[f"{self.film}__in"] = films
        qs = self.model.objects.filter(self.counted, **filters).annotate(
            use_day=TruncDate(self.moment),
            use_medium=self.medium,
            use_film=F(self.film),
            # the institution's territory and kind, as the rights engine judges it
            # (`rights.decisions.institution_profile`)
            use_territory=Case(
                When(
                    **{f"{self.institution}__department_code__in": OVERSEAS_DEPARTMENTS},
                    then=Value(TERRITORY_OVERSEAS),
                ),
                default=Value(TERRITORY_METROPOLITAN),
            ),
            use_kind=F(f"{self.institution}__kind"),
        )
        # the contract whose grant, of those covering the use, was created first
        covering = _grants_covering().order_by("pk").values("contract_id")[:1]
        qs = qs.annotate(use_contract=Subquery(covering, output_field=IntegerField()))
        if contract is not None:
            # a use another contract's earlier grant covers is that contract's, read alone
            # as with every contract (a statement approved recomputes it alone)
            qs = qs.filter(use_contract=contract.pk)
        # else: records no grant covered are grouped under no contract and left out by
        # the caller: filtering them here would run the subquery twice per record
        return qs.order_by()


def _grants_covering() -> QuerySet:
    """Grants covering the outer record's film, medium, day, and its institution's
    territory and kind, of any contract that gave rights that day (signed, or terminated
    from a later day). A film may be granted on one medium under
    two contracts at once for two territories: each use goes to the one that allowed it."""
    day = OuterRef("use_day")
    grants = RightsGrant.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        film_id=OuterRef("use_film"),
        medium=OuterRef("use_medium"),
        starts_on__lte=day,
        territories__has_code=OuterRef("use_territory"),
        eligible_kinds__has_code=OuterRef("use_kind"),
    )
    return grants.filter(
        Q(contract__status=Contract.Status.SIGNED)
        | Q(contract__status=Contract.Status.TERMINATED, contract__terminated_on__gt=day)
    )


def _terms_in_force(contract: Contract | None) -> Subquery:
    day = OuterRef("use_day")
    owner = (
        {"contract_id": contract.pk}
        if contract is not None
        else {"contract_id": OuterRef("use_contract")}
    )
    return Subquery(
        PaymentTerms.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day, **owner
        )
        .order_by("-valid_from")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


VIEWS = UseSource(
    name="views",
    model=ViewEvent,
    counted=Q(),
    film="film_id",
    institution="institution",
    moment="started_at",
    medium=F("medium"),
    figures={
        "views": lambda: Count("pk"),
        "seconds": lambda: Coalesce(Sum("seconds_watched"), 0),
        "viewers": lambda: Count("viewer_pseudonym", distinct=True),
    },
)
SCREENINGS = UseSource(
    name="screenings",
    model=ScreeningBooking,
    counted=Q(status=ScreeningBooking.Status.HELD),
    film="film_id",
    institution="library",
    moment="starts_at",
    medium=Value(Medium.PUBLIC_SCREENING.value),
    figures={
        "screenings": lambda: Count("pk"),
        "attendance": lambda: Coalesce(Sum("actual_attendance"), 0),
    },
)
#: copies accepted and shipped, dated by the shipment
SHIPMENTS = UseSource(
    name="copies",
    model=OrderLine,
    counted=Q(
        status=OrderLine.Status.ACCEPTED,
        order__status__in=[Order.Status.SHIPPED, Order.Status.DELIVERED],
    ),
    film="edition__film_id",
    institution="order__library",
    moment="order__shipped_at",
    medium=Value(Medium.DVD.value),
    figures={"copies": lambda: Coalesce(Sum("quantity"), 0)},
)
SOURCES = (VIEWS, SCREENINGS, SHIPMENTS)


def _complete(row: dict) -> dict:
    return {**dict.fromkeys(FIGURES, 0), **row}


def _aggregate(source: UseSource, qs: QuerySet, names: dict[str, str]) -> list[dict]:
    """`qs` grouped by the annotations `names` (annotation -> output key), with the
    source's figures; every figure present."""
    rows = qs.values(*names).annotate(**{name: make() for name, make in source.figures.items()})
    result = []
    for row in rows:
        for annotation, key in names.items():
            row[key] = row.pop(annotation)
        result.append(_complete(row))
    return result


def _names(contract: Contract | None, names: dict[str, str]) -> dict[str, str]:
    return names if contract is not None else {"use_contract": "contract_id", **names}


def _sort_key(*keys):
    def key(row):
        return (row.get("contract_id") or 0, *[row[k] if row[k] is not None else 0 for k in keys])

    return key


#: The view events of a period with their contract and terms version, in one pass, grouped
#: by the grouping sets asked for (`%(sets)s`: names of VIEWS_SETS).
#: The grants' CTEs are inlined (NOT MATERIALIZED): the planner then knows they are small,
#: hashes them rather than the events, and may scan the events in parallel.
#: `granted`: the grants that may cover a view of the period (of one contract, or of every
#: contract that gave rights in it), each knowing the day its contract stopped giving
#: rights (`ends_before`) and whether an earlier grant of the same film and medium overlaps
#: its window (`shared`: only then is the earlier grant looked for, per event). A view is
#: priced by the latest version in force on its day (`later`: whether a version that
#: started later overlaps it).
VIEWS_SQL = """
WITH granted AS NOT MATERIALIZED (
    SELECT g.id, g.contract_id, g.film_id, g.medium, g.starts_on, g.ends_on,
           g.territories, g.eligible_kinds,
           CASE WHEN c.status = %%(terminated)s THEN c.terminated_on END AS ends_before
    FROM rights_rightsgrant g JOIN rights_contract c ON c.id = g.contract_id
    WHERE g.starts_on <= %%(last)s
      AND (g.ends_on IS NULL OR g.ends_on >= %%(first)s)
      AND (c.status = %%(signed)s
           OR (c.status = %%(terminated)s AND c.terminated_on > %%(first)s))
      -- one contract's uses: its films' grants of every contract, the earlier one winning
      AND (%%(contract)s IS NULL OR g.film_id IN (
           SELECT own.film_id FROM rights_rightsgrant own WHERE own.contract_id = %%(contract)s))
), cover AS NOT MATERIALIZED (
    SELECT g.*, g.id IN (
        SELECT later.id FROM granted later JOIN granted h
          ON h.film_id = later.film_id AND h.medium = later.medium AND h.id < later.id
         AND (h.ends_on IS NULL OR h.ends_on >= later.starts_on)
         AND (later.ends_on IS NULL OR later.ends_on >= h.starts_on)
    ) AS shared
    FROM granted g
), terms AS (
    SELECT t.id, t.contract_id, t.valid_from, t.valid_to, EXISTS (
        SELECT 1 FROM royalties_paymentterms s
        WHERE s.contract_id = t.contract_id AND s.valid_from > t.valid_from
          AND (t.valid_to IS NULL OR s.valid_from <= t.valid_to)
    ) AS later
    FROM royalties_paymentterms t
    WHERE t.contract_id IN (SELECT contract_id FROM granted)
), uses AS (
    SELECT v.film_id, v.medium, v.viewer_pseudonym, v.seconds_watched,
           (v.started_at AT TIME ZONE %%(tz)s)::date AS day,
           i.department_code, i.region_code, i.kind,
           CASE WHEN i.department_code = ANY(%%(overseas)s) THEN %%(overseas_territory)s
                ELSE %%(metropolitan_territory)s END AS territory
    FROM media_viewevent v JOIN institutions_institution i ON i.id = v.institution_id
    WHERE v.started_at >= %%(t0)s AND v.started_at < %%(t1)s
), attributed AS (
    SELECT g.contract_id, u.*, t.id AS terms_id
    FROM uses u
    JOIN cover g
      ON g.film_id = u.film_id AND g.medium = u.medium
     AND g.starts_on <= u.day AND (g.ends_on IS NULL OR g.ends_on >= u.day)
     AND (g.ends_before IS NULL OR g.ends_before > u.day)
     AND g.territories ? u.territory AND g.eligible_kinds ? u.kind
    LEFT JOIN terms t
      ON t.contract_id = g.contract_id AND t.valid_from <= u.day
     AND (t.valid_to IS NULL OR t.valid_to >= u.day)
    WHERE (NOT g.shared OR NOT EXISTS (
        SELECT 1 FROM cover h
        WHERE h.film_id = u.film_id AND h.medium = u.medium AND h.id < g.id
          AND h.starts_on <= u.day AND (h.ends_on IS NULL OR h.ends_on >= u.day)
          AND (h.ends_before IS NULL OR h.ends_before > u.day)
          AND h.territories ? u.territory AND h.eligible_kinds ? u.kind
    )) AND (%%(contract)s IS NULL OR g.contract_id = %%(contract)s) AND (t.id IS NULL OR NOT t.later OR NOT EXISTS (
        SELECT 1 FROM terms s
        WHERE s.contract_id = t.contract_id AND s.valid_from > t.valid_from
          AND s.valid_from <= u.day AND (s.valid_to IS NULL OR s.valid_to >= u.day)
    ))
)
SELECT %(grouping)s, contract_id, film_id, medium, %(columns)s,
       count(*), sum(seconds_watched), count(DISTINCT viewer_pseudonym)
FROM (SELECT *, date_trunc('month', day)::date AS month FROM attributed) AS a
GROUP BY GROUPING SETS (%(sets)s)
"""
#: the grouping sets; a row's set is told by which of month, department and terms version
#: were grouped (`GROUPING()`: 0 when grouped, 1 when not)
VIEWS_SETS = {
    "cells": ("contract_id, film_id, medium, month, department_code, region_code", (0, 0, 1)),
    "by_month": ("contract_id, film_id, medium, month", (0, 1, 1)),
    "by_department": ("contract_id, film_id, medium, department_code, region_code", (1, 0, 1)),
    "totals": ("contract_id, film_id, medium", (1, 1, 1)),
    "by_terms": ("contract_id, film_id, medium, terms_id", (1, 1, 0)),
}
#: the columns a set may group by, beside the contract, film and medium
VIEWS_KEYS = ("month", "department_code", "terms_id")

#: the planner cannot estimate the JSON `?` tests on the grants and would nest loops
#: (an index scan of the events per grant and library); hash joins are what this query
#: wants: a handful of grants and one terms version per film against the period's events.
#: No JIT: where a disabled join is the only way (tiny tables), its penalty makes the plan
#: look costly enough to be compiled, which takes longer than running it
PLANNER_SETTINGS = ("enable_nestloop", "enable_mergejoin", "jit")


def _views_in_one_pass(
    contract: Contract | None, period: StatementPeriod, parts: tuple[str, ...]
) -> dict[str, list[dict]]:
    """The view events' rows of `parts` (names of VIEWS_SETS), each with `contract_id`
    (PostgreSQL)."""
    first, after = period.bounds()
    params = {
        "first": period.start,
        "last": period.end,
        "contract": contract.pk if contract is not None else None,
        "signed": Contract.Status.SIGNED,
        "terminated": Contract.Status.TERMINATED,
        "tz": timezone.get_current_timezone_name(),
        "overseas": list(OVERSEAS_DEPARTMENTS),
        "overseas_territory": TERRITORY_OVERSEAS,
        "metropolitan_territory": TERRITORY_METROPOLITAN,
        "t0": first,
        "t1": after,
    }
    grouped = {key: any(key in VIEWS_SETS[part][0] for part in parts) for key in VIEWS_KEYS}
    sql = VIEWS_SQL % {
        "sets": ", ".join(f"({VIEWS_SETS[part][0]})" for part in parts),
        # a column no set groups by may not be named: NULL, "not grouped" (1)
        "grouping": ", ".join(f"GROUPING({key})" if grouped[key] else "1" for key in VIEWS_KEYS),
        "columns": ", ".join(
            (
                "month" if grouped["month"] else "NULL",
                "department_code, region_code" if grouped["department_code"] else "NULL, NULL",
                "terms_id" if grouped["terms_id"] else "NULL",
            )
        ),
    }
    part_of = {VIEWS_SETS[part][1]: part for part in parts}
    result: dict[str, list[dict]] = {part: [] for part in parts}
    # for this query only, inside one transaction (a transaction-pooling proxy keeps the
    # SET and the query on one server connection): set, run, back to the defaults
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(" ".join(f"SET LOCAL {name} = off;" for name in PLANNER_SETTINGS))
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute(" ".join(f"SET LOCAL {name} TO DEFAULT;" for name in PLANNER_SETTINGS))
    empty = dict.fromkeys(FIGURES, 0)
    for over_months, over_departments, over_terms, *rest in rows:
        contract_id, film_id, medium, month, department, region, terms_id, *figures = rest
        part = part_of[(over_months, over_departments, over_terms)]
        row = {**empty, "views": figures[0], "seconds": figures[1], "viewers": figures[2]}
        row.update(contract_id=contract_id, film_id=film_id, medium=medium)
        if not over_months:
            row["month"] = month
        if not over_departments:
            row.update(department_code=department, region_code=region)
        if not over_terms:
            row["terms_id"] = terms_id
        result[part].append(row)
    return result


def _one_pass() -> bool:
    return connection.vendor == "postgresql"


def _read(
    contract: Contract | None, period: StatementPeriod, parts: tuple[str, ...]
) -> dict[str, list[dict]]:
    """The rows of `parts` ("cells", "totals", "by_terms") of every kind of use, sorted
    (so that two computations over the same records compare equal); `contract_id` in
    each row when `contract` is None."""
    result: dict[str, list[dict]] = {part: [] for part in parts}
    for source in SOURCES:
        if source is VIEWS and _one_pass():
            if contract is not None and contract.status not in (
                Contract.Status.SIGNED,
                Contract.Status.TERMINATED,
            ):
                continue
            for part, rows in _views_in_one_pass(contract, period, parts).items():
                if contract is not None:
                    for row in rows:
                        del row["contract_id"]
                result[part] += rows
            continue
        for part in parts:
            result[part] += READERS[part](source, contract, period)
    for row in (*result.get("cells", ()), *result.get("by_month", ())):
        if isinstance(row["month"], datetime.datetime):  # SQLite returns the truncated moment
            row["month"] = row["month"].date()
    for row in (*result.get("cells", ()), *result.get("by_department", ())):
        row["department_code"] = row["department_code"] or ""
        row["region_code"] = row["region_code"] or ""
    for part in parts:
        result[part].sort(key=_sort_key(*SORT_KEYS[part]))
    return result


def _cells_of(source: UseSource, contract: Contract | None, period: StatementPeriod):
    qs = source.base(contract, period).annotate(
        cell_month=TruncMonth("use_day", output_field=DateField()),
        cell_department=F(f"{source.institution}__department_code"),
        cell_region=F(f"{source.institution}__region_code"),
    )
    return _aggregate(
        source,
        qs,
        _names(
            contract,
            {
                "use_film": "film_id",
                "use_medium": "medium",
                "cell_month": "month",
                "cell_department": "department_code",
                "cell_region": "region_code",
            },
        ),
    )


def _by_month_of(source: UseSource, contract: Contract | None, period: StatementPeriod):
    qs = source.base(contract, period).annotate(
        use_month=TruncMonth("use_day", output_field=DateField())
    )
    return _aggregate(
        source,
        qs,
        _names(contract, {"use_film": "film_id", "use_medium": "medium", "use_month": "month"}),
    )


def _by_department_of(source: UseSource, contract: Contract | None, period: StatementPeriod):
    qs = source.base(contract, period).annotate(
        use_department=F(f"{source.institution}__department_code"),
        use_region=F(f"{source.institution}__region_code"),
    )
    return _aggregate(
        source,
        qs,
        _names(
            contract,
            {
                "use_film": "film_id",
                "use_medium": "medium",
                "use_department": "department_code",
                "use_region": "region_code",
            },
        ),
    )


def _totals_of(source: UseSource, contract: Contract | None, period: StatementPeriod):
    return _aggregate(
        source,
        source.base(contract, period),
        _names(contract, {"use_film": "film_id", "use_medium": "medium"}),
    )


def _by_terms_of(source: UseSource, contract: Contract | None, period: StatementPeriod):
    qs = source.base(contract, period).annotate(use_terms=_terms_in_force(contract))
    return _aggregate(
        source,
        qs,
        _names(contract, {"use_film": "film_id", "use_medium": "medium", "use_terms": "terms_id"}),
    )


READERS = {
    "cells": _cells_of,
    "by_month": _by_month_of,
    "by_department": _by_department_of,
    "totals": _totals_of,
    "by_terms": _by_terms_of,
}
SORT_KEYS = {
    "cells": ("film_id", "medium", "month", "department_code"),
    "by_month": ("film_id", "medium", "month"),
    "by_department": ("film_id", "medium", "department_code"),
    "totals": ("film_id", "medium"),
    "by_terms": ("film_id", "medium", "terms_id"),
}


def usage_cells(contract: Contract | None, period: StatementPeriod) -> list[dict]:
    """One row per film, medium, month and department (with its region): the figures of
    that cell (and, for every contract at once, `contract_id`). Sorted, so that two
    computations over the same records compare equal."""
    return _read(contract, period, ("cells",))["cells"]


def usage_totals(contract: Contract | None, period: StatementPeriod) -> list[dict]:
    """One row per film and medium: the period's figures (distinct viewers over the
    whole period)."""
    return _read(contract, period, ("totals",))["totals"]


def usage_by_terms(contract: Contract | None, period: StatementPeriod) -> list[dict]:
    """One row per film, medium and terms version in force on the use's day (None where
    no version was): the quantities the per-use rates apply to."""
    return _read(contract, period, ("by_terms",))["by_terms"]


@dataclass(frozen=True)
class Usage:
    """A contract's usage over a period, as a statement keeps it: per film and medium,
    the period's totals, the figures by month and by department (with its region), and
    the quantities per terms version that the lines price. Each breakdown has its own
    distinct viewers (they do not add up); the cross product of months and departments is
    not kept (`usage_cells` reads it for one film's page)."""

    by_month: list[dict]
    by_department: list[dict]
    totals: list[dict]
    by_terms: list[dict]


PARTS = ("by_month", "by_department", "totals", "by_terms")


def usage_of(contract: Contract, period: StatementPeriod) -> Usage:
    return Usage(**_read(contract, period, PARTS))


def usage_of_every_contract(period: StatementPeriod) -> dict[int, Usage]:
    """Every contract's usage over a period, whatever the number of contracts: the view
    events in one query on PostgreSQL (four on SQLite), the screenings and shipments in
    four each. What drafting a period's statements reads."""
    result: dict[int, Usage] = {}

    def part(contract_id: int) -> Usage:
        return result.setdefault(contract_id, Usage([], [], [], []))

    for name, rows in _read(None, period, PARTS).items():
        for row in rows:  # sorted by contract, then as one contract's rows are
            contract_id = row.pop("contract_id")
            if contract_id is not None:
                getattr(part(contract_id), name).append(row)
    return result
