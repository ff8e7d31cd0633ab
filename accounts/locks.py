"""The row locks the accounts app names (the order across apps: backend/locks.py)."""

from __future__ import annotations

from accounts.models import User


def lock_user(*, user_id: int) -> None:
    """Lock a user's row until the transaction ends: what a patron does to their own
    lists is serialised (two saves at once cannot both pass a list's bound). Taken last,
    after any institution or subscription lock."""
    User.objects.select_for_update().values_list("pk", flat=True).get(pk=user_id)


def lock_account(user_id: int) -> User:
    """Lock a staff account's row and answer it: its role, its active flag and its password
    change one at a time (a one-time link used twice: the second finds it spent). Taken
    after the institution's lock when both are."""
    return User.objects.select_for_update().get(pk=user_id)
