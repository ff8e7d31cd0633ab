"""The catalogue revision and the per-worker memo filed under it.

The revision is a counter bumped by the database in the same transaction as every change
to the models the apps register (`bumped_by`, in each app's `AppConfig.ready()`: what a
page of films or its rights summary shows, and what the playback start remembers).
Reading it costs one primary-key query; a worker keeps the number it read for
CATALOGUE_REVISION_TTL_SECONDS (1 s by default, 0 to read it on every request), so a
change is seen at once by the worker that made it and within that delay by every other
worker. Inside a transaction the revision is always read from the database and never
remembered, so a rolled-back change never invalidates anything. Bulk writes that bypass
signals (the demo seed) call `bump()` themselves.

The same revision keeps a worker's memo of values computed from these data (`remembered`:
the playback start's film, viewer library and rights decision), so the models they read
are registered too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from backend.revision.models import CatalogueRevision

T = TypeVar("T")

#: this worker's last read of the revision: (number, monotonic time it is good until)
_remembered: dict[str, tuple[int, float]] = {}

_CURRENT_SQL = "SELECT number FROM {table} WHERE id = 1"


def current() -> int:
    """The revision number: remembered for CATALOGUE_REVISION_TTL_SECONDS outside
    transactions, else one primary-key read in plain SQL (it runs on list requests, where
    the ORM's query building would cost more than the query)."""
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


def forget() -> None:
    """Drop this worker's remembered revision and memo: the next request reads again."""
    _remembered.clear()
    _memo.clear()


def bump(**_signal_kwargs) -> None:
    """A new revision, in the caller's transaction (a signal receiver too)."""
    forget()
    if not CatalogueRevision.objects.filter(pk=1).update(number=F("number") + 1):
        CatalogueRevision.objects.get_or_create(pk=1, defaults={"number": 1})


def bumped_by(*models, m2m: Iterable = ()) -> None:
    """Bump the revision on every save and delete of `models` and every change of the
    many-to-many relations `m2m` (their `through` models). Called by each app, in its
    `AppConfig.ready()`, for its own models."""
    for model in models:
        label = model._meta.label
        post_save.connect(bump, sender=model, dispatch_uid=f"revision-save-{label}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"revision-delete-{label}")
    for through in m2m:
        label = through._meta.label
        m2m_changed.connect(bump, sender=through, dispatch_uid=f"revision-m2m-{label}")


#: values computed by this worker, for the last revision it used: {revision: {key: value}}
_memo: dict[int, dict[tuple, object]] = {}
MEMO_MAX_ENTRIES = 20_000


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, remembered by this worker for as long as the catalogue revision stays
    the same. `key` names the value and everything it depends on besides the registered
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
