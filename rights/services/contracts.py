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

from backend.errors import ApplicationError
from catalogue.models import Film
from rights.errors import RightsErrorCode
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

#: status -> the statuses a contract may move to from it
CONTRACT_TRANSITIONS = {
    Contract.Status.DRAFT: {Contract.Status.IN_NEGOTIATION, Contract.Status.SIGNED},
    Contract.Status.IN_NEGOTIATION: {Contract.Status.DRAFT, Contract.Status.SIGNED},
    Contract.Status.SIGNED: {Contract.Status.TERMINATED},
    Contract.Status.TERMINATED: set(),
}


def _check_transition(contract: Contract, status: str) -> None:
    if status == contract.status:
        return
    if status not in CONTRACT_TRANSITIONS.get(contract.status, set()):
        raise ApplicationError(
            RightsErrorCode.INVALID_STATUS_TRANSITION,
            _("A contract cannot go from “%(from)s” to “%(to)s”.")
            % {"from": contract.get_status_display(), "to": Contract.Status(status).label},
            field="status",
            status=409,
        )


@transaction.atomic
def contract_create(
    *,
    reference: str,
    rights_holder: RightsHolder,
    status: str = Contract.Status.DRAFT,
    signed_on: datetime.date | None = None,
    fee: Decimal = Decimal("0.00"),
    document=None,
    notes: str = "",
    in_charge=None,
) -> Contract:
    """Record a contract with a rights holder (its grants are added one by one)."""
    if status == Contract.Status.SIGNED and signed_on is None:
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
    contract.full_clean()
    contract.save()
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, **fields) -> Contract:
    """Edit a contract; a status change must follow draft → in negotiation → signed →
    terminated (checked under the contract's row lock)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if "status" in fields:
        _check_transition(contract, fields["status"])
        if fields["status"] == Contract.Status.SIGNED and not (
            fields.get("signed_on") or contract.signed_on
        ):
            fields["signed_on"] = timezone.localdate()
    editable = {"reference", "rights_holder", "status", "signed_on", "fee", "notes", "in_charge"}
    for name, value in fields.items():
        if name in editable:
            setattr(contract, name, value)
    if fields.get("document") is not None:
        contract.document = fields["document"]
    contract.full_clean()
    contract.save()
    return contract


@transaction.atomic
def contract_delete(*, contract: Contract, today: datetime.date | None = None) -> None:
    """Delete a contract recorded by mistake. Refused while any of its grants is in force
    or yet to come: the rights they give would silently vanish."""
    today = today or timezone.localdate()
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
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


def _lock_film(film_id: int) -> Film:
    """Grants of one film are validated under the film's row lock, so two concurrent
    writes cannot both pass the overlap check."""
    return Film.objects.select_for_update().get(pk=film_id)


def _validate_grant(grant: RightsGrant) -> None:
    grant.full_clean()
    film = _lock_film(grant.film_id)
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

    Refused: a window that ends before it starts, an unknown territory or kind, a
    withdrawn film, and a grant overlapping another one for the same film, medium and
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
    """Edit a grant (e.g. extend its window); the same checks as on creation."""
    grant = RightsGrant.objects.select_for_update().get(pk=grant.pk)
    for name, value in fields.items():
        if name in _GRANT_FIELDS:
            setattr(grant, name, value)
    _validate_grant(grant)
    grant.save()
    return grant


@transaction.atomic
def grant_delete(*, grant: RightsGrant) -> None:
    grant.delete()
