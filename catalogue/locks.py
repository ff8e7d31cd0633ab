"""The row locks taken on the catalogue, named in one place (the order across apps:
backend/locks.py)."""

from __future__ import annotations

from catalogue.models import Film


def lock_film(film_id: int) -> Film:
    """Lock a film's row for this transaction: its status changes, and the rights app's
    writes of its grants (so two concurrent writes cannot both pass the overlap check;
    taken after the grant's contract)."""
    return Film.objects.select_for_update().get(pk=film_id)
