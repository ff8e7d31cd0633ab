"""The film list's response cache.

A page of the catalogue with its rights summary is the same for every caller who sees
the same films (cinema staff, or the public catalogue) from the same institution, on the
same day, in the same language, for the same query. It is cached under a key that holds
all of these and the catalogue's revision (`backend.revision.counter`: a counter bumped
by the database in the same transaction as every change to the models the apps register
with it — the catalogue's own in `CatalogueConfig.ready()`, grants and contracts in the
rights app's, institutions in theirs). The API's film list and the web client's
catalogue page use these keys.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from backend.revision import counter as revision

# --- what changes one institution's pages only ------------------------------------------
#
# A page's rights summary also counts the public screenings the caller's institution
# booked this year against each grant's yearly cap (the rights engine asks the bookings).
# A booking changes that institution's pages and nobody else's, so it does not bump the
# revision (which would empty every page and every worker's memo): the institution's
# mark — a token in the shared cache, part of its pages' keys — is replaced once the
# booking commits. A mark the cache lost is replaced by a new one, never by an old value,
# so a lost mark can only make pages be computed again.


def _mark_key(institution_id: int) -> str:
    return f"films:institution-mark:{institution_id}"


def institution_mark(institution_id: int) -> str:
    """The current token of an institution's own data in its pages (one cache read)."""
    key = _mark_key(institution_id)
    mark = cache.get(key)
    if mark is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        mark = cache.get(key)
    return mark


def institution_changed(institution_id: int) -> None:
    """The institution's pages are stale (call it once the change is committed)."""
    cache.set(_mark_key(institution_id), uuid.uuid4().hex, timeout=None)


def page_key(request, *, sees_everything: bool, institution_id: int | None) -> str:
    """The cache key of one list response for this caller and query."""
    parts = "|".join(
        [
            str(revision.current()),
            timezone.localdate().isoformat(),
            translation.get_language() or "",
            "staff" if sees_everything else "public",
            str(institution_id or ""),
            institution_mark(institution_id) if institution_id else "",
            request.build_absolute_uri(),
        ]
    )
    return "films:page:" + hashlib.sha256(parts.encode()).hexdigest()


def get(key: str) -> bytes | None:
    return cache.get(key)


def put(key: str, body: bytes) -> None:
    cache.set(key, body, settings.CATALOGUE_PAGE_CACHE_SECONDS)
