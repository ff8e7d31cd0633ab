"""Operations on rights holders, contracts and grants: every write to the rights data
goes through here (keyword-only, validated with `full_clean`, atomic)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.db import unique_violation_as_field_error
from backend.errors import ApplicationError
from catalogue.locks import lock_film
from catalogue.models import Film
from rights.errors import RightsErrorCode
from rights.locks import lock_contract, lock_grant
from rights.models import (
    Contract,
    RightsGrant,
    RightsHolder,
    RightsHolderContact,
    default_eligible_kinds,
    default_territories,
)


def _set_contacts(holder: RightsHolder, contacts: Iterable[dict]) -> None:
    holder.contacts.all().delete()
    rows = [RightsHolderContact(rights_holder=holder, **item) for item in contacts]
    for row in rows:
        row.full_clean(exclude=["rights_holder"])
    RightsHolderContact.objects.bulk_create(rows)


@transaction.atomic
def rights_holder_create(*, contacts: Iterable[dict] = (), **fields) -> RightsHolder:
    holder = RightsHolder(**fields)
    holder.full_clean()
    holder.save()
    _set_contacts(holder, contacts)
    return holder


@transaction.atomic
def rights_holder_update(
    *, rights_holder: RightsHolder, contacts: Iterable[dict] | None = None, **fields
) -> RightsHolder:
    """Edit a rights holder; `contacts`, when given, replaces the list of contacts."""
    for name, value in fields.items():
        setattr(rights_holder, name, value)
    rights_holder.full_clean()
    rights_holder.save()
    if contacts is not None:
        _set_contacts(rights_holder, contacts)
    return rights_holder


# --- contracts ---------------------------------------------------------------------------
#
# A contract's life: draft → in negotiation (and back) → signed → terminated from a date.
# Each step is one service below, checked under the contract's row lock; an edit
# (`contract_update`) never changes the status. Only a signed contract takes grants and
# gives rights (the rights engine reads the status and the termination date).

Status = Contract.Status

#: status -> the statuses a contract may move to from it
CONTRACT_TRANSITIONS = {
    Status.DRAFT: {Status.IN_NEGOTIATION, Status.SIGNED},
    Status.IN_NEGOTIATION: {Status.DRAFT, Status.SIGNED},
    Status.SIGNED: {Status.TERMINATED},
    Status.TERMINATED: set(),
}
#: the statuses a contract may be recorded in (a terminated one: through `contract_terminate`)
CREATION_STATUSES = (Status.DRAFT, Status.IN_NEGOTIATION, Status.SIGNED)
_EDITABLE = {"reference", "rights_holder", "signed_on", "fee", "notes", "in_charge"}


def _move(contract: Contract, status: str) -> None:
    """Move the (locked) contract to `status`, or refuse with 409."""
    if status not in CONTRACT_TRANSITIONS[contract.status]:
        raise ApplicationError(
            RightsErrorCode.INVALID_STATUS_TRANSITION,
            _("A contract cannot go from “%(from)s” to “%(to)s”.")
            % {"from": contract.get_status_display(), "to": Status(status).label},
            field="status",
            status=409,
        )
    contract.status = status


def _status_through_action(field: str = "status", status: int = 409) -> ApplicationError:
    return ApplicationError(
        RightsErrorCode.STATUS_THROUGH_ACTION,
        _(
            "A contract's status changes through its actions: negotiate, return to draft, "
            "sign, terminate (with the date and the reason)."
        ),
        field=field,
        status=status,
    )


def _save(contract: Contract) -> Contract:
    # the reference's uniqueness is the database's (translated into a 400), not a pre-check
    contract.full_clean(validate_unique=False)
    with unique_violation_as_field_error(
        Contract, {"reference": _("Another contract has this reference.")}
    ):
        contract.save()
    return contract


@transaction.atomic
def contract_create(
    *,
    reference: str,
    rights_holder: RightsHolder,
    status: str = Status.DRAFT,
    signed_on: datetime.date | None = None,
    fee: Decimal = Decimal("0.00"),
    document=None,
    notes: str = "",
    in_charge=None,
) -> Contract:
    """Record a contract with a rights holder (its grants are added one by one): a draft,
    one in negotiation, or a contract already signed (on `signed_on`, today by default).
    A terminated contract is not recorded as such: it is terminated, with its date and
    reason, by `contract_terminate`."""
    if status not in CREATION_STATUSES:
        raise _status_through_action(status=400)
    if status == Status.SIGNED and signed_on is None:
        signed_on = timezone.localdate()
    contract = Contract(
        reference=reference,
        rights_holder=rights_holder,
        status=status,
        signed_on=signed_on,
        fee=fee,
        notes=notes,
        in_charge=in_charge,
    )
    if document is not None:
        contract.document = document
    return _save(contract)


@transaction.atomic
def contract_update(*, contract: Contract, **fields) -> Contract:
    """Edit a contract's details (reference, rights holder, signature date, fee, document,
    notes, staff in charge). Its status is not an edit: a different one is refused (409
    `status_through_action`); the actions below move it."""
    contract = lock_contract(contract.pk)
    if "status" in fields and fields["status"] != contract.status:
        raise _status_through_action()
    for name, value in fields.items():
        if name in _EDITABLE:
            setattr(contract, name, value)
    if fields.get("document") is not None:
        contract.document = fields["document"]
    return _save(contract)


@transaction.atomic
def contract_negotiate(*, contract: Contract) -> Contract:
    """A draft goes to the rights holder: the contract is in negotiation."""
    contract = lock_contract(contract.pk)
    _move(contract, Status.IN_NEGOTIATION)
    return _save(contract)


@transaction.atomic
def contract_return_to_draft(*, contract: Contract) -> Contract:
    """A contract in negotiation goes back to a draft (its terms are reworked)."""
    contract = lock_contract(contract.pk)
    _move(contract, Status.DRAFT)
    return _save(contract)


@transaction.atomic
def contract_sign(
    *, contract: Contract, signed_on: datetime.date | None = None, document=None
) -> Contract:
    """The contract is signed (on `signed_on`, today by default): from now on its grants
    give rights, on their own dates."""
    contract = lock_contract(contract.pk)
    _move(contract, Status.SIGNED)
    contract.signed_on = signed_on or timezone.localdate()
    if document is not None:
        contract.document = document
    return _save(contract)


@transaction.atomic
def contract_terminate(
    *, contract: Contract, terminated_on: datetime.date, reason: str
) -> Contract:
    """Terminate a signed contract from `terminated_on` (the first day without rights;
    it may be today, a later day, or an earlier day recorded late), for `reason`: its
    grants give rights until the day before. They keep what was negotiated; the rights
    engine answers `contract_terminated` from that day, the withdrawal notices tell the
    libraries that use its films, and the daily job withdraws a film left without any
    right — the same follow-up as a grant ending."""
    contract = lock_contract(contract.pk)
    _move(contract, Status.TERMINATED)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            RightsErrorCode.TERMINATION_REASON_REQUIRED,
            _("Give the reason for the termination."),
            field="reason",
        )
    if terminated_on < contract.signed_on:
        raise ApplicationError(
            RightsErrorCode.TERMINATION_BEFORE_SIGNATURE,
            _("A contract cannot be terminated before it was signed (%(day)s).")
            % {"day": contract.signed_on.isoformat()},
            field="terminated_on",
        )
    contract.terminated_on = terminated_on
    contract.termination_reason = reason
    return _save(contract)


@transaction.atomic
def contract_delete(*, contract: Contract, today: datetime.date | None = None) -> None:
    """Delete a contract recorded by mistake. Refused while any of its grants is in force
    or yet to come: the rights they give would silently vanish."""
    today = today or timezone.localdate()
    contract = lock_contract(contract.pk)
    live = contract.grants.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    if live.exists():
        raise ApplicationError(
            RightsErrorCode.CONTRACT_HAS_GRANTS_IN_FORCE,
            _("This contract has rights grants in force or to come; end them first."),
            status=409,
            extra={"grants": sorted(live.values_list("pk", flat=True))},
        )
    contract.delete()


# --- grants ------------------------------------------------------------------------------

#: what two overlapping grants for the same film, medium and territory must agree on
GRANT_TERMS = (
    "eligible_kinds",
    "screening_quality",
    "max_screenings_per_year",
    "max_concurrent_streams",
    "holdback_until",
)
_GRANT_FIELDS = (
    "contract",
    "film",
    "medium",
    "starts_on",
    "ends_on",
    "territories",
    "eligible_kinds",
    "screening_quality",
    "max_screenings_per_year",
    "max_concurrent_streams",
    "holdback_until",
)


def _terms(grant: RightsGrant) -> tuple:
    return tuple(
        sorted(value) if isinstance(value, list) else value
        for value in (getattr(grant, name) for name in GRANT_TERMS)
    )


def _check_contract(contract_id: int) -> None:
    """Grants are written only under a signed contract (read under its row lock, so a
    termination cannot slip in between)."""
    contract = lock_contract(contract_id)
    if contract.status == Status.TERMINATED:
        raise ApplicationError(
            RightsErrorCode.CONTRACT_TERMINATED,
            _("This contract is terminated: no rights can be granted under it."),
            field="contract",
        )
    if contract.status != Status.SIGNED:
        raise ApplicationError(
            RightsErrorCode.CONTRACT_NOT_SIGNED,
            _("This contract is not signed: grants are written under a signed contract."),
            field="contract",
        )


def _validate_grant(grant: RightsGrant) -> None:
    grant.full_clean()
    _check_contract(grant.contract_id)
    film = lock_film(grant.film_id)
    if film.status == Film.Status.WITHDRAWN:
        raise ApplicationError(
            RightsErrorCode.FILM_WITHDRAWN,
            _("This film is withdrawn from the catalogue: no rights can be granted on it."),
            field="film",
        )
    grant.territories = sorted(set(grant.territories))
    grant.eligible_kinds = sorted(set(grant.eligible_kinds))
    others = RightsGrant.objects.filter(film_id=grant.film_id, medium=grant.medium).exclude(
        pk=grant.pk
    )
    others = others.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=grant.starts_on))
    if grant.ends_on is not None:
        others = others.filter(starts_on__lte=grant.ends_on)
    for other in others:
        if set(other.territories) & set(grant.territories) and _terms(other) != _terms(grant):
            raise ApplicationError(
                RightsErrorCode.OVERLAPPING_GRANT,
                _(
                    "Another grant (#%(id)s) covers this film, medium and territory over "
                    "overlapping dates with different terms."
                )
                % {"id": other.pk},
                field="starts_on",
                extra={"conflicting_grant": other.pk},
            )


@transaction.atomic
def grant_create(
    *,
    contract: Contract,
    film: Film,
    medium: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    territories: list[str] | None = None,
    eligible_kinds: list[str] | None = None,
    screening_quality: str = RightsGrant.Quality.HD,
    max_screenings_per_year: int | None = None,
    max_concurrent_streams: int | None = None,
    holdback_until: datetime.date | None = None,
) -> RightsGrant:
    """Grant a right on one film, medium and window under a contract.

    Refused: a contract that is not signed (or terminated), a window that ends before it
    starts, an unknown territory or kind, a withdrawn film, and a grant overlapping another one for the same film, medium and
    territory with different terms (two answers for the same day)."""
    grant = RightsGrant(
        contract=contract,
        film=film,
        medium=medium,
        starts_on=starts_on,
        ends_on=ends_on,
        territories=default_territories() if territories is None else territories,
        eligible_kinds=default_eligible_kinds() if eligible_kinds is None else eligible_kinds,
        screening_quality=screening_quality,
        max_screenings_per_year=max_screenings_per_year,
        max_concurrent_streams=max_concurrent_streams,
        holdback_until=holdback_until,
    )
    _validate_grant(grant)
    grant.save()
    return grant


@transaction.atomic
def grant_update(*, grant: RightsGrant, **fields) -> RightsGrant:
    """Edit a grant (e.g. extend its window); the same checks as on creation (a grant
    under a terminated contract is no longer edited)."""
    grant = lock_grant(grant.pk)
    for name, value in fields.items():
        if name in _GRANT_FIELDS:
            setattr(grant, name, value)
    _validate_grant(grant)
    grant.save()
    return grant


@transaction.atomic
def grant_delete(*, grant: RightsGrant) -> None:
    grant.delete()
