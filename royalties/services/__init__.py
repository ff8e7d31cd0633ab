"""Operations of the royalties app: payment terms (`terms`), statements (`statements`) and
the rights holders' users (`members`)."""

from royalties.services.statements import (
    statement_approve,
    statement_compute,
    statement_correct,
    statement_draft,
    statement_pay,
    statement_recompute,
    statement_send,
    statements_draft_period,
)
from royalties.services.terms import (
    payment_terms_create,
    payment_terms_delete,
    payment_terms_update,
)

__all__ = [
    "payment_terms_create",
    "payment_terms_delete",
    "payment_terms_update",
    "statement_approve",
    "statement_compute",
    "statement_correct",
    "statement_draft",
    "statement_pay",
    "statement_recompute",
    "statement_send",
    "statements_draft_period",
]
