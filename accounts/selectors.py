"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiToken, User


def api_tokens_live(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that have not expired, newest first: one per device logged in."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
