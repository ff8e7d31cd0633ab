"""The row locks taken on institutions, named in one place (the order across apps:
backend/locks.py)."""

from __future__ import annotations

from institutions.models import Institution, NetworkMembership


def lock_institution(institution_id: int) -> Institution:
    """Lock one institution's row for this transaction: what is counted per institution
    (a film's public screenings in a year, against its grant's cap) is counted while it
    is held, so two concurrent bookings of the same library take turns. Taken before the
    subscriptions' locks (`subscriptions.locks`)."""
    return Institution.objects.select_for_update().get(pk=institution_id)


def lock_current_membership(*, network_id: int, library_id: int) -> NetworkMembership | None:
    """A library's current membership of a network, locked (None when it is not a
    member): two removals cannot both end it."""
    return (
        NetworkMembership.objects.select_for_update()
        .filter(network_id=network_id, library_id=library_id, left_on__isnull=True)
        .first()
    )
