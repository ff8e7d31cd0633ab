"""Reason codes of the rights app: the decision's answers (`DecisionReason`), stable words
that streaming, screenings, DVD orders and the catalogue pass on to their clients, and the
refusals of the rights operations (`RightsErrorCode`)."""

from django.db import models


class DecisionReason(models.TextChoices):
    OK = "ok"
    NO_RIGHTS = "no_rights"
    NOT_YET = "not_yet"
    EXPIRED = "expired"
    TERRITORY = "territory"
    INSTITUTION_KIND = "institution_kind"
    FILM_WITHDRAWN = "film_withdrawn"
    CAP_REACHED = "cap_reached"
    HOLDBACK = "holdback"
    CONTRACT_NOT_SIGNED = "contract_not_signed"
    CONTRACT_TERMINATED = "contract_terminated"


class RightsErrorCode(models.TextChoices):
    OVERLAPPING_GRANT = "overlapping_grant"
    FILM_WITHDRAWN = "film_withdrawn"
    CONTRACT_HAS_GRANTS_IN_FORCE = "contract_has_grants_in_force"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    INSTITUTION_REQUIRED = "institution_required"
    NEGOTIATION_CLOSED = "negotiation_closed"
    SIGN_THROUGH_ACTION = "sign_through_action"
    CONTRACT_OTHER_HOLDER = "contract_other_rights_holder"
    CONTRACT_TERMINATED = "contract_terminated"
    CONTRACT_REQUIRED = "contract_required"
    NO_KNOWN_RIGHTS_HOLDER = "no_known_rights_holder"
    PERIOD_REVERSED = "period_reversed"
    CONTRACT_NOT_SIGNED = "contract_not_signed"
    STATUS_THROUGH_ACTION = "status_through_action"
    TERMINATION_BEFORE_SIGNATURE = "termination_before_signature"
    TERMINATION_REASON_REQUIRED = "termination_reason_required"
