"""The row locks the rights app takes, named in one place.

Order of acquisition: a negotiation, then its contract, then the film whose grants are
written (`rights.services.contracts`). A contract's status changes and the grants
written under it take the contract's lock, so a grant is never added to a contract that
is being terminated."""

from __future__ import annotations

from rights.models import Contract


def lock_contract(contract_id: int) -> Contract:
    """Lock one contract (its status, signature and termination) for this transaction."""
    return Contract.objects.select_for_update().get(pk=contract_id)
