"""Payment terms: a contract's versions, created, changed and removed under the
contract's lock, so that two versions never overlap and no version a frozen statement
priced from is changed under it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError
from rights.locks import lock_contract
from rights.models import Contract
from royalties.errors import RoyaltiesErrorCode
from royalties.locks import lock_terms
from royalties.models import (
    UNITS_BY_MEDIUM,
    FeeSchedule,
    FlatFeeLine,
    PaymentTerms,
    PerUseRate,
    Statement,
    StatementLine,
)

AMOUNT_FIELDS = ("flat_fee", "minimum_guarantee", "advance")
TERMS_FIELDS = (
    "valid_from",
    "valid_to",
    "flat_fee",
    "fee_schedule",
    "instalments",
    "minimum_guarantee",
    "advance",
)


def _check_amounts(fields: dict, rates: list[dict]) -> None:
    for name in AMOUNT_FIELDS:
        if fields.get(name) is not None and Decimal(fields[name]) < 0:
            raise ApplicationError(
                RoyaltiesErrorCode.NEGATIVE_AMOUNT, _("An amount cannot be negative."), field=name
            )
    seen = set()
    for rate in rates:
        if Decimal(rate["rate"]) < 0:
            raise ApplicationError(
                RoyaltiesErrorCode.NEGATIVE_AMOUNT, _("A rate cannot be negative."), field="rates"
            )
        if rate["unit"] not in UNITS_BY_MEDIUM.get(rate["medium"], ()):
            raise ApplicationError(
                RoyaltiesErrorCode.UNIT_NOT_FOR_MEDIUM,
                _("This medium is not paid by this unit."),
                field="rates",
            )
        key = (rate["medium"], rate["unit"])
        if key in seen:
            raise ApplicationError(
                RoyaltiesErrorCode.DUPLICATE_RATE,
                _("A medium has one rate per unit in a version."),
                field="rates",
            )
        seen.add(key)


def _check_window(fields: dict) -> None:
    valid_from, valid_to = fields["valid_from"], fields.get("valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise ApplicationError(
            RoyaltiesErrorCode.TERMS_WINDOW_REVERSED,
            _("The version ends before it starts."),
            field="valid_to",
        )
    if fields.get("fee_schedule") == FeeSchedule.INSTALMENTS and not fields.get("instalments"):
        raise ApplicationError(
            RoyaltiesErrorCode.INSTALMENTS_REQUIRED,
            _("Say in how many instalments the fee is paid."),
            field="instalments",
        )


def _overlapping(contract: Contract, valid_from, valid_to, *, exclude: int | None = None):
    qs = PaymentTerms.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from), contract_id=contract.pk
    )
    if valid_to is not None:
        qs = qs.filter(valid_from__lte=valid_to)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs


def _frozen_statements_touching(contract: Contract, valid_from, valid_to):
    """Statements no longer drafts whose period shares a day with the window."""
    qs = Statement.objects.filter(contract_id=contract.pk, period_end__gte=valid_from).exclude(
        status=Statement.Status.DRAFT
    )
    if valid_to is not None:
        qs = qs.filter(period_start__lte=valid_to)
    return qs


def _refuse_if_frozen(contract: Contract, valid_from, valid_to) -> None:
    if _frozen_statements_touching(contract, valid_from, valid_to).exists():
        raise ConflictError(
            RoyaltiesErrorCode.TERMS_IN_USE,
            _(
                "An approved statement covers days of this version: its terms are frozen. "
                "Start a new version after that statement's period."
            ),
        )


def _write_rates(terms: PaymentTerms, rates: Iterable[dict]) -> None:
    terms.rates.all().delete()
    objects = [PerUseRate(terms=terms, **rate) for rate in rates]
    for rate in objects:
        rate.full_clean(exclude=["terms"])
    for rate in objects:  # one by one: each is recorded in the history
        rate.save()


@transaction.atomic
def payment_terms_create(
    *, contract: Contract, rates: Iterable[dict] = (), by=None, **fields
) -> PaymentTerms:
    """A new version of the contract's terms. An open-ended version that started before
    it ends the day before it starts (recorded as a change by the same person); any other
    overlap is refused (`overlapping_terms`), and so is a version covering days of an
    approved statement (`terms_in_use`)."""
    rates = list(rates)
    _check_amounts(fields, rates)
    _check_window(fields)
    contract = lock_contract(contract.pk)
    valid_from, valid_to = fields["valid_from"], fields.get("valid_to")
    _refuse_if_frozen(contract, valid_from, valid_to)
    overlapping = list(_overlapping(contract, valid_from, valid_to))
    open_before = [
        terms for terms in overlapping if terms.valid_to is None and terms.valid_from < valid_from
    ]
    others = [terms for terms in overlapping if terms not in open_before]
    if others:
        raise ApplicationError(
            RoyaltiesErrorCode.OVERLAPPING_TERMS,
            _("Another version of this contract's terms covers some of these days."),
            field="valid_from",
            extra={"terms": [terms.pk for terms in others]},
        )
    for terms in open_before:
        terms.valid_to = valid_from - datetime.timedelta(days=1)
        _refuse_if_frozen(contract, valid_from, None)
        terms._history_user = by
        terms.save(update_fields=["valid_to", "updated_at"])
    terms = PaymentTerms(contract=contract, created_by=by, **fields)
    terms.full_clean()
    terms._history_user = by
    terms.save()
    _write_rates(terms, rates)
    return terms


@transaction.atomic
def payment_terms_update(
    *, terms: PaymentTerms, rates: Iterable[dict] | None = None, by=None, **fields
) -> PaymentTerms:
    """Change a version not yet frozen by an approved statement (before and after the
    change); its rates are replaced when given. Draft statements are recomputed before
    their approval (their inputs changed)."""
    contract = lock_contract(terms.contract_id)
    terms = lock_terms(terms.pk)
    merged = {name: getattr(terms, name) for name in TERMS_FIELDS} | fields
    rates_list = (
        list(rates) if rates is not None else list(terms.rates.values("medium", "unit", "rate"))
    )
    _check_amounts(merged, rates_list)
    _check_window(merged)
    _refuse_if_frozen(contract, terms.valid_from, terms.valid_to)
    _refuse_if_frozen(contract, merged["valid_from"], merged["valid_to"])
    if _overlapping(contract, merged["valid_from"], merged["valid_to"], exclude=terms.pk).exists():
        raise ApplicationError(
            RoyaltiesErrorCode.OVERLAPPING_TERMS,
            _("Another version of this contract's terms covers some of these days."),
            field="valid_from",
        )
    for name, value in fields.items():
        setattr(terms, name, value)
    terms.full_clean()
    terms._history_user = by
    terms.save()
    if rates is not None:
        StatementLine.objects.filter(terms=terms).delete()  # draft lines: recomputed anyway
        _write_rates(terms, rates_list)
    return terms


@transaction.atomic
def payment_terms_delete(*, terms: PaymentTerms, by=None) -> None:
    """Remove a version no approved statement priced from."""
    contract = lock_contract(terms.contract_id)
    _refuse_if_frozen(contract, terms.valid_from, terms.valid_to)
    StatementLine.objects.filter(terms=terms).delete()
    FlatFeeLine.objects.filter(terms=terms).delete()
    terms._history_user = by
    terms.delete()
