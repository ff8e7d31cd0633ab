"""Changes to a library's catalogue-record settings, the dated update files, and the full
files prepared in the background (`records_export_request`, prepared by
`records_export_prepare` in the task; see `backend.exports`)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import exports
from backend.errors import ApplicationError
from institutions.models import Institution
from records import marc, selectors
from records.errors import RecordsErrorCode
from records.locks import lock_record_settings
from records.models import RecordChange, RecordHolding, RecordSettings, RecordsExport
from rights.decisions import institution_profile
from subscriptions.models import Subscription
from subscriptions.selectors import libraries_covered, library_ids_with_streaming


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
def record_updates_compute(
    *, today: datetime.date | None = None, institutions: list | None = None
) -> dict:
    """Today's update files: for each subscribing library (and each library that holds
    records but no longer subscribes), new records of the films it may now stream and
    delete records of those it no longer may, as the rights engine decides today. Runs
    early every morning (Celery beat; `manage.py record_updates`); a second run the same
    day finds nothing more to change. The rights engine is asked once per profile
    (territory and kind), not once per library. `institutions`: only these libraries'
    files (the demo seed's library), the others left as they are; default every one."""
    today = today or timezone.localdate()
    only = None if institutions is None else {institution.pk for institution in institutions}
    if only is None:
        subscribers = {library.pk: library for library in record_subscribers(on=today)}
    else:  # these libraries' coverage only: two queries, not every subscription's members
        covered = library_ids_with_streaming(library_ids=only, on=today)
        subscribers = {
            institution.pk: institution for institution in institutions if institution.pk in covered
        }
    holdings_of = RecordHolding.objects.all()
    if only is not None:
        holdings_of = holdings_of.filter(institution_id__in=only)
    holders = set(holdings_of.values_list("institution_id", flat=True).distinct())
    others = Institution.objects.in_bulk(list(holders - set(subscribers)))
    held: dict[int, set[int]] = {}
    for institution_id, film_id in holdings_of.values_list("institution_id", "film_id"):
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
    for institution_id in {i for i, _film in gone}:
        RecordHolding.objects.filter(
            institution_id=institution_id,
            film_id__in=[f for i, f in gone if i == institution_id],
        ).delete()
    return {
        "libraries": len(subscribers),
        "new": len(holdings),
        "deleted": len(gone),
    }


def subscriber_required(institution, *, on: datetime.date) -> None:
    """Records are for libraries covered by a subscription including streaming (403)."""
    if not selectors.is_streaming_subscriber(institution, on=on):
        raise ApplicationError(
            RecordsErrorCode.NOT_A_SUBSCRIBER,
            _(
                "Catalogue records are given to libraries whose subscription includes "
                "the streaming platform; this library has none today."
            ),
            status=403,
        )


def records_export_request(*, user, fmt: str, estimated_records: int = 0) -> RecordsExport:
    """Ask for the full file of `user`'s library in `fmt` to be prepared in the
    background; the same file asked for again while prepared or ready (the same day) is
    the same export."""
    if fmt not in marc.FORMATS:
        raise ApplicationError(
            RecordsErrorCode.INVALID_FORMAT,
            _("Choose the format marc21, unimarc or marcxml."),
            field="format",
        )
    institution = user.institution
    today = timezone.localdate()
    subscriber_required(institution, on=today)
    from records.tasks import records_export_prepare  # imported here: the task imports this

    return exports.export_request(
        RecordsExport,
        task=records_export_prepare,
        institution=institution,
        requested_by=user,
        kind="full",
        parameters={"format": fmt, "day": today.isoformat()},
        filename=marc.file_name(institution.code, fmt, "", today),
        content_type="application/marcxml+xml" if fmt == "marcxml" else "application/marc",
        estimated_rows=estimated_records,
    )


def _full_file(export: RecordsExport) -> exports.Produced:
    """The full file of the films the library may stream at the moment it is prepared
    (Europe/Paris), named for that day: a file asked for just before midnight and read
    just after holds, and is named for, the next day (its records' 005 say the same)."""
    institution = export.institution
    now = timezone.localtime()
    today = now.date()
    subscriber_required(institution, on=today)
    films = selectors.film_records(
        selectors.available_films(institution, on=today), institution=institution
    )
    fmt = export.parameters["format"]
    body, _content_type = marc.file_body(films, [], fmt, now=now)
    export.filename = marc.file_name(institution.code, fmt, "", today)
    return body, len(films)


def records_export_prepare(*, export_id: int) -> str:
    """Prepare a pending full file (its task's body)."""
    return exports.export_run(RecordsExport, export_id=export_id, produce=_full_file)


def records_exports_sweep() -> dict[str, int]:
    """Delete expired full files, fail the stale ones."""
    return exports.exports_sweep(RecordsExport)
