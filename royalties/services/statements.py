"""A statement's life: drafted (computed from the records and the terms), recomputed
while a draft, approved by the cinema staff (frozen, provided its inputs did not change
since it was computed), sent to the rights holder's contacts with its PDF, paid.

Every transition locks the statement's row and checks its current status; approving or
sending again what is already approved or sent changes nothing."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from functools import partial
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError
from rights.locks import lock_contract
from rights.models import Contract
from royalties import calculations, usage
from royalties.errors import RoyaltiesErrorCode
from royalties.locks import lock_correction_of, lock_period_statement, lock_statement
from royalties.models import (
    FlatFeeLine,
    PaymentTerms,
    Statement,
    StatementLine,
    StatementUsage,
)
from royalties.periods import StatementPeriod, period_ended

#: statements no longer drafts
FROZEN = (Statement.Status.APPROVED, Statement.Status.SENT, Statement.Status.PAID)
#: the figure a per-use unit is paid on
QUANTITY_OF_UNIT = {
    "view": "views",
    "minute": "seconds",
    "screening": "screenings",
    "copy": "copies",
}


@dataclass
class Computation:
    """Everything a statement holds, computed from the records and the terms."""

    #: the usage rows (`StatementUsage`): per film and medium, the period's totals (no
    #: month, no department), by month (no department), by department (no month), as
    #: tuples in `USAGE_COLUMNS`' order
    usage_rows: list[tuple]
    lines: list[dict]
    fees: list[dict]
    totals: calculations.Totals
    digest: str


@dataclass(frozen=True)
class Inputs:
    """What a statement is computed from besides its contract and period, when read for
    every contract at once (`inputs_of_every_contract`) rather than by each statement."""

    used: usage.Usage
    versions: list[PaymentTerms]
    recouped: calculations.Decimal


def _versions_of(contract_ids) -> dict[int, list[PaymentTerms]]:
    versions: dict[int, list[PaymentTerms]] = {}
    for terms in PaymentTerms.objects.filter(contract_id__in=contract_ids).prefetch_related(
        "rates"
    ):
        versions.setdefault(terms.contract_id, []).append(terms)
    return versions


def _versions(contract: Contract) -> list[PaymentTerms]:
    return _versions_of([contract.pk]).get(contract.pk, [])


def _recouped_before(contract_ids, period: StatementPeriod) -> dict[int, calculations.Decimal]:
    """The advance recouped by the contracts' statements of earlier periods."""
    rows = (
        Statement.objects.filter(contract_id__in=contract_ids, period_end__lt=period.start)
        .exclude(status=Statement.Status.DRAFT)
        # a statement restated by an approved correction counts through the correction
        .exclude(correction__status__in=FROZEN)
        .order_by()
        .values("contract_id")
        .annotate(total=Sum("advance_recouped"))
    )
    return {row["contract_id"]: row["total"] or calculations.ZERO for row in rows}


def _advance_recouped_before(contract: Contract, period: StatementPeriod) -> calculations.Decimal:
    return _recouped_before([contract.pk], period).get(contract.pk, calculations.ZERO)


def inputs_of_every_contract(period: StatementPeriod, contract_ids: list[int]) -> dict:
    """Each contract's `Inputs` for the period, in a constant number of queries."""
    every = usage.usage_of_every_contract(period)
    versions = _versions_of(contract_ids)
    recouped = _recouped_before(contract_ids, period)
    return {
        pk: Inputs(
            every.get(pk, usage.Usage([], [], [], [])),
            versions.get(pk, []),
            recouped.get(pk, calculations.ZERO),
        )
        for pk in contract_ids
    }


