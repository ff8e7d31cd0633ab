"""What a contract's films did in a period, counted by the database from the records the
statistics count (`stats.selectors.usage`): the view events of the streaming platform,
the public screenings held and the DVD copies shipped.

A use belongs to a contract when one of the contract's grants covers its film and medium
on the use's day (Paris) and the contract gave rights that day (signed; terminated from a
later day). Each use is priced by the terms version in force on its day.

Three aggregate queries per kind of use, whatever the number of records: the cells (film,
medium, month, department — never finer: no library, no patron), the period's totals per
film and medium (distinct viewers are not additive), and the quantities per film, medium
and terms version that the lines price.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from media.models import ViewEvent
from orders.models import Order, OrderLine
from rights.models import Contract, Medium, RightsGrant
from royalties.models import PaymentTerms
from royalties.periods import StatementPeriod
from subscriptions.models import ScreeningBooking

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

    def base(self, contract: Contract, period: StatementPeriod) -> QuerySet:
        first, after = period.bounds()
        films = RightsGrant.objects.filter(contract_id=contract.pk).values("film_id")
        qs = (
            self.model.objects.filter(
                self.counted,
                **{
                    f"{self.moment}__gte": first,
                    f"{self.moment}__lt": after,
                    f"{self.film}__in": films,
                },
            )
            .annotate(
                use_day=TruncDate(self.moment),
                use_medium=self.medium,
                use_film=F(self.film),
            )
            .filter(Exists(_grants_covering(contract)))
        )
        if contract.status == Contract.Status.TERMINATED and contract.terminated_on:
            qs = qs.filter(use_day__lt=contract.terminated_on)
        elif contract.status != Contract.Status.SIGNED:
            qs = qs.none()
        return qs.order_by()


def _grants_covering(contract: Contract) -> QuerySet:
    day = OuterRef("use_day")
    return RightsGrant.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        contract_id=contract.pk,
        film_id=OuterRef("use_film"),
        medium=OuterRef("use_medium"),
        starts_on__lte=day,
    )


def _terms_in_force(contract: Contract) -> Subquery:
    day = OuterRef("use_day")
    return Subquery(
        PaymentTerms.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            contract_id=contract.pk,
            valid_from__lte=day,
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


def usage_cells(contract: Contract, period: StatementPeriod) -> list[dict]:
    """One row per film, medium, month and department (with its region): the figures of
    that cell. Sorted, so that two computations over the same records compare equal."""
    rows = []
    for source in SOURCES:
        qs = source.base(contract, period).annotate(
            cell_month=TruncMonth("use_day", output_field=DateField()),
            cell_department=F(f"{source.institution}__department_code"),
            cell_region=F(f"{source.institution}__region_code"),
        )
        rows += _aggregate(
            source,
            qs,
            {
                "use_film": "film_id",
                "use_medium": "medium",
                "cell_month": "month",
                "cell_department": "department_code",
                "cell_region": "region_code",
            },
        )
    for row in rows:
        if isinstance(row["month"], datetime.datetime):  # SQLite returns the truncated moment
            row["month"] = row["month"].date()
        row["department_code"] = row["department_code"] or ""
        row["region_code"] = row["region_code"] or ""
    return sorted(rows, key=lambda r: (r["film_id"], r["medium"], r["month"], r["department_code"]))


def usage_totals(contract: Contract, period: StatementPeriod) -> list[dict]:
    """One row per film and medium: the period's figures (distinct viewers over the
    whole period)."""
    rows = []
    for source in SOURCES:
        rows += _aggregate(
            source,
            source.base(contract, period),
            {"use_film": "film_id", "use_medium": "medium"},
        )
    return sorted(rows, key=lambda r: (r["film_id"], r["medium"]))


def usage_by_terms(contract: Contract, period: StatementPeriod) -> list[dict]:
    """One row per film, medium and terms version in force on the use's day (None where
    no version was): the quantities the per-use rates apply to."""
    rows = []
    for source in SOURCES:
        qs = source.base(contract, period).annotate(use_terms=_terms_in_force(contract))
        rows += _aggregate(
            source, qs, {"use_film": "film_id", "use_medium": "medium", "use_terms": "terms_id"}
        )
    return sorted(rows, key=lambda r: (r["film_id"], r["medium"], r["terms_id"] or 0))
