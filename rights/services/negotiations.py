"""Negotiations with rights holders and renegotiation campaigns. Signing a negotiation is
the one way from an agreement to rights: it creates or extends the contract and its
grants through the grant operations, with all their checks, in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from backend.db import unique_violation_as_field_error
from backend.errors import ApplicationError
from catalogue.models import Film
from rights.errors import RightsErrorCode
from rights.locks import lock_campaign, lock_contract, lock_negotiation
from rights.models import (
    Contract,
    Negotiation,
    NegotiationExchange,
    RenegotiationCampaign,
    RightsGrant,
    RightsHolder,
)
from rights.services.contracts import (
    contract_create,
    contract_sign,
    contract_update,
    grant_create,
    grant_update,
)

Status = Negotiation.Status

#: status -> the statuses a negotiation may move to by an edit (signing has its own action)
NEGOTIATION_TRANSITIONS = {
    Status.TO_CONTACT: {Status.IN_NEGOTIATION, Status.REFUSED, Status.ABANDONED},
    Status.IN_NEGOTIATION: {Status.TO_CONTACT, Status.AGREED, Status.REFUSED, Status.ABANDONED},
    Status.AGREED: {Status.IN_NEGOTIATION, Status.REFUSED, Status.ABANDONED},
    Status.REFUSED: {Status.TO_CONTACT},  # reopened, e.g. the next year
    Status.ABANDONED: {Status.TO_CONTACT},
    Status.SIGNED: set(),
}
_CONTACT_KINDS = {
    NegotiationExchange.Kind.EMAIL,
    NegotiationExchange.Kind.CALL,
    NegotiationExchange.Kind.MEETING,
    NegotiationExchange.Kind.LETTER,
}
_EDITABLE = {"rights_holder", "media", "assignee", "due_on", "notes", "status"}


def _lock(negotiation: Negotiation) -> Negotiation:
    return lock_negotiation(negotiation.pk)


def _set_status(negotiation: Negotiation, status: str, today: datetime.date) -> None:
    if status == negotiation.status:
        return
    if status == Status.SIGNED:
        raise ApplicationError(
            RightsErrorCode.SIGN_THROUGH_ACTION,
            _("A negotiation is signed with its terms (the sign action), not by an edit."),
            field="status",
            status=409,
        )
    if status not in NEGOTIATION_TRANSITIONS[negotiation.status]:
        raise ApplicationError(
            RightsErrorCode.INVALID_STATUS_TRANSITION,
            _("A negotiation cannot go from “%(from)s” to “%(to)s”.")
            % {"from": negotiation.get_status_display(), "to": Status(status).label},
            field="status",
            status=409,
        )
    negotiation.status = status
    negotiation.closed_on = None if status in Negotiation.OPEN else today


@transaction.atomic
def negotiation_create(
    *,
    film: Film,
    rights_holder: RightsHolder,
    media: list[str],
    assignee=None,
    due_on: datetime.date | None = None,
    campaign: RenegotiationCampaign | None = None,
    notes: str = "",
) -> Negotiation:
    negotiation = Negotiation(
        film=film,
        rights_holder=rights_holder,
        media=sorted(set(media)) if isinstance(media, list) else media,
        assignee=assignee,
        due_on=due_on,
        campaign=campaign,
        notes=notes,
    )
    negotiation.full_clean()
    negotiation.save()
    return negotiation


@transaction.atomic
def negotiation_update(
    *, negotiation: Negotiation, today: datetime.date | None = None, **fields
) -> Negotiation:
    """Edit a negotiation (assignee, due date, media, notes, status). Closed ones
    (signed, refused, abandoned) only accept being reopened and notes."""
    today = today or timezone.localdate()
    negotiation = _lock(negotiation)
    status = fields.pop("status", None)
    if status is not None:
        _set_status(negotiation, status, today)
    if negotiation.status == Status.SIGNED and set(fields) - {"notes"}:
        raise ApplicationError(
            RightsErrorCode.NEGOTIATION_CLOSED,
            _("This negotiation is signed; its contract holds the terms."),
            status=409,
        )
    for name, value in fields.items():
        if name in _EDITABLE:
            setattr(negotiation, name, value)
    if isinstance(negotiation.media, list):
        negotiation.media = sorted(set(negotiation.media))
    negotiation.full_clean()
    negotiation.save()
    return negotiation


@transaction.atomic
def negotiation_log_exchange(
    *,
    negotiation: Negotiation,
    occurred_on: datetime.date,
    summary: str,
    kind: str = NegotiationExchange.Kind.NOTE,
    author=None,
) -> NegotiationExchange:
    """Add a dated entry to the negotiation's log. The first contact with the rights
    holder (anything but a note) moves a negotiation "to contact" to "in negotiation"."""
    negotiation = _lock(negotiation)
    exchange = NegotiationExchange(
        negotiation=negotiation,
        occurred_on=occurred_on,
        kind=kind,
        summary=summary,
        author=author,
    )
    exchange.full_clean()
    exchange.save()
    if negotiation.status == Status.TO_CONTACT and kind in _CONTACT_KINDS:
        negotiation.status = Status.IN_NEGOTIATION
        negotiation.save(update_fields=["status", "updated_at"])
    return exchange


def _extends(grant: RightsGrant, starts_on: datetime.date) -> bool:
    """The grant runs into the new window or ends the day before it starts."""
    return grant.ends_on is None or grant.ends_on >= starts_on - datetime.timedelta(days=1)


@transaction.atomic
def negotiation_sign(
    *,
    negotiation: Negotiation,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    contract: Contract | None = None,
    contract_reference: str = "",
    fee: Decimal | None = None,
    signed_on: datetime.date | None = None,
    in_charge=None,
    territories: list[str] | None = None,
    eligible_kinds: list[str] | None = None,
    max_screenings_per_year: int | None = None,
    max_concurrent_streams: int | None = None,
    holdback_until: datetime.date | None = None,
) -> Negotiation:
    """Sign what was agreed: under `contract` (an existing contract with the same rights
    holder, which is extended) or a new signed contract `contract_reference`, each medium
    requested gets a grant from `starts_on` to `ends_on` — or the contract's grant for it
    that reaches the new window is extended to cover it. Every grant check applies
    (overlaps with other terms, withdrawn film); if one fails, nothing is written."""
    negotiation = _lock(negotiation)
    if not negotiation.is_open:
        raise ApplicationError(
            RightsErrorCode.NEGOTIATION_CLOSED,
            _("This negotiation is closed (“%(status)s”).")
            % {"status": negotiation.get_status_display()},
            field="status",
            status=409,
        )
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError(
            RightsErrorCode.PERIOD_REVERSED,
            _("The window ends before it starts."),
            field="ends_on",
        )
    signed_on = signed_on or timezone.localdate()
    if contract is not None:
        contract = lock_contract(contract.pk)
        if contract.rights_holder_id != negotiation.rights_holder_id:
            raise ApplicationError(
                RightsErrorCode.CONTRACT_OTHER_HOLDER,
                _("This contract is with another rights holder."),
                field="contract",
            )
        if contract.status == Contract.Status.TERMINATED:
            raise ApplicationError(
                RightsErrorCode.CONTRACT_TERMINATED,
                _("This contract is terminated; sign under a new one."),
                field="contract",
            )
        if contract.status != Contract.Status.SIGNED:
            contract = contract_sign(contract=contract, signed_on=signed_on)
        if fee:
            contract = contract_update(contract=contract, fee=contract.fee + fee)
    else:
        if not contract_reference:
            raise ApplicationError(
                RightsErrorCode.CONTRACT_REQUIRED,
                _("Name an existing contract or give the reference of the new one."),
                field="contract_reference",
            )
        try:
            contract = contract_create(
                reference=contract_reference,
                rights_holder=negotiation.rights_holder,
                status=Contract.Status.SIGNED,
                signed_on=signed_on,
                fee=fee or Decimal("0.00"),
                in_charge=in_charge or negotiation.assignee,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            # the new contract's reference is this action's `contract_reference`
            raise ValidationError(
                {
                    "contract_reference" if name == "reference" else name: errors
                    for name, errors in error.error_dict.items()
                }
            ) from error
    terms = {
        "territories": territories,
        "eligible_kinds": eligible_kinds,
        "max_screenings_per_year": max_screenings_per_year,
        "max_concurrent_streams": max_concurrent_streams,
        "holdback_until": holdback_until,
    }
    existing = RightsGrant.objects.filter(contract=contract, film_id=negotiation.film_id)
    for medium in negotiation.media:
        reaching = [g for g in existing if g.medium == medium and _extends(g, starts_on)]
        if reaching:
            grant = max(reaching, key=lambda g: (g.ends_on is None, g.ends_on or starts_on))
            new_end = (
                None if ends_on is None or grant.ends_on is None else max(grant.ends_on, ends_on)
            )
            grant_update(grant=grant, starts_on=min(grant.starts_on, starts_on), ends_on=new_end)
        else:
            grant_create(
                contract=contract,
                film=negotiation.film,
                medium=medium,
                starts_on=starts_on,
                ends_on=ends_on,
                **{name: value for name, value in terms.items() if value is not None},
            )
    negotiation.status = Status.SIGNED
    negotiation.contract = contract
    negotiation.closed_on = signed_on
    negotiation.full_clean()
    negotiation.save()
    return negotiation


# --- campaigns ----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *, name: str, deadline: datetime.date, description: str = "", created_by=None
) -> RenegotiationCampaign:
    campaign = RenegotiationCampaign(
        name=name, deadline=deadline, description=description, created_by=created_by
    )
    return _campaign_save(campaign)


@transaction.atomic
def campaign_update(*, campaign: RenegotiationCampaign, **fields) -> RenegotiationCampaign:
    for name in ("name", "deadline", "description"):
        if name in fields:
            setattr(campaign, name, fields[name])
    return _campaign_save(campaign)


def _campaign_save(campaign: RenegotiationCampaign) -> RenegotiationCampaign:
    # the name's uniqueness is the database's (a taken one is a 400 on `name`)
    campaign.full_clean(validate_unique=False)
    with unique_violation_as_field_error(
        RenegotiationCampaign, {"name": _("Another campaign has this name.")}
    ):
        campaign.save()
    return campaign


def current_rights_holders(film_ids: Iterable[int]) -> dict[int, int]:
    """{film_id: rights_holder_id} of each film's most recent grant (latest start, then
    latest id) — who to go back to when renegotiating."""
    holders: dict[int, int] = {}
    rows = (
        RightsGrant.objects.filter(film_id__in=list(film_ids))
        .order_by("film_id", "-starts_on", "-pk")
        .values_list("film_id", "contract__rights_holder_id")
    )
    for film_id, holder_id in rows:
        holders.setdefault(film_id, holder_id)
    return holders


@transaction.atomic
def campaign_add_titles(
    *,
    campaign: RenegotiationCampaign,
    films: Sequence[Film],
    media: list[str],
    assignee=None,
    due_on: datetime.date | None = None,
) -> dict:
    """Put titles into a campaign: one negotiation each, with the rights holder of the
    film's current contract, due by `due_on` (default: the campaign's deadline). Titles
    already in the campaign are left as they are. Refused, with nothing added, when a
    film has no known rights holder."""
    campaign = lock_campaign(campaign.pk)
    film_ids = list(dict.fromkeys(film.pk for film in films))
    holders = current_rights_holders(film_ids)
    unknown = [pk for pk in film_ids if pk not in holders]
    if unknown:
        raise ApplicationError(
            RightsErrorCode.NO_KNOWN_RIGHTS_HOLDER,
            _("No contract tells who holds the rights of these films; negotiate them one by one."),
            field="films",
            extra={"films": unknown},
        )
    already = set(
        Negotiation.objects.filter(campaign=campaign, film_id__in=film_ids).values_list(
            "film_id", flat=True
        )
    )
    rows = [
        Negotiation(
            campaign=campaign,
            film_id=pk,
            rights_holder_id=holders[pk],
            media=sorted(set(media)),
            assignee=assignee,
            due_on=due_on or campaign.deadline,
        )
        for pk in film_ids
        if pk not in already
    ]
    for row in rows:
        row.full_clean(exclude=["film", "rights_holder", "campaign"], validate_constraints=False)
    bulk_create_with_history(rows, Negotiation, batch_size=500)
    return {"added": len(rows), "already_in_campaign": len(already)}
