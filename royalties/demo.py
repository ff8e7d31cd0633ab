"""Demo payment terms: one version per demo contract from 1 January 2017, with its
contract's fee paid yearly, per-use rates for the media its grants cover, and for some a
minimum guarantee or an advance; then every contract's statement of the demo year drafted
(DVD copies shipped, screenings held: what the beat task drafts on a period's first day),
those of the demo rights holder approved, so that the cinema staff's pages have drafts to
approve and holder-demo's space statements to read."""

from __future__ import annotations

import datetime
from decimal import Decimal

from accounts.models import User
from demo import plan
from rights.models import Contract, Medium, RightsHolder
from royalties.models import (
    FeeSchedule,
    PaymentTerms,
    PerUseRate,
    RightsHolderMember,
    Statement,
    Unit,
)
from royalties.periods import year
from royalties.services import statement_approve, statements_draft_period

RATES = {
    Medium.STREAM_ONSITE: [(Unit.VIEW, "0.30")],
    Medium.STREAM_HOME: [(Unit.VIEW, "0.25"), (Unit.MINUTE, "0.0050")],
    Medium.PUBLIC_SCREENING: [(Unit.SCREENING, "45.00")],
    Medium.DVD: [(Unit.COPY, "3.00")],
}


def seed(ctx: plan.DemoContext) -> None:
    _seed_holder_user(ctx)
    if PaymentTerms.objects.exists():
        ctx.say("royalties: payment terms already present, skipped")
        return
    rng = ctx.random("royalties")
    contracts = list(Contract.objects.order_by("pk").prefetch_related("grants"))
    terms = PaymentTerms.objects.bulk_create(
        [
            PaymentTerms(
                contract=contract,
                valid_from=datetime.date(plan.YEAR, 1, 1),
                flat_fee=contract.fee,
                fee_schedule=FeeSchedule.YEARLY,
                minimum_guarantee=Decimal(rng.choice([0, 0, 0, 100, 250])),
                advance=Decimal(rng.choice([0, 0, 50, 150])),
            )
            for contract in contracts
        ],
        batch_size=1000,
    )
    rates = []
    for contract, version in zip(contracts, terms, strict=True):
        for medium in sorted({grant.medium for grant in contract.grants.all()}):
            for unit, rate in RATES.get(medium, []):
                rates.append(
                    PerUseRate(terms=version, medium=medium, unit=unit, rate=Decimal(rate))
                )
    PerUseRate.objects.bulk_create(rates, batch_size=1000)
    ctx.say(f"royalties: payment terms for {len(terms)} contracts, {len(rates)} per-use rates")
    _seed_statements(ctx)


def _seed_statements(ctx: plan.DemoContext) -> None:
    period = year(plan.YEAR)
    drafted = statements_draft_period(period=period)["drafted"]
    holder = RightsHolder.objects.order_by("pk").first()
    approved = 0
    for statement in Statement.objects.filter(
        contract__rights_holder=holder, period_start=period.start, period_end=period.end
    ).order_by("pk"):
        statement_approve(statement=statement)
        approved += 1
    ctx.say(
        f"royalties: {drafted} statements of {plan.YEAR} drafted, {approved} approved"
        f" (those of {holder.name if holder else 'nobody'})"
    )


def _seed_holder_user(ctx: plan.DemoContext) -> None:
    """The demo rights holder's account (`holder-demo`, created with the other demo
    accounts) reads the space of the first demo rights holder."""
    user = User.objects.filter(username="holder-demo", role=User.Role.RIGHTS_HOLDER).first()
    holder = RightsHolder.objects.order_by("pk").first()
    if user is None or holder is None or RightsHolderMember.objects.filter(user=user).exists():
        return
    RightsHolderMember.objects.create(user=user, rights_holder=holder)
    ctx.say(f"royalties: holder-demo reads the space of {holder.name}")
