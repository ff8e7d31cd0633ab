"""Operations on accounts."""

from __future__ import annotations

import secrets

from django.db import transaction

from accounts.models import User
from institutions.models import Institution


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    institution: Institution | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user of the given role; cinema staff get admin-site access."""
    user = User(
        username=username,
        role=role,
        institution=institution,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role in User.CINEMA_ROLES,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def patron_username() -> str:
    """An opaque, pseudonymous username for a patron (no name is ever needed)."""
    return f"patron-{secrets.token_hex(8)}"