def statement_compute(
    *, contract: Contract, period: StatementPeriod, inputs: Inputs | None = None
) -> Computation:
    """Usage, lines, flat-fee payments and totals of a contract over a period, and the
    digest of all of it (what approval compares). `inputs`: the contract's usage, terms
    and recouped advance when they were read with every other contract's
    (`inputs_of_every_contract`)."""
    used = inputs.used if inputs else usage.usage_of(contract, period)
    versions = inputs.versions if inputs else _versions(contract)
    by_pk = {terms.pk: terms for terms in versions}
    lines = []
    for row in used.by_terms:
        terms = by_pk.get(row["terms_id"])
        if terms is None:
            continue
        for rate in sorted(terms.rates.all(), key=lambda r: r.unit):
            if rate.medium != row["medium"]:
                continue
            quantity = row[QUANTITY_OF_UNIT[rate.unit]]
            if not quantity:
                continue
            lines.append(
                {
                    "film_id": row["film_id"],
                    "medium": row["medium"],
                    "terms_id": terms.pk,
                    "unit": rate.unit,
                    "quantity": quantity,
                    "rate": rate.rate,
                    "amount": calculations.line_amount(
                        unit=rate.unit, quantity=quantity, rate=rate.rate
                    ),
                }
            )
    fees = []
    for terms in versions:
        for payment in calculations.fee_payments(
            schedule=terms.fee_schedule,
            flat_fee=terms.flat_fee,
            valid_from=terms.valid_from,
            valid_to=terms.valid_to,
            instalments=terms.instalments,
            signed_on=contract.signed_on,
            start=period.start,
            end=period.end,
        ):
            fees.append(
                {
                    "terms_id": terms.pk,
                    "due_on": payment.due_on,
                    "label": payment.label,
                    "amount": payment.amount,
                }
            )
    # the guarantee and the advance: the last version in force during the period
    in_period = [
        terms
        for terms in versions
        if terms.valid_from <= period.end
        and (terms.valid_to is None or terms.valid_to >= period.start)
    ]
    last = max(in_period, key=lambda terms: terms.valid_from, default=None)
    guarantee = (
        calculations.period_guarantee(yearly=last.minimum_guarantee, kind=period.kind)
        if last
        else calculations.ZERO
    )
    recouped = inputs.recouped if inputs else _advance_recouped_before(contract, period)
    advance_balance = max(last.advance - recouped, calculations.ZERO) if last else calculations.ZERO
    totals = calculations.totals(
        per_use=sum((line["amount"] for line in lines), calculations.ZERO),
        guarantee=guarantee,
        advance_balance=advance_balance,
        flat_fee=sum((fee["amount"] for fee in fees), calculations.ZERO),
    )
    usage_rows = _usage_rows(used)
    digest = hashlib.sha256(
        json.dumps(
            {
                "usage": usage_rows,
                "lines": lines,
                "fees": fees,
                "totals": totals.__dict__,
            },
            default=str,
            sort_keys=True,
        ).encode()
    ).hexdigest()
    return Computation(usage_rows, lines, fees, totals, digest)


def _usage_rows(used: usage.Usage) -> list[tuple]:
    """The statement's usage rows as tuples in `USAGE_COLUMNS`' order: the period's totals,
    then by month, then by department (a row of one breakdown leaves the other's key
    empty)."""
    key = itemgetter("film_id", "medium")
    figures = itemgetter(*usage.FIGURES)
    return (
        [(*key(row), None, "", "", *figures(row)) for row in used.totals]
        + [(*key(row), row["month"], "", "", *figures(row)) for row in used.by_month]
        + [
            (*key(row), None, row["department_code"], row["region_code"], *figures(row))
            for row in used.by_department
        ]
    )


#: a statement's usage rows, in COPY's column order
USAGE_COLUMNS = ("film_id", "medium", "month", "department_code", "region_code", *usage.FIGURES)


def _insert_usage(statement: Statement, rows: list[tuple]) -> None:
    """The statement's usage rows (`_usage_rows`). A year's statements hold tens of
    thousands for the whole platform, written by COPY on PostgreSQL (building each row as
    a model instance and an INSERT parameter costs ten times more), by `bulk_create`
    elsewhere."""
    if connection.vendor != "postgresql":
        StatementUsage.objects.bulk_create(
            [
                StatementUsage(statement=statement, **dict(zip(USAGE_COLUMNS, row, strict=True)))
                for row in rows
            ]
        )
        return
    table = StatementUsage._meta.db_table
    columns = ", ".join(("statement_id", *USAGE_COLUMNS))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN"  # names from the model, not from input
        ) as copy,
    ):
        pk = statement.pk
        write_row = copy.write_row
        for row in rows:
            write_row((pk, *row))


