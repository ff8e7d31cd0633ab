"""The row locks the editorial app takes, named in one place (the order across apps:
backend/locks.py)."""

from __future__ import annotations

from editorial.models import Collection, LibrarySelection


def lock_collection(collection_id: int) -> Collection:
    """A collection (its fields and ordered items) for this transaction."""
    return Collection.objects.select_for_update().get(pk=collection_id)


def lock_library_selection(selection_id: int) -> LibrarySelection:
    """A library's own selection (its fields and ordered items) for this transaction."""
    return LibrarySelection.objects.select_for_update().get(pk=selection_id)
