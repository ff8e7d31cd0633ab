"""The film list's response cache.

A page of the catalogue with its rights summary is the same for every caller who sees
the same films (cinema staff, or the public catalogue) from the same institution, on the
same day, in the same language, for the same query. It is cached under a key that holds
all of these and the catalogue's revision — a counter bumped by the database in the same
transaction as every change the page depends on (`REVISION_DEPENDENCIES`, through model
signals). Reading the revision costs one primary-key query; a worker keeps the number it
read for CATALOGUE_REVISION_TTL_SECONDS (1 s by default, 0 to read it on every request),
so a change is seen at once by the worker that made it and within that delay by every
other worker. Inside a transaction the revision is always read from the database and
never remembered, so a rolled-back change never invalidates anything. Bulk writes that
bypass signals (the demo seed) call `bump()` themselves.

The same revision keeps a worker's memo of values computed from these data (`remembered`:
the playback start's film, viewer library and rights decision), so the models they read
are dependencies too.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

T = TypeVar("T")

#: models whose changes bump the revision: what a page of films or its rights summary
#: shows, and what the playback start remembers (`remembered`)
REVISION_DEPENDENCIES = (
    "catalogue.Film",
    "catalogue.Person",
    "catalogue.Theme",
    "catalogue.Country",
    "catalogue.Language",
    "catalogue.FestivalSelection",
    "rights.RightsGrant",
    "rights.Contract",  # its status and termination date decide whether its grants count
    "institutions.Institution",
    # read by the playback start's remembered values (not by the pages)
    "institutions.OnSiteIPRange",
    "institutions.NetworkMembership",
    "media.Asset",  # a ready rendition makes a film streamable (progress is an update())
)
_M2M = ("directors", "themes", "countries", "original_languages")


#: this worker's last read of the revision: (number, monotonic time it is good until)
_remembered: dict[str, tuple[int, float]] = {}


def current() -> int:
    """The revision number: remembered for CATALOGUE_REVISION_TTL_SECONDS outside
    transactions, else one primary-key read in plain SQL (it runs on list requests, where
    the ORM's query building would cost more than the query)."""
    from catalogue.models import CatalogueRevision

    ttl = settings.CATALOGUE_REVISION_TTL_SECONDS
    remember = ttl > 0 and not connection.in_atomic_block
    if remember:
        number, until = _remembered.get(connection.alias, (0, 0.0))
        if time.monotonic() < until:
            return number
    with connection.cursor() as cursor:
        cursor.execute(_CURRENT_SQL.format(table=CatalogueRevision._meta.db_table))
        row = cursor.fetchone()
    number = row[0] if row else 0
    if remember:
        _remembered[connection.alias] = (number, time.monotonic() + ttl)
    return number


_CURRENT_SQL = "SELECT number FROM {table} WHERE id = 1"


def forget() -> None:
    """Drop this worker's remembered revision and memo: the next request reads again."""
    _remembered.clear()
    _memo.clear()


#: values computed by this worker, for the last revision it used: {revision: {key: value}}
_memo: dict[int, dict[tuple, object]] = {}
MEMO_MAX_ENTRIES = 20_000


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, remembered by this worker for as long as the catalogue revision stays
    the same. `key` names the value and everything it depends on besides the revision's
    models (the film, the library, the day…). Inside a transaction nothing is remembered
    or reused: what it reads may be uncommitted, and a rolled-back change would otherwise
    linger. A value is as fresh as the revision it is filed under (read before computing);
    another worker's change is seen within CATALOGUE_REVISION_TTL_SECONDS."""
    if connection.in_atomic_block:
        return compute()
    revision = current()
    values = _memo.get(revision)
    if values is None:  # a new revision: the old values go
        _memo.clear()
        values = _memo[revision] = {}
    try:
        return values[key]
    except KeyError:
        pass
    value = compute()
    if len(values) >= MEMO_MAX_ENTRIES:
        values.clear()
    values[key] = value
    return value


def bump(**_signal_kwargs) -> None:
    from catalogue.models import CatalogueRevision

    forget()

    if not CatalogueRevision.objects.filter(pk=1).update(number=F("number") + 1):
        CatalogueRevision.objects.get_or_create(pk=1, defaults={"number": 1})


def connect_signals() -> None:
    for label in REVISION_DEPENDENCIES:
        try:
            model = apps.get_model(label)
        except LookupError:  # an app that is not installed
            continue
        post_save.connect(bump, sender=model, dispatch_uid=f"catalogue-revision-save-{label}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"catalogue-revision-del-{label}")
    film = apps.get_model("catalogue.Film")
    for name in _M2M:
        through = getattr(film, name).through
        m2m_changed.connect(bump, sender=through, dispatch_uid=f"catalogue-revision-m2m-{name}")


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
            str(current()),
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
