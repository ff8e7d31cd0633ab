"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from backend.access import get_or_not_found


def api_tokens_live(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that have not expired, newest first: one per device logged in."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def staff_of(*, institution_id: int) -> QuerySet[User]:
    """An institution's staff accounts (administrators and members, active or not):
    active first, then by name and address. Never its patrons."""
    return User.objects.filter(
        institution_id=institution_id, role__in=User.INSTITUTION_STAFF_ROLES
    ).order_by("-is_active", "last_name", "first_name", "email", "pk")


def staff_member_get_for(user, *, institution_id: int, member_id) -> User:
    """One staff account of the institution, for a reader who may see its private data
    (`institutions.selectors.institution_private_get_for` decided that); another
    institution's account, a patron or an unknown id is a 404."""
    return get_or_not_found(
        staff_of(institution_id=institution_id).select_related("institution"),
        member_id,
        _("No such staff account."),
    )


def institution_recipients(institution, *, all_staff: bool = False) -> list[str]:
    """Who to e-mail at an institution (a library or a network): its own contact address
    and its active administrators' — with `all_staff`, every active staff member's (the
    newsletter is for all who work there) — each once, sorted. Never its patrons. Here,
    with the accounts it reads, not in institutions (below accounts in the layers)."""
    roles = User.INSTITUTION_STAFF_ROLES if all_staff else {User.Role.INSTITUTION_ADMIN}
    emails = set(
        User.objects.filter(institution=institution, role__in=roles, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if institution.email:
        emails.add(institution.email)
    return sorted(emails)
