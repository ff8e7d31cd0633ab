"""Reads of institutions, and the access helpers: which institutions a user may see.

Every endpoint that exposes an institution or its private data goes through
`institution_get_for` / `institution_private_get_for`; views never look institutions up
by id on their own.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.access import get_or_not_found
from backend.errors import NotFoundError
from institutions.models import Institution, NetworkMembership


def _active_on(on: datetime.date) -> Q:
    return Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


def institutions_visible_to(user) -> QuerySet[Institution]:
    """Cinema staff see every institution; anyone else sees their own institution, the
    networks it belongs to and, for a network, its members."""
    qs = Institution.objects.all()
    if user.is_authenticated and user.is_cinema_staff:
        return qs
    if not user.is_authenticated or user.institution_id is None:
        return qs.none()
    today = timezone.localdate()
    own = user.institution_id
    network_ids = NetworkMembership.objects.filter(_active_on(today), library_id=own).values(
        "network_id"
    )
    member_ids = NetworkMembership.objects.filter(_active_on(today), network_id=own).values(
        "library_id"
    )
    return qs.filter(Q(pk=own) | Q(pk__in=network_ids) | Q(pk__in=member_ids))


def institution_get_for(user, institution_id) -> Institution:
    """The institution if the user may see it, else a 404 (never a 403 that would reveal
    that the id exists)."""
    return get_or_not_found(
        institutions_visible_to(user), institution_id, _("No such institution.")
    )


def institution_private_get_for(user, institution_id) -> Institution:
    """The institution if the user may read its *private* data (staff, patrons, orders,
    subscriptions, invoices): the cinema staff, or the institution's own staff."""
    if user.is_authenticated and user.is_cinema_staff:
        return institution_get_for(user, institution_id)
    if (
        user.is_authenticated
        and user.is_institution_staff
        and str(user.institution_id) == str(institution_id)
    ):
        return user.institution
    raise NotFoundError("not_found", _("No such institution."))


def institution_ids_private_to(user) -> set[int] | None:
    """The institutions whose private details (contact e-mail, DVD authorisation and its
    suspension, on-site networks) this user may read: `None` for every one (the cinema
    staff); an institution's staff their own and, for a network, its members' today;
    patrons, and a member library's staff looking at its network or at the other members,
    none of them (they see the public details only)."""
    if user.is_authenticated and user.is_cinema_staff:
        return None
    if not (user.is_authenticated and user.is_institution_staff and user.institution_id):
        return set()
    return institution_ids_covered_by(institution=user.institution, on=timezone.localdate())


def network_members(*, network: Institution, on: datetime.date | None = None) -> QuerySet:
    """The libraries that belong to a network on a day (today by default)."""
    on = on or timezone.localdate()
    ids = NetworkMembership.objects.filter(_active_on(on), network=network).values("library_id")
    return Institution.objects.filter(pk__in=ids)


def institution_ids_covered_by(*, institution: Institution, on: datetime.date) -> set[int]:
    """The institution itself plus, for a network, the members it had on that day."""
    if not institution.is_network:
        return {institution.pk}
    members = NetworkMembership.objects.filter(_active_on(on), network=institution)
    return {institution.pk, *members.values_list("library_id", flat=True)}
