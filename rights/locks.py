"""The row locks the rights app takes, named in one place (the order across apps:
backend/locks.py).

Order of acquisition: a campaign or a negotiation, then its contract (a grant being
edited: the grant, then its contract), then the film whose grants are written
(`catalogue.locks.lock_film`). A contract's status changes and the grants
written under it take the contract's lock, so a grant is never added to a contract that
is being terminated."""

from __future__ import annotations

from rights.models import (
    Contract,
    GrantExpiryAlert,
    Negotiation,
    RenegotiationCampaign,
    RightsGrant,
)


def lock_contract(contract_id: int) -> Contract:
    """Lock one contract (its status, signature and termination) for this transaction."""
    return Contract.objects.select_for_update().get(pk=contract_id)


def lock_negotiation(negotiation_id: int) -> Negotiation:
    return Negotiation.objects.select_for_update().get(pk=negotiation_id)


def lock_campaign(campaign_id: int) -> RenegotiationCampaign:
    return RenegotiationCampaign.objects.select_for_update().get(pk=campaign_id)


def lock_grant(grant_id: int) -> RightsGrant:
    return RightsGrant.objects.select_for_update().get(pk=grant_id)


def claim_alerts_to_send():
    """The expiry alerts not yet sent, locked for this run (rows another run holds are
    skipped: two runs never send the same alert), with what the digest shows."""
    return (
        GrantExpiryAlert.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(notified=False)
        .select_related(
            "grant__film", "grant__contract__rights_holder", "grant__contract__in_charge"
        )
        .order_by("ends_on", "grant__film__title", "pk")
    )
