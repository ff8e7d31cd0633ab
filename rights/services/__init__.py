"""Every write to the rights data goes through these operations (keyword-only, validated,
atomic): contracts and grants (`contracts`), negotiations and campaigns
(`negotiations`), the daily job (`daily`)."""

from rights.services.contracts import (
    CONTRACT_TRANSITIONS,
    GRANT_TERMS,
    contract_create,
    contract_delete,
    contract_negotiate,
    contract_return_to_draft,
    contract_sign,
    contract_terminate,
    contract_update,
    grant_create,
    grant_delete,
    grant_update,
    rights_holder_create,
    rights_holder_update,
)
from rights.services.daily import rights_daily
from rights.services.negotiations import (
    NEGOTIATION_TRANSITIONS,
    campaign_add_titles,
    campaign_create,
    campaign_update,
    negotiation_create,
    negotiation_log_exchange,
    negotiation_sign,
    negotiation_update,
)

__all__ = [
    "CONTRACT_TRANSITIONS",
    "GRANT_TERMS",
    "NEGOTIATION_TRANSITIONS",
    "campaign_add_titles",
    "campaign_create",
    "campaign_update",
    "contract_create",
    "contract_delete",
    "contract_negotiate",
    "contract_return_to_draft",
    "contract_sign",
    "contract_terminate",
    "contract_update",
    "grant_create",
    "grant_delete",
    "grant_update",
    "negotiation_create",
    "negotiation_log_exchange",
    "negotiation_sign",
    "negotiation_update",
    "rights_daily",
    "rights_holder_create",
    "rights_holder_update",
]
