"""The row locks the royalties app names (the order across apps: backend/locks.py, where
royalties comes after rights: a contract's lock, then these).

Order of acquisition: the contract (`rights.locks.lock_contract`), then its payment terms
or its statements (a statement, then the correction that refers to it); an invited user's
row alone in its transaction."""

from __future__ import annotations

import datetime

from accounts.models import User
from royalties.models import PaymentTerms, Statement


def lock_terms(terms_id: int) -> PaymentTerms:
    return PaymentTerms.objects.select_for_update().get(pk=terms_id)


def lock_statement(statement_id: int) -> Statement:
    return Statement.objects.select_for_update().select_related("contract").get(pk=statement_id)


def lock_period_statement(
    contract, period_start: datetime.date, period_end: datetime.date
) -> Statement | None:
    """The contract's own (not a correction's) statement of a period, if any, locked."""
    return (
        Statement.objects.select_for_update()
        .filter(
            contract=contract,
            period_start=period_start,
            period_end=period_end,
            corrects__isnull=True,
        )
        .first()
    )


def lock_correction_of(statement: Statement) -> Statement | None:
    """The statement that corrects this one, if any, locked."""
    return Statement.objects.select_for_update().filter(corrects=statement).first()


def lock_invited_user(user_id: int) -> User | None:
    """A rights holder's invited user (active), locked while they choose a password: the
    one-time token is checked and spent in one transaction."""
    return (
        User.objects.select_for_update()
        .filter(pk=user_id, role=User.Role.RIGHTS_HOLDER, is_active=True)
        .first()
    )


def lock_member_account(user_id: int) -> User | None:
    """A rights holder's user's account, locked, whatever its state: resending or
    cancelling an invitation reads whether it is still pending under this lock, which
    the invitation's acceptance takes too (`lock_invited_user`)."""
    return User.objects.select_for_update().filter(pk=user_id, role=User.Role.RIGHTS_HOLDER).first()
