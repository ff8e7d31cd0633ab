"""The film list's response cache.

A page of the catalogue with its rights summary is the same for every caller who sees
the same films (cinema staff, or the public catalogue) from the same institution, on the
same day, in the same language, for the same query. It is cached under a key that holds
all of these and the catalogue's revision — a counter bumped by the database in the same
transaction as every change the page depends on (`PAGE_DEPENDENCIES`, through model
signals). Reading the revision costs one primary-key query, so a change is seen by the
very next request in every worker, and a rolled-back change never invalidates anything.
Bulk writes that bypass signals (the demo seed) call `bump()` themselves.
"""

from __future__ import annotations

import hashlib

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


def current() -> int:
    """The revision number (one primary-key read, in plain SQL: it runs on every list
    request, where the ORM's query building would cost more than the query)."""
    from catalogue.models import CatalogueRevision

    with connection.cursor() as cursor:
        cursor.execute(_CURRENT_SQL.format(table=CatalogueRevision._meta.db_table))
        row = cursor.fetchone()
    return row[0] if row else 0


_CURRENT_SQL = "SELECT number FROM {table} WHERE id = 1"


def bump(**_signal_kwargs) -> None:
    from catalogue.models import CatalogueRevision

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
