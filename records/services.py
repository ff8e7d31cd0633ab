"""Changes to a library's catalogue-record settings."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from institutions.models import Institution
from records import selectors
from records.locks import lock_record_settings
from records.models import RecordChange, RecordHolding, RecordSettings
from rights.decisions import institution_profile
from subscriptions.models import Subscription
from subscriptions.selectors import libraries_covered


@transaction.atomic
def record_settings_set(*, institution, proxy_prefix: str) -> RecordSettings:
    """Set the proxy prefix put before the playback link (856) of the library's records."""
    found = lock_record_settings(institution)
    found.proxy_prefix = proxy_prefix
    found.full_clean()
    found.save()
    return found


def record_subscribers(*, on: datetime.date) -> list:
    """The libraries covered that day by an active subscription including streaming (a
    network's members), whose catalogues load our records."""
    libraries = {}
    subscriptions = Subscription.objects.filter(
        status=Subscription.Status.ACTIVE,
        starts_on__lte=on,
        ends_on__gte=on,
        plan__includes_streaming=True,
    ).select_related("subscriber")
    for subscription in subscriptions:
        for library in libraries_covered(subscription=subscription, on=on):
            libraries[library.pk] = library
    return list(libraries.values())


@transaction.atomic
def record_updates_compute(*, today: datetime.date | None = None) -> dict:
    """Today's update files: for each subscribing library (and each library that holds
    records but no longer subscribes), new records of the films it may now stream and
    delete records of those it no longer may, as the rights engine decides today. Runs
    early every morning (Celery beat; `manage.py record_updates`); a second run the same
    day finds nothing more to change. The rights engine is asked once per profile
    (territory and kind), not once per library."""
    today = today or timezone.localdate()
    subscribers = {library.pk: library for library in record_subscribers(on=today)}
    holders = set(RecordHolding.objects.values_list("institution_id", flat=True).distinct())
    others = Institution.objects.in_bulk(list(holders - set(subscribers)))
    held: dict[int, set[int]] = {}
    for institution_id, film_id in RecordHolding.objects.values_list("institution_id", "film_id"):
        held.setdefault(institution_id, set()).add(film_id)
    by_profile: dict[tuple, set[int]] = {}
    changes, holdings, gone = [], [], []
    for institution in [*subscribers.values(), *others.values()]:
        if institution.pk in subscribers:
            profile = institution_profile(institution)
            if profile not in by_profile:
                by_profile[profile] = selectors.available_film_ids(institution, on=today)
            available = by_profile[profile]
        else:
            available = set()
        before = held.get(institution.pk, set())
        for film_id in sorted(available - before):
            changes.append(
                RecordChange(
                    institution=institution, film_id=film_id, day=today, kind=RecordChange.Kind.NEW
                )
            )
            holdings.append(RecordHolding(institution=institution, film_id=film_id, since=today))
        for film_id in sorted(before - available):
            changes.append(
                RecordChange(
                    institution=institution,
                    film_id=film_id,
                    day=today,
                    kind=RecordChange.Kind.DELETE,
                )
            )
            gone.append((institution.pk, film_id))
    RecordChange.objects.bulk_create(changes, batch_size=2000, ignore_conflicts=True)
    RecordHolding.objects.bulk_create(holdings, batch_size=2000, ignore_conflicts=True)
    for institution_id in {i for i, _ in gone}:
        RecordHolding.objects.filter(
            institution_id=institution_id,
            film_id__in=[f for i, f in gone if i == institution_id],
        ).delete()
    return {
        "libraries": len(subscribers),
        "new": len(holdings),
        "deleted": len(gone),
    }
