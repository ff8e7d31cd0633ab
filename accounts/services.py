"""Operations on accounts."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
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


# --- API tokens (one per login, i.e. per device) -------------------------------------------
@transaction.atomic
def api_token_create(*, user: User, device: str = "") -> tuple[ApiToken, str]:
    """Log a user in on one more device: a new token (its key is returned once, only a
    digest is kept) that expires after API_TOKEN_TTL_HOURS. The user's expired tokens go;
    beyond API_TOKENS_PER_USER live ones, the oldest are revoked."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expiry__lte=now).delete()
    live = list(
        ApiToken.objects.filter(user=user).order_by("-created").values_list("digest", flat=True)
    )
    keep = max(settings.API_TOKENS_PER_USER - 1, 0)
    if len(live) > keep:
        ApiToken.objects.filter(digest__in=live[keep:]).delete()
    return ApiToken.objects.create(
        user=user,
        expiry=datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        device=device[: ApiToken._meta.get_field("device").max_length],
    )


def api_token_revoke(*, user: User, token_key: str) -> int:
    """Log one device out: revoke the user's token(s) with that public id (`token_key`, the
    key's first characters). Another user's token is never touched."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted


def api_tokens_revoke_all(*, user: User) -> int:
    """Log every device out."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def expired_api_tokens_delete(*, now: datetime.datetime | None = None) -> int:
    """Delete the tokens that have expired (they are already refused)."""
    deleted, _ = ApiToken.objects.filter(expiry__lte=now or timezone.now()).delete()
    return deleted
