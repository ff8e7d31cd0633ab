"""The two shapes every access helper takes (see each app's `selectors.*_get_for`).

Private objects of an institution are visible to the cinema staff and to that
institution's own staff, and to nobody else; looking one up that the caller may not see
answers 404 — the same as an id that does not exist, so ids reveal nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.errors import NotFoundError


def scope_to_staff(queryset: QuerySet, user, institution_filter: Q) -> QuerySet:
    """`queryset` for the cinema staff, filtered by `institution_filter` for institution
    staff, empty for anyone else (patrons, anonymous callers)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_cinema_staff:
        return queryset
    if not user.is_institution_staff:
        return queryset.none()
    return queryset.filter(institution_filter)


def get_or_not_found(queryset: QuerySet, pk, message) -> object:
    """The object with this id in the caller's visible `queryset`, or a 404."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("not_found", message) from None
