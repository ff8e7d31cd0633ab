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
