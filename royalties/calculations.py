"""The arithmetic of a statement, apart from the database: rounding, the amount of a
line, the flat-fee payments falling due in a period, and the totals.

Rounding is to the cent, half up, once per line (`line_amount`, each flat-fee payment,
the quarter of a yearly guarantee); totals are sums and differences of rounded amounts.

The totals, for a period:

- per-use = the sum of the lines;
- guarantee top-up = what the per-use amounts fall short of the period's minimum
  guarantee (never below zero);
- recouped = the part of the per-use amounts that repays the advance still unrecouped
  (at most both);
- total = flat fee due + per-use − recouped + guarantee top-up: each part is at least
  zero and the recouped part at most the per-use amounts, so a total is never negative.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(*, unit: str, quantity: int, rate: Decimal) -> Decimal:
    """The amount of a line: quantity × rate, the quantity in seconds for a per-minute
    rate (so minutes are never rounded before the amount is), rounded once."""
    if unit == "minute":
        return round_cents(Decimal(quantity) * Decimal(rate) / 60)
    return round_cents(Decimal(quantity) * Decimal(rate))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class FeePayment:
    due_on: datetime.date
    label: str
    amount: Decimal


def fee_payments(
    *,
    schedule: str,
    flat_fee: Decimal,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    instalments: int | None,
    signed_on: datetime.date | None,
    start: datetime.date,
    end: datetime.date,
) -> list[FeePayment]:
    """The flat-fee payments of one terms version that fall due between `start` and
    `end` (inclusive):

    - on signature: the whole fee, on the contract's signature day (or the version's
      first day, for a version that starts after the signature);
    - yearly: the whole fee on the version's first day and each anniversary of it while
      the version is in force;
    - instalments: the fee in `instalments` equal parts rounded to the cent (the last part
      takes what rounding left), the first on the version's first day, then one every
      three months.
    """
    flat_fee = Decimal(flat_fee)
    if flat_fee <= 0:
        return []
    payments: list[FeePayment] = []
    if schedule == "on_signature":
        due = max(signed_on or valid_from, valid_from)
        payments.append(FeePayment(due, "on signature", round_cents(flat_fee)))
    elif schedule == "yearly":
        years = 0
        while True:
            due = _add_months(valid_from, 12 * years)
            if due > end or (valid_to is not None and due > valid_to):
                break
            payments.append(FeePayment(due, f"year {years + 1}", round_cents(flat_fee)))
            years += 1
    elif schedule == "instalments":
        count = max(instalments or 1, 1)
        part = round_cents(flat_fee / count)
        for number in range(count):
            amount = part if number < count - 1 else round_cents(flat_fee - part * (count - 1))
            due = _add_months(valid_from, 3 * number)
            payments.append(FeePayment(due, f"instalment {number + 1}/{count}", amount))
    return [payment for payment in payments if start <= payment.due_on <= end]


def period_guarantee(*, yearly: Decimal, kind: str) -> Decimal:
    """The minimum guarantee of a period: the yearly amount, or a quarter of it."""
    return round_cents(Decimal(yearly) / 4) if kind == "quarter" else round_cents(yearly)


@dataclass(frozen=True)
class Totals:
    per_use: Decimal
    guarantee: Decimal
    guarantee_top_up: Decimal
    advance_balance: Decimal
    recouped: Decimal
    flat_fee: Decimal
    total: Decimal


def totals(
    *, per_use: Decimal, guarantee: Decimal, advance_balance: Decimal, flat_fee: Decimal
) -> Totals:
    """The statement's totals (see the module's docstring)."""
    per_use = max(Decimal(per_use), ZERO)
    guarantee = max(Decimal(guarantee), ZERO)
    advance_balance = max(Decimal(advance_balance), ZERO)
    flat_fee = max(Decimal(flat_fee), ZERO)
    recouped = min(advance_balance, per_use)
    top_up = max(guarantee - per_use, ZERO)
    return Totals(
        per_use=per_use,
        guarantee=guarantee,
        guarantee_top_up=top_up,
        advance_balance=advance_balance,
        recouped=recouped,
        flat_fee=flat_fee,
        total=flat_fee + per_use - recouped + top_up,
    )
