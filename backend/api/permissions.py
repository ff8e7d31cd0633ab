"""Who may call what, by role. Which *objects* a caller may see is decided by each app's
`*_get_for(user, ...)` selectors, never by these classes alone."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsCinemaStaff(BasePermission):
    """The cinema service's staff: catalogue editors and rights negotiators."""

    message = _("Reserved to the cinema service staff.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_cinema_staff)


class IsCinemaStaffOrReadOnly(BasePermission):
    """Anyone reads (the public catalogue); only the cinema staff write."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_cinema_staff)


class IsInstitutionStaffOrCinemaStaff(BasePermission):
    """Staff of an institution (admin or member) or the cinema service; not patrons."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_cinema_staff or user.is_institution_staff)
        )


class IsInstitutionStaff(BasePermission):
    """Staff of an institution (admin or member): they keep their institution's own
    lists; neither patrons nor the cinema staff change them."""

    message = _("Reserved to the staff of a library or network.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_institution_staff)
