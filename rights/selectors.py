"""Reads of the rights data, including the catalogue's `?available=` filter: the rule of
`rights.decisions` written as one SQL condition, so a filtered page costs one query (a
property test holds it equal to `decide_many`)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from rights.decisions import WITHDRAWN, institution_profile
from rights.models import Contract, RightsGrant


def films_available(
    queryset: QuerySet, *, institution, medium: str, on: datetime.date | None = None
) -> QuerySet:
    """The films of `queryset` that `institution` may use on `medium` on the day `on`:
    not withdrawn by then, with a grant in force that covers the institution's territory
    and kind and is not held back. Caps depend on usage that only the caller knows; they
    are checked when the film is actually used (the decision with its `usage`)."""
    on = on or timezone.localdate()
    territory, kind = institution_profile(institution)
    grants = RightsGrant.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        Q(holdback_until__isnull=True) | Q(holdback_until__lte=on),
        film=OuterRef("pk"),
        medium=medium,
        starts_on__lte=on,
        territories__has_code=territory,
        eligible_kinds__has_code=kind,
    )
    return queryset.filter(Exists(grants)).exclude(status=WITHDRAWN, withdrawn_on__lte=on)


def contracts_queryset() -> QuerySet[Contract]:
    return Contract.objects.select_related("rights_holder", "in_charge").prefetch_related("grants")


def grants_queryset() -> QuerySet[RightsGrant]:
    return RightsGrant.objects.select_related("contract", "film")


def grants_expiring_within(
    queryset: QuerySet, *, days: int, today: datetime.date | None = None
) -> QuerySet:
    today = today or timezone.localdate()
    return queryset.filter(ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=days))


def film_rights_timeline(*, film) -> dict:
    """A film's grants and their recorded changes, oldest first, each with who made it
    and which fields it changed (two queries, whatever the number of changes)."""
    grants = list(RightsGrant.objects.filter(film=film).order_by("starts_on", "pk"))
    records = (
        RightsGrant.history.filter(film_id=film.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    compared = [f.name for f in RightsGrant._meta.fields if f.name not in {"updated_at"}]
    history, previous = [], None
    for record in records:
        if previous is not None and previous.id == record.id:
            changed = [
                name
                for name in compared
                if getattr(previous, _attname(name), None) != getattr(record, _attname(name), None)
            ]
        else:
            changed = []
        history.append(
            {
                "grant": record.id,
                "when": record.history_date,
                "who": record.history_user.username if record.history_user else None,
                "change": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "changed_fields": changed,
            }
        )
        previous = record
    history.sort(key=lambda entry: (entry["when"], entry["grant"]))
    return {"grants": grants, "history": history}


def _attname(name: str) -> str:
    return f"{name}_id" if name in {"contract", "film"} else name
