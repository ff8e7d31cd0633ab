"""The rights data: rights holders, contracts and their grants (`contracts`), negotiations
and renegotiation campaigns (`negotiations`), and what the daily job flagged (`alerts`)."""

from rights.models.alerts import GrantExpiryAlert
from rights.models.contracts import (
    PLATFORM_MEDIA,
    CodeListField,
    Contract,
    HasCode,
    Medium,
    RightsGrant,
    RightsHolder,
    RightsHolderContact,
    contract_document_path,
    default_eligible_kinds,
    default_territories,
    validate_eligible_kinds,
    validate_territories,
)
from rights.models.negotiations import Negotiation, NegotiationExchange, RenegotiationCampaign

__all__ = [
    "PLATFORM_MEDIA",
    "CodeListField",
    "Contract",
    "GrantExpiryAlert",
    "HasCode",
    "Medium",
    "Negotiation",
    "NegotiationExchange",
    "RenegotiationCampaign",
    "RightsGrant",
    "RightsHolder",
    "RightsHolderContact",
    "contract_document_path",
    "default_eligible_kinds",
    "default_territories",
    "validate_eligible_kinds",
    "validate_territories",
]
