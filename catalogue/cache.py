"""The film list's response cache.

A page of the catalogue with its rights summary is the same for every caller who sees
the same films (cinema staff, or the public catalogue) from the same institution, on the
same day, in the same language, for the same query. It is cached under a key that holds
all of these and the catalogue's revision — a counter bumped by the database in the same
transaction as every change the page depends on (`PAGE_DEPENDENCIES`, through model
signals). Reading the revision costs one primary-key query; a worker keeps the number it
read for CATALOGUE_REVISION_TTL_SECONDS (1 s by default, 0 to read it on every request),
so a change is seen at once by the worker that made it and within that delay by every
other worker. Inside a transaction the revision is always read from the database and
never remembered, so a rolled-back change never invalidates anything. Bulk writes that
bypass signals (the demo seed) call `bump()` themselves.
"""

from __future__ import annotations

import hashlib
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

#: models whose changes can change a page of films or its rights summary
PAGE_DEPENDENCIES = (
    "catalogue.Film",
    "catalogue.Person",
    "catalogue.Theme",
    "catalogue.Country",
    "catalogue.Language",
    "catalogue.FestivalSelection",
    "rights.RightsGrant",
    "institutions.Institution",
    "subscriptions.ScreeningBooking",  # screenings used count against a grant's cap
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
    """Drop this worker's remembered revision: the next request reads it again."""
    _remembered.clear()


def bump(**_signal_kwargs) -> None:
    from catalogue.models import CatalogueRevision

    forget()

    if not CatalogueRevision.objects.filter(pk=1).update(number=F("number") + 1):
        CatalogueRevision.objects.get_or_create(pk=1, defaults={"number": 1})


def connect_signals() -> None:
    for label in PAGE_DEPENDENCIES:
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


def page_key(request, *, sees_everything: bool, institution_id: int | None) -> str:
    """The cache key of one list response for this caller and query."""
    parts = "|".join(
        [
            str(current()),
            timezone.localdate().isoformat(),
            translation.get_language() or "",
            "staff" if sees_everything else "public",
            str(institution_id or ""),
            request.build_absolute_uri(),
        ]
    )
    return "films:page:" + hashlib.sha256(parts.encode()).hexdigest()


def get(key: str) -> bytes | None:
    return cache.get(key)


def put(key: str, body: bytes) -> None:
    cache.set(key, body, settings.CATALOGUE_PAGE_CACHE_SECONDS)
