"""Operations on institutions and networks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from institutions.errors import InstitutionErrorCode
from institutions.geography import DEPARTMENT_REGION
from institutions.locks import lock_current_membership
from institutions.models import Institution, NetworkMembership, OnSiteIPRange

_EDITABLE = (
    "name",
    "code",
    "kind",
    "is_network",
    "commune",
    "department_code",
    "region_code",
    "population_served",
    "email",
    "dvd_authorised_since",
    "dvd_suspended",
    "dvd_suspension_reason",
)


def _set_ip_ranges(institution: Institution, ip_ranges: Iterable[dict]) -> None:
    institution.ip_ranges.all().delete()
    ranges = [OnSiteIPRange(institution=institution, **item) for item in ip_ranges]
    for item in ranges:
        item.full_clean(exclude=["institution"])
    OnSiteIPRange.objects.bulk_create(ranges)


@transaction.atomic
def institution_create(*, ip_ranges: Iterable[dict] = (), **fields) -> Institution:
    """Create an institution; the region defaults to the department's."""
    if not fields.get("region_code") and fields.get("department_code") in DEPARTMENT_REGION:
        fields["region_code"] = DEPARTMENT_REGION[fields["department_code"]]
    institution = Institution(**{k: v for k, v in fields.items() if k in _EDITABLE})
    institution.full_clean()
    institution.save()
    _set_ip_ranges(institution, ip_ranges)
    return institution


@transaction.atomic
def institution_update(
    *, institution: Institution, ip_ranges: Iterable[dict] | None = None, **fields
) -> Institution:
    """Update an institution; `ip_ranges`, when given, replaces the on-site ranges."""
    if (
        "is_network" in fields
        and not fields["is_network"]
        and institution.is_network
        and institution.memberships.exists()
    ):
        raise ApplicationError(
            InstitutionErrorCode.NETWORK_HAS_MEMBERS,
            _("A network that still has members cannot become a single library."),
            field="is_network",
        )
    if "department_code" in fields and "region_code" not in fields:
        fields["region_code"] = DEPARTMENT_REGION.get(fields["department_code"], "")
    for name, value in fields.items():
        if name in _EDITABLE:
            setattr(institution, name, value)
    institution.full_clean()
    institution.save()
    if ip_ranges is not None:
        _set_ip_ranges(institution, ip_ranges)
    return institution


@transaction.atomic
def network_member_add(
    *, network: Institution, library: Institution, joined_on: datetime.date
) -> NetworkMembership:
    """Add a library to a network from a day on; the network's subscription covers it from
    that day."""
    if not network.is_network:
        raise ApplicationError(
            InstitutionErrorCode.NOT_A_NETWORK, _("This institution is not a network.")
        )
    if library.pk == network.pk or library.is_network:
        raise ApplicationError(
            InstitutionErrorCode.NOT_A_LIBRARY,
            _("Only a library can be a member of a network."),
            field="library",
        )
    current = NetworkMembership.objects.filter(
        network=network, library=library, left_on__isnull=True
    ).first()
    if current is not None:
        raise ApplicationError(
            InstitutionErrorCode.ALREADY_MEMBER,
            _("This library is already a member of the network."),
            field="library",
            status=409,
        )
    membership = NetworkMembership(network=network, library=library, joined_on=joined_on)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def network_member_remove(
    *, network: Institution, library: Institution, left_on: datetime.date
) -> NetworkMembership:
    """End a membership (the history of coverage stays)."""
    membership = lock_current_membership(network_id=network.pk, library_id=library.pk)
    if membership is None:
        raise ApplicationError(
            InstitutionErrorCode.NOT_A_MEMBER,
            _("This library is not a member of the network."),
            status=404,
        )
    if left_on <= membership.joined_on:
        raise ApplicationError(
            InstitutionErrorCode.INVALID_PERIOD,
            _("A library cannot leave a network before it joined it."),
            field="left_on",
        )
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    return membership
