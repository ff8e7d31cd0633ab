"""The row locks taken on institutions, named in one place."""

from __future__ import annotations

from institutions.models import Institution


def lock_institution(institution_id: int) -> Institution:
    """Lock one institution's row for this transaction: what is counted per institution
    (a film's public screenings in a year, against its grant's cap) is counted while it
    is held, so two concurrent bookings of the same library take turns. Taken before the
    subscriptions' locks (`subscriptions.locks`)."""
    return Institution.objects.select_for_update().get(pk=institution_id)
