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
    Case,
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
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

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
        (`use_contract`: grants of one film and medium in force do not overlap)."""
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
        if contract is None:
            covering = _grants_covering(None).order_by("pk").values("contract_id")[:1]
            # records no grant covered are grouped under no contract and left out by the
            # caller: filtering them here would run the subquery twice per record
            qs = qs.annotate(use_contract=Subquery(covering, output_field=IntegerField()))
        else:
            qs = qs.filter(Exists(_grants_covering(contract)))
            if contract.status == Contract.Status.TERMINATED and contract.terminated_on:
                qs = qs.filter(use_day__lt=contract.terminated_on)
            elif contract.status != Contract.Status.SIGNED:
                qs = qs.none()
        return qs.order_by()


def _grants_covering(contract: Contract | None) -> QuerySet:
    """Grants covering the outer record's film, medium, day, and its institution's
    territory and kind: of one contract, or of any contract that gave rights that day
    (signed, or terminated from a later day). A film may be granted on one medium under
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
    if contract is not None:
        return grants.filter(contract_id=contract.pk)
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


def usage_cells(contract: Contract | None, period: StatementPeriod) -> list[dict]:
    """One row per film, medium, month and department (with its region): the figures of
    that cell (and, for every contract at once, `contract_id`). Sorted, so that two
    computations over the same records compare equal."""
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
    for row in rows:
        if isinstance(row["month"], datetime.datetime):  # SQLite returns the truncated moment
            row["month"] = row["month"].date()
        row["department_code"] = row["department_code"] or ""
        row["region_code"] = row["region_code"] or ""
    return sorted(rows, key=_sort_key("film_id", "medium", "month", "department_code"))


def usage_totals(contract: Contract | None, period: StatementPeriod) -> list[dict]:
    """One row per film and medium: the period's figures (distinct viewers over the
    whole period)."""
    rows = []
    for source in SOURCES:
        rows += _aggregate(
            source,
            source.base(contract, period),
            _names(contract, {"use_film": "film_id", "use_medium": "medium"}),
        )
    return sorted(rows, key=_sort_key("film_id", "medium"))


def usage_by_terms(contract: Contract | None, period: StatementPeriod) -> list[dict]:
    """One row per film, medium and terms version in force on the use's day (None where
    no version was): the quantities the per-use rates apply to."""
    rows = []
    for source in SOURCES:
        qs = source.base(contract, period).annotate(use_terms=_terms_in_force(contract))
        rows += _aggregate(
            source,
            qs,
            _names(
                contract, {"use_film": "film_id", "use_medium": "medium", "use_terms": "terms_id"}
            ),
        )
    return sorted(rows, key=_sort_key("film_id", "medium", "terms_id"))


@dataclass(frozen=True)
class Usage:
    """A contract's usage over a period, as the three functions above give it."""

    cells: list[dict]
    totals: list[dict]
    by_terms: list[dict]


def usage_of(contract: Contract, period: StatementPeriod) -> Usage:
    return Usage(
        usage_cells(contract, period),
        usage_totals(contract, period),
        usage_by_terms(contract, period),
    )


def usage_of_every_contract(period: StatementPeriod) -> dict[int, Usage]:
    """Every contract's usage over a period in nine aggregate queries (three per kind of
    use), whatever the number of contracts: what drafting a period's statements reads."""
    result: dict[int, Usage] = {}

    def part(contract_id: int) -> Usage:
        return result.setdefault(contract_id, Usage([], [], []))

    for name, rows in (
        ("cells", usage_cells(None, period)),
        ("totals", usage_totals(None, period)),
        ("by_terms", usage_by_terms(None, period)),
    ):
        for row in rows:  # sorted by contract, then as one contract's rows are
            contract_id = row.pop("contract_id")
            if contract_id is not None:
                getattr(part(contract_id), name).append(row)
    return result