def _write(statement: Statement, computation: Computation) -> Statement:
    totals = computation.totals
    statement.per_use_amount = totals.per_use
    statement.minimum_guarantee = totals.guarantee
    statement.guarantee_top_up = totals.guarantee_top_up
    statement.advance_balance = totals.advance_balance
    statement.advance_recouped = totals.recouped
    statement.flat_fee_amount = totals.flat_fee
    statement.total = totals.total
    adding = statement._state.adding
    # a draft computed again from the same inputs keeps its rows: the digest covers every
    # usage row, line and fee line stored with it (they are written only here, with it)
    unchanged = not adding and statement.inputs_digest == computation.digest
    statement.inputs_digest = computation.digest
    statement.computed_at = timezone.now()
    # the fields' own checks (amounts, choices), without a query: the references come
    # from rows locked by the caller, and the uniqueness and check constraints are the
    # database's, enforced by the save itself (each checked by Django costs a query and
    # a savepoint: 19 round trips per statement)
    statement.full_clean(
        exclude=["contract", "corrects", "approved_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    statement.save()
    if unchanged:
        return statement
    if not adding:  # a draft computed again, from inputs that changed
        statement.usage.all().delete()
        statement.lines.all().delete()
        statement.fee_lines.all().delete()
    _insert_usage(statement, computation.usage_rows)
    StatementLine.objects.bulk_create(
        [StatementLine(statement=statement, **line) for line in computation.lines]
    )
    FlatFeeLine.objects.bulk_create(
        [FlatFeeLine(statement=statement, **fee) for fee in computation.fees]
    )
    return statement


def _refuse_unsigned(contract: Contract) -> None:
    if contract.status not in (Contract.Status.SIGNED, Contract.Status.TERMINATED):
        raise ConflictError(
            RoyaltiesErrorCode.CONTRACT_NOT_SIGNED,
            _("Only a signed contract has statements."),
        )


def _refuse_mixed_periods(contract: Contract, period: StatementPeriod) -> None:
    """A contract's statements are all quarters or all years over the same days: a year
    over quarters (or a quarter inside a year) would recoup the advance and apply the
    minimum guarantee twice. Refused while any statement of the other length shares a day
    with the period (called under the contract's lock)."""
    clashing = (
        Statement.objects.filter(
            contract_id=contract.pk, period_start__lte=period.end, period_end__gte=period.start
        )
        .exclude(period_kind=period.kind)
        .order_by("period_start", "pk")
    )
    found = list(clashing)
    if found:
        labels = sorted({statement.period_label for statement in found})
        raise ConflictError(
            RoyaltiesErrorCode.MIXED_PERIODS,
            _(
                "This contract already has a statement of another length over some of these "
                "days (%(periods)s): its statements are all quarters or all years."
            )
            % {"periods": ", ".join(labels)},
            extra={"statements": [statement.pk for statement in found]},
        )


def _lock(statement: Statement) -> Statement:
    return lock_statement(statement.pk)


def _wrong_status() -> ConflictError:
    return ConflictError(
        RoyaltiesErrorCode.INVALID_STATUS_TRANSITION,
        _("The statement's status does not allow this."),
    )


def due_on(period: StatementPeriod) -> datetime.date:
    return period.end + datetime.timedelta(days=settings.ROYALTY_STATEMENT_DUE_DAYS)


@transaction.atomic
def statement_draft(
    *,
    contract: Contract,
    period: StatementPeriod,
    today: datetime.date | None = None,
    inputs: Inputs | None = None,
) -> Statement:
    """The contract's statement of a period that is over, computed now. A draft of that
    period is recomputed; one already approved is refused (`statement_exists`)."""
    period_ended(period, today=today or timezone.localdate())
    contract = lock_contract(contract.pk)
    _refuse_unsigned(contract)
    _refuse_mixed_periods(contract, period)
    statement = lock_period_statement(contract, period.start, period.end)
    if statement is not None and statement.status != Statement.Status.DRAFT:
        raise ConflictError(
            RoyaltiesErrorCode.STATEMENT_EXISTS,
            _("This period's statement is already approved: correct it instead."),
            extra={"statement": statement.pk},
        )
    if statement is None:
        statement = Statement(
            contract=contract,
            period_kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            due_on=due_on(period),
        )
    return _write(statement, statement_compute(contract=contract, period=period, inputs=inputs))


@transaction.atomic
def statement_correct(*, statement: Statement) -> Statement:
    """A correction of an approved statement: a new draft of the same contract and
    period, computed now, that refers to it and knows its total (its `balance` is the
    difference). The corrected statement stays as it was approved; a statement is
    corrected once (its correction may be corrected in turn), and asking again while the
    correction is a draft recomputes that draft."""
    statement = _lock(statement)
    if statement.status == Statement.Status.DRAFT:
        raise _wrong_status()
    existing = lock_correction_of(statement)
    if existing is not None and existing.status != Statement.Status.DRAFT:
        raise ConflictError(
            RoyaltiesErrorCode.STATEMENT_EXISTS,
            _("This statement is already corrected: correct its correction."),
            extra={"statement": existing.pk},
        )
    correction = existing or Statement(
        contract=statement.contract,
        period_kind=statement.period_kind,
        period_start=statement.period_start,
        period_end=statement.period_end,
        due_on=statement.due_on,
        corrects=statement,
        previously_stated=statement.total,
    )
    return _write(
        correction,
        statement_compute(contract=statement.contract, period=statement_period(statement)),
    )


def statement_period(statement: Statement) -> StatementPeriod:
    return StatementPeriod(statement.period_kind, statement.period_start, statement.period_end)


@transaction.atomic
def statement_recompute(*, statement: Statement) -> Statement:
    """Compute a draft again from the records and terms as they are now."""
    statement = _lock(statement)
    if statement.status != Statement.Status.DRAFT:
        raise _wrong_status()
    return _write(
        statement,
        statement_compute(contract=statement.contract, period=statement_period(statement)),
    )


@transaction.atomic
def statement_approve(*, statement: Statement, by=None) -> Statement:
    """Freeze a draft: its lines and usage stay as they are. Refused when what it was
    computed from changed since (records, terms, earlier statements: `inputs_changed`,
    recompute first). A statement already approved (or further) is left as it is."""
    statement = _lock(statement)
    if statement.status != Statement.Status.DRAFT:
        return statement
    now = statement_compute(contract=statement.contract, period=statement_period(statement))
    if now.digest != statement.inputs_digest:
        raise ConflictError(
            RoyaltiesErrorCode.INPUTS_CHANGED,
            _("What this statement was computed from has changed: recompute it first."),
        )
    statement.status = Statement.Status.APPROVED
    statement.approved_at = timezone.now()
    statement.approved_by = by
    statement._history_user = by
    statement.save(update_fields=["status", "approved_at", "approved_by"])
    return statement


def statement_recipients(statement: Statement) -> list[str]:
    return sorted(
        {
            contact.email
            for contact in statement.contract.rights_holder.contacts.all()
            if contact.email
        }
    )


@transaction.atomic
def statement_send(*, statement: Statement, by=None) -> Statement:
    """Send an approved statement to the rights holder's contacts, its PDF attached; the
    e-mail leaves once this commits. A statement already sent is not sent again."""
    statement = _lock(statement)
    if statement.status in (Statement.Status.SENT, Statement.Status.PAID):
        return statement
    if statement.status != Statement.Status.APPROVED:
        raise _wrong_status()
    recipients = statement_recipients(statement)
    if not recipients:
        raise ConflictError(
            RoyaltiesErrorCode.NO_CONTACT_EMAIL,
            _("The rights holder has no contact with an e-mail address."),
        )
    statement.status = Statement.Status.SENT
    statement.sent_at = timezone.now()
    statement.sent_to = recipients
    statement._history_user = by
    statement.save(update_fields=["status", "sent_at", "sent_to"])
    from royalties.tasks import statement_email_send

    transaction.on_commit(partial(statement_email_send.delay, statement.pk))
    return statement


@transaction.atomic
def statement_pay(
    *,
    statement: Statement,
    paid_on: datetime.date,
    reference: str,
    by=None,
    today: datetime.date | None = None,
) -> Statement:
    """Record the payment of an approved (or sent) statement. The same payment recorded
    again changes nothing; another one is refused."""
    if paid_on > (today or timezone.localdate()):
        raise ApplicationError(
            RoyaltiesErrorCode.PAID_IN_FUTURE,
            _("A payment is recorded once made."),
            field="paid_on",
        )
    statement = _lock(statement)
    if statement.status == Statement.Status.PAID:
        if statement.paid_on == paid_on and statement.payment_reference == reference:
            return statement
        raise _wrong_status()
    if statement.status not in (Statement.Status.APPROVED, Statement.Status.SENT):
        raise _wrong_status()
    statement.status = Statement.Status.PAID
    statement.paid_on = paid_on
    statement.payment_reference = reference
    statement._history_user = by
    statement.save(update_fields=["status", "paid_on", "payment_reference"])
    return statement


def contracts_with_rights_in(period: StatementPeriod):
    """Contracts that gave rights on some day of the period: signed by its end, and not
    terminated before it started."""
    return Contract.objects.filter(
        Q(status=Contract.Status.SIGNED)
        | Q(status=Contract.Status.TERMINATED, terminated_on__gt=period.start),
        signed_on__lte=period.end,
    ).order_by("pk")


def statements_draft_period(
    *, period: StatementPeriod, today: datetime.date | None = None
) -> dict[str, int]:
    """Draft (or recompute) every contract's statement of a period that is over; those
    already approved are left alone, and so are the contracts whose statements are of the
    other length over these days (`mixed_periods`). What every contract's statement is
    computed from is read at once (`inputs_of_every_contract`: the period's records in a
    constant number of aggregate queries, the terms, the advances recouped), then each
    statement is written in its own transaction; approving one later recomputes it alone
    and must find the same."""
    today = today or timezone.localdate()
    period_ended(period, today=today)
    counts = {"drafted": 0, "kept": 0}
    contracts = list(contracts_with_rights_in(period))
    every = inputs_of_every_contract(period, [contract.pk for contract in contracts])
    for contract in contracts:
        try:
            statement_draft(
                contract=contract, period=period, today=today, inputs=every[contract.pk]
            )
        except ConflictError as error:
            if error.code not in (
                RoyaltiesErrorCode.STATEMENT_EXISTS,
                RoyaltiesErrorCode.MIXED_PERIODS,
            ):
                raise
            counts["kept"] += 1
        else:
            counts["drafted"] += 1
    return counts
