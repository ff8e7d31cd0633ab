"""Reads of the royalties app, and who may read what.

The cinema staff read every statement and every contract's terms. A rights holder's user
reads their holder's signed contracts, the grants under them, the films of those grants
with their usage, and their statements once approved — nothing of another holder, which
answers 404 like an id that does not exist (`backend.access`). Patrons and library staff
read nothing here.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.access import get_or_not_found
from catalogue.models import Film
from rights.models import Contract, RightsGrant, RightsHolder
from rights.selectors import history_entries
from royalties import usage
from royalties.models import (
    PaymentTerms,
    PerUseRate,
    RightsHolderMember,
    Statement,
    StatementLine,
    StatementUsage,
)
from royalties.periods import StatementPeriod

#: contracts a rights holder sees: those that were signed
HOLDER_CONTRACT_STATUSES = (Contract.Status.SIGNED, Contract.Status.TERMINATED)
#: statements a rights holder sees: once approved
HOLDER_STATEMENT_STATUSES = (
    Statement.Status.APPROVED,
    Statement.Status.SENT,
    Statement.Status.PAID,
)


def rights_holder_of(user) -> RightsHolder | None:
    """The rights holder whose space `user` may read, if any."""
    if not (user.is_authenticated and user.is_rights_holder):
        return None
    membership = (
        RightsHolderMember.objects.select_related("rights_holder").filter(user_id=user.pk).first()
    )
    return membership.rights_holder if membership else None


def terms_queryset() -> QuerySet[PaymentTerms]:
    return PaymentTerms.objects.select_related("created_by").prefetch_related("rates")


def statements_visible_to(user) -> QuerySet[Statement]:
    qs = Statement.objects.select_related("contract", "contract__rights_holder")
    if not user.is_authenticated:
        return qs.none()
    if user.is_cinema_staff:
        return qs
    holder = rights_holder_of(user)
    if holder is None:
        return qs.none()
    return qs.filter(contract__rights_holder=holder, status__in=HOLDER_STATEMENT_STATUSES)


def statement_get_for(user, pk) -> Statement:
    return get_or_not_found(statements_visible_to(user), pk, _("No such statement."))


def statement_for_document(pk) -> Statement:
    """A statement with everything its PDF, CSV and detail show, in a fixed number of
    queries."""
    return (
        Statement.objects.select_related("contract", "contract__rights_holder")
        .prefetch_related(
            Prefetch(
                "lines",
                StatementLine.objects.select_related("film").order_by(
                    "film__title", "film_id", "medium", "terms_id", "unit"
                ),
            ),
            Prefetch(
                "usage",
                StatementUsage.objects.select_related("film").order_by(
                    "film__title", "film_id", "medium", "month", "department_code"
                ),
            ),
            "fee_lines",
            "contract__rights_holder__contacts",
        )
        .get(pk=pk)
    )


def statement_usage_tables(statement: Statement) -> dict[str, list[StatementUsage]]:
    """A statement's usage rows (prefetched by `statement_for_document`) by breakdown:
    "period" (per film and medium), "month", "department" (and "cell", month and
    department at once, in statements drafted before those); each row with its
    `minutes`."""
    tables: dict[str, list[StatementUsage]] = {
        "period": [],
        "month": [],
        "department": [],
        "cell": [],
    }
    for row in statement.usage.all():
        row.minutes = row.seconds / 60
        tables[row.breakdown].append(row)
    return tables


def statement_state_filter(state: str, *, today: datetime.date) -> Q:
    """draft: to approve; due: approved or sent, not yet due; overdue: not paid after
    its due day (drafts included); paid."""
    unpaid = Q(status__in=[Statement.Status.APPROVED, Statement.Status.SENT])
    if state == "draft":
        return Q(status=Statement.Status.DRAFT)
    if state == "due":
        return unpaid & Q(due_on__gte=today)
    if state == "overdue":
        return ~Q(status=Statement.Status.PAID) & Q(due_on__lt=today)
    if state == "paid":
        return Q(status=Statement.Status.PAID)
    raise ValueError(state)


STATES = ("draft", "due", "overdue", "paid")


def statements_within(
    queryset: QuerySet[Statement], period: StatementPeriod
) -> QuerySet[Statement]:
    """The statements whose period lies within `period` (a year's: the year's and its
    quarters')."""
    return queryset.filter(period_start__gte=period.start, period_end__lte=period.end)


def contract_terms_versions(contract: Contract) -> QuerySet[PaymentTerms]:
    return terms_queryset().filter(contract_id=contract.pk).order_by("valid_from", "pk")


def contract_terms_history(contract: Contract) -> list[dict]:
    """Every recorded change to a contract's payment terms and to their rates (who, when,
    each field before and after), newest first; each entry also has `record`, the version
    or rate as it was recorded (what a creation or a removal was). Three queries."""
    terms = list(
        PaymentTerms.history.filter(contract_id=contract.pk).select_related("history_user")
    )
    rates = list(
        PerUseRate.history.filter(terms_id__in={record.id for record in terms}).select_related(
            "history_user"
        )
    )
    records = {("terms", r.id, r.history_date): r for r in terms} | {
        ("rate", r.id, r.history_date): r for r in rates
    }
    entries = history_entries("terms", terms) + history_entries("rate", rates)
    for entry in entries:
        entry["record"] = records[(entry["object"], entry["object_id"], entry["when"])]
    entries.sort(key=lambda entry: (entry["when"], entry["object"], entry["object_id"]))
    entries.reverse()
    return entries


def statements_summary(queryset: QuerySet[Statement], *, today: datetime.date) -> list[dict]:
    """Per state: how many statements and their total, in one query."""
    aggregates = {}
    for state in STATES:
        condition = statement_state_filter(state, today=today)
        aggregates[f"{state}_count"] = Count("pk", filter=condition)
        aggregates[f"{state}_total"] = Sum("total", filter=condition)
    row = queryset.order_by().aggregate(**aggregates)
    return [
        {
            "state": state,
            "count": row[f"{state}_count"],
            "total": row[f"{state}_total"] or 0,
        }
        for state in STATES
    ]


# --- the rights holder's space ---------------------------------------------------------


def holder_contracts(holder: RightsHolder) -> QuerySet[Contract]:
    return Contract.objects.filter(
        rights_holder=holder, status__in=HOLDER_CONTRACT_STATUSES
    ).prefetch_related(
        Prefetch("grants", RightsGrant.objects.select_related("film")),
        Prefetch("payment_terms", PaymentTerms.objects.prefetch_related("rates")),
    )


def holder_grants(holder: RightsHolder) -> QuerySet[RightsGrant]:
    return RightsGrant.objects.filter(
        contract__rights_holder=holder, contract__status__in=HOLDER_CONTRACT_STATUSES
    ).select_related("film", "contract")


def holder_films(holder: RightsHolder) -> QuerySet[Film]:
    return Film.objects.filter(pk__in=holder_grants(holder).values("film_id")).order_by(
        "title", "pk"
    )


def holder_film_usage(holder: RightsHolder, film: Film, period: StatementPeriod) -> list[dict]:
    """The film's usage under the holder's contracts over a period, by month, medium and
    department (three aggregate queries per contract that has a grant of the film)."""
    cells: dict[tuple, dict] = {}
    contracts = Contract.objects.filter(
        rights_holder=holder, status__in=HOLDER_CONTRACT_STATUSES, grants__film=film
    ).distinct()
    for contract in contracts:
        for row in usage.usage_cells(contract, period):
            if row["film_id"] != film.pk:
                continue
            key = (row["medium"], row["month"], row["department_code"])
            if key in cells:
                for name in usage.FIGURES:
                    cells[key][name] += row[name]
            else:
                cells[key] = {k: v for k, v in row.items() if k != "film_id"}
    return [cells[key] for key in sorted(cells)]


def holder_grants_ending(
    holder: RightsHolder, *, days: int = 180, today: datetime.date | None = None
) -> QuerySet[RightsGrant]:
    """The holder's grants in force that end within `days` (the renegotiation can start
    from their side too)."""
    today = today or timezone.localdate()
    return (
        holder_grants(holder)
        .filter(
            Q(contract__terminated_on__isnull=True) | Q(contract__terminated_on__gt=today),
            starts_on__lte=today,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=days),
        )
        .select_related("contract__in_charge")
        .order_by("ends_on", "pk")
    )


def service_contact_for(contract: Contract) -> dict:
    """Whom a rights holder writes to about a contract: its staff member in charge, or the
    service's address."""
    person = contract.in_charge
    if person is not None and person.email:
        return {"name": person.get_full_name() or person.username, "email": person.email}
    return {"name": settings.INVOICE_ISSUER_NAME, "email": settings.SERVICE_CONTACT_EMAIL}
