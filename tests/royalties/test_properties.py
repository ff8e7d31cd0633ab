"""Property tests: for any mix of grants, terms, periods and records, a statement's usage
is what a direct count over the records gives, its amounts are the rates applied by hand
(rounded once per line), its total is never negative, and approving twice changes
nothing."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rights.models import Medium
from royalties import usage
from royalties.models import Statement
from royalties.periods import quarter, year
from royalties.services import statement_approve, statement_draft
from tests.factories import FilmFactory, InstitutionFactory
from tests.royalties.conftest import (
    ContractFactory,
    GrantFactory,
    make_screening,
    make_shipment,
    make_terms,
    make_view_on,
)
from tests.stats.conftest import make_subscription

D = datetime.date
DAYS = st.dates(D(2016, 11, 1), D(2018, 2, 28))
MEDIA = [Medium.STREAM_HOME, Medium.STREAM_ONSITE, Medium.PUBLIC_SCREENING, Medium.DVD]
TODAY = D(2019, 1, 1)

grants = st.lists(
    st.fixed_dictionaries(
        {
            "film": st.integers(0, 1),
            "medium": st.sampled_from(MEDIA),
            "starts_on": DAYS,
            "length": st.one_of(st.none(), st.integers(0, 300)),
        }
    ),
    max_size=5,
)
events = st.lists(
    st.fixed_dictionaries(
        {
            "film": st.integers(0, 2),  # film 2 is under no grant
            "medium": st.sampled_from(MEDIA),
            "day": DAYS,
            "library": st.integers(0, 1),
            "viewer": st.integers(0, 3),
            "amount": st.integers(1, 7200),  # seconds, attendance or copies
            "held": st.booleans(),
        }
    ),
    max_size=14,
)
periods = st.one_of(
    st.builds(year, st.just(2017)), st.builds(quarter, st.just(2017), st.integers(1, 4))
)
rates = st.decimals(min_value=0, max_value=Decimal("9.9999"), places=4)
money = st.decimals(min_value=0, max_value=Decimal("500.00"), places=2)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    grants=grants,
    events=events,
    period=periods,
    view_rate=rates,
    minute_rate=rates,
    screening_rate=rates,
    copy_rate=rates,
    guarantee=money,
    advance=money,
    terminated=st.one_of(st.none(), DAYS),
)
def test_statement_usage_and_amounts_equal_direct_counts(
    db,
    grants,
    events,
    period,
    view_rate,
    minute_rate,
    screening_rate,
    copy_rate,
    guarantee,
    advance,
    terminated,
):
    """Slow (5 to 20 s with the machine's load): 20 examples, each a few dozen records and a statement computed
    and approved twice. The expected figures come from a plain loop over the generated
    records, the amounts from the rates multiplied here."""
    with transaction.atomic():
        _check_one_example(
            grants,
            events,
            period,
            view_rate,
            minute_rate,
            screening_rate,
            copy_rate,
            guarantee,
            advance,
            terminated,
        )
        transaction.set_rollback(True)


def _check_one_example(
    grants,
    events,
    period,
    view_rate,
    minute_rate,
    screening_rate,
    copy_rate,
    guarantee,
    advance,
    terminated,
):
    libraries = [
        InstitutionFactory(department_code="35", region_code="53"),
        InstitutionFactory(department_code="69", region_code="84"),
    ]
    subscription = make_subscription(libraries[0], year=2017)
    films = [FilmFactory() for _ in range(3)]
    contract = ContractFactory(signed_on=D(2016, 1, 1))
    if terminated is not None:
        contract.status, contract.terminated_on = "terminated", max(terminated, D(2016, 1, 1))
        contract.save()
    windows = []
    for spec in grants:
        ends = (
            None
            if spec["length"] is None
            else spec["starts_on"] + datetime.timedelta(days=spec["length"])
        )
        GrantFactory(
            contract=contract,
            film=films[spec["film"]],
            medium=spec["medium"],
            starts_on=spec["starts_on"],
            ends_on=ends,
        )
        windows.append((spec["film"], spec["medium"], spec["starts_on"], ends))
    make_terms(
        contract, D(2016, 1, 1), None,
        rates=[
            (Medium.STREAM_HOME, "view", view_rate), (Medium.STREAM_HOME, "minute", minute_rate),
            (Medium.STREAM_ONSITE, "view", view_rate),
            (Medium.PUBLIC_SCREENING, "screening", screening_rate), (Medium.DVD, "copy", copy_rate),
        ],
        minimum_guarantee=guarantee, advance=advance,
    )  # fmt: skip

    def counted(spec) -> bool:
        day = spec["day"]
        if not period.start <= day <= period.end:
            return False
        if contract.terminated_on is not None and day >= contract.terminated_on:
            return False
        return any(
            film == spec["film"]
            and medium == spec["medium"]
            and start <= day
            and (end is None or day <= end)
            for film, medium, start, end in windows
        )

    expected: dict[tuple, dict] = {}
    viewers: dict[tuple, set] = {}
    # every stored row, counted by hand: the period's, by month, by department
    by: dict[tuple, dict] = {}
    for spec in events:
        film, medium, library = films[spec["film"]], spec["medium"], libraries[spec["library"]]
        if medium in (Medium.STREAM_HOME, Medium.STREAM_ONSITE):
            make_view_on(
                library=library,
                film=film,
                day=spec["day"],
                medium=medium,
                seconds=spec["amount"],
                viewer=f"v{spec['viewer']}",
            )
        elif medium == Medium.PUBLIC_SCREENING:
            make_screening(
                library=library,
                film=film,
                day=spec["day"],
                subscription=subscription,
                attendance=spec["amount"] if spec["held"] else None,
            )
        else:
            make_shipment(
                library=library,
                film=film,
                day=spec["day"],
                quantity=spec["amount"] % 9 + 1,
                status="shipped" if spec["held"] else "validated",
            )
        if not counted(spec):
            continue
        key = (film.pk, medium)
        row = expected.setdefault(
            key, dict.fromkeys(("views", "seconds", "screenings", "attendance", "copies"), 0)
        )
        month = spec["day"].replace(day=1)
        breakdowns = [
            (*key, None, "", ""),
            (*key, month, "", ""),
            (*key, None, library.department_code, library.region_code),
        ]
        for where in breakdowns:
            by.setdefault(where, {"views": 0, "seconds": 0, "viewers": set(), "screenings": 0,
                                  "attendance": 0, "copies": 0})  # fmt: skip
        if medium in (Medium.STREAM_HOME, Medium.STREAM_ONSITE):
            row["views"] += 1
            row["seconds"] += spec["amount"]
            viewers.setdefault(key, set()).add(spec["viewer"])
            for where in breakdowns:
                by[where]["views"] += 1
                by[where]["seconds"] += spec["amount"]
                by[where]["viewers"].add(spec["viewer"])
        elif medium == Medium.PUBLIC_SCREENING and spec["held"]:
            row["screenings"] += 1
            row["attendance"] += spec["amount"]
            for where in breakdowns:
                by[where]["screenings"] += 1
                by[where]["attendance"] += spec["amount"]
        elif medium == Medium.DVD and spec["held"]:
            row["copies"] += spec["amount"] % 9 + 1
            for where in breakdowns:
                by[where]["copies"] += spec["amount"] % 9 + 1
    expected = {key: row for key, row in expected.items() if any(row.values())}

    statement = statement_draft(contract=contract, period=period, today=TODAY)
    # read with every contract's usage at once, the contract's usage is the same
    alone = usage.usage_of(contract, period)
    nothing = usage.Usage([], [], [], [])
    assert usage.usage_of_every_contract(period).get(contract.pk, nothing) == alone
    got = {
        (row.film_id, row.medium): {
            "views": row.views, "seconds": row.seconds, "screenings": row.screenings,
            "attendance": row.attendance, "copies": row.copies,
        }
        for row in statement.usage.over_period()
    }  # fmt: skip
    assert got == expected
    for row in statement.usage.over_period():
        assert row.viewers == len(viewers.get((row.film_id, row.medium), ()))
    # every row of every breakdown (distinct viewers of each), and no other row
    stored = {
        (row.film_id, row.medium, row.month, row.department_code, row.region_code): (
            row.views, row.seconds, row.viewers, row.screenings, row.attendance, row.copies
        )
        for row in statement.usage.all()
    }  # fmt: skip
    assert stored == {
        where: (f["views"], f["seconds"], len(f["viewers"]), f["screenings"], f["attendance"],
                f["copies"])
        for where, f in by.items()
        if f["views"] or f["screenings"] or f["copies"]  # a record counted there
    }  # fmt: skip

    per_use = Decimal("0.00")
    for (_film, medium), row in expected.items():
        if medium == Medium.STREAM_HOME:
            per_use += cents(row["views"] * view_rate) if row["views"] else 0
            per_use += cents(row["seconds"] * minute_rate / 60) if row["seconds"] else 0
        elif medium == Medium.STREAM_ONSITE:
            per_use += cents(row["views"] * view_rate)
        elif medium == Medium.PUBLIC_SCREENING:
            per_use += cents(row["screenings"] * screening_rate)
        else:
            per_use += cents(row["copies"] * copy_rate)
    period_guarantee = guarantee if period.kind == "year" else cents(guarantee / 4)
    recouped = min(advance, per_use)
    assert statement.per_use_amount == per_use
    assert statement.advance_recouped == recouped
    assert statement.total == per_use - recouped + max(period_guarantee - per_use, 0)
    assert statement.total >= 0

    approved = statement_approve(statement=statement)
    snapshot = (
        list(Statement.objects.filter(pk=statement.pk).values()),
        list(approved.lines.values()),
        list(approved.usage.values()),
    )
    statement_approve(statement=approved)
    assert snapshot == (
        list(Statement.objects.filter(pk=statement.pk).values()),
        list(approved.lines.values()),
        list(approved.usage.values()),
    )
