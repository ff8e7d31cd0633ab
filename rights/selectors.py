"""Reads of the rights data, including the catalogue's `?available=` filter: the rule of
`rights.decisions` written as one SQL condition, so a filtered page costs one query (a
property test holds it equal to `decide_many`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from catalogue.models import Film
from rights.decisions import (
    WITHDRAWN,
    grants_for_decision,
    institution_profile,
    last_day_of_rights,
)
from rights.models import (
    PLATFORM_MEDIA,
    Contract,
    Medium,
    Negotiation,
    RenegotiationCampaign,
    RightsGrant,
)

IN_CATALOGUE = Film.Status.IN_CATALOGUE


def contract_gives_rights_on(on: datetime.date, prefix: str = "contract__") -> Q:
    """The grant's contract gives rights on `on`: signed, or terminated from a later day
    (the rule of `rights.decisions` as a condition on grants)."""
    return Q(**{f"{prefix}status": Contract.Status.SIGNED}) | Q(
        **{f"{prefix}status": Contract.Status.TERMINATED, f"{prefix}terminated_on__gt": on}
    )


def grants_giving_rights_from(day: datetime.date) -> Q:
    """Grants that give rights on `day` or later: not ended by their dates, under a
    contract that is signed or terminated after `day`."""
    return (Q(ends_on__isnull=True) | Q(ends_on__gte=day)) & contract_gives_rights_on(day)


def _grants_usable(media, on: datetime.date) -> QuerySet:
    """Grants of the outer film on one of `media` in force on `on`, not held back, under
    a contract that gives rights that day."""
    return RightsGrant.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        Q(holdback_until__isnull=True) | Q(holdback_until__lte=on),
        contract_gives_rights_on(on),
        film=OuterRef("pk"),
        medium__in=list(media),
        starts_on__lte=on,
    )


def films_available(
    queryset: QuerySet, *, institution, medium: str, on: datetime.date | None = None
) -> QuerySet:
    """The films of `queryset` that `institution` may use on `medium` on the day `on`:
    not withdrawn by then, with a grant in force that covers the institution's territory
    and kind, is not held back and is under a contract that gives rights that day. Caps depend on usage that only the caller knows; they
    are checked when the film is actually used (the decision with its `usage`)."""
    on = on or timezone.localdate()
    territory, kind = institution_profile(institution)
    grants = _grants_usable([medium], on).filter(
        territories__has_code=territory, eligible_kinds__has_code=kind
    )
    return queryset.filter(Exists(grants)).exclude(status=WITHDRAWN, withdrawn_on__lte=on)


def films_available_somewhere(
    queryset: QuerySet, *, media, on: datetime.date | None = None
) -> QuerySet:
    """The films of `queryset` that some institution — of some territory and kind a grant
    names — may use on one of `media` on the day `on`: the rule of `films_available`
    for every institution at once (one subquery), as the catalogue's reports count it."""
    on = on or timezone.localdate()
    return queryset.filter(Exists(_grants_usable(media, on))).exclude(
        status=WITHDRAWN, withdrawn_on__lte=on
    )


def contracts_queryset() -> QuerySet[Contract]:
    return Contract.objects.select_related("rights_holder", "in_charge").prefetch_related("grants")


def grants_queryset() -> QuerySet[RightsGrant]:
    return RightsGrant.objects.select_related("contract", "film")


def grants_expiring_within(
    queryset: QuerySet, *, days: int, today: datetime.date | None = None
) -> QuerySet:
    today = today or timezone.localdate()
    return queryset.filter(ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=days))


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def history_entries(kind: str, records) -> list[dict]:
    """Recorded changes of one kind of object ("grant", "contract", "negotiation"), each
    with who, when, and every changed field's value before and after."""
    entries, previous = [], None
    for record in sorted(records, key=lambda r: (r.id, r.history_date, r.history_id)):
        changes = []
        if previous is not None and previous.id == record.id:
            delta = record.diff_against(previous, excluded_fields=["updated_at"])
            changes = [
                {"field": change.field, "before": _plain(change.old), "after": _plain(change.new)}
                for change in delta.changes
            ]
        entries.append(
            {
                "object": kind,
                "object_id": record.id,
                "when": record.history_date,
                "who": record.history_user.username if record.history_user else None,
                "change": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "changed_fields": [change["field"] for change in changes],
                "changes": changes,
            }
        )
        previous = record
    entries.sort(key=lambda entry: (entry["when"], entry["object"], entry["object_id"]))
    return entries


def contract_history(*, contract) -> list[dict]:
    """Every recorded change to a contract and to the grants under it, oldest first."""
    entries = history_entries(
        "contract", Contract.history.filter(id=contract.pk).select_related("history_user")
    ) + history_entries(
        "grant",
        RightsGrant.history.filter(contract_id=contract.pk).select_related("history_user"),
    )
    entries.sort(key=lambda entry: (entry["when"], entry["object"], entry["object_id"]))
    return entries


def film_rights_timeline(*, film) -> dict:
    """A film's grants, negotiations and the contracts its grants are under, with every
    recorded change to them, oldest first: who, when, and each changed field's value
    before and after. A constant number of queries, whatever the number of changes."""
    grants = list(RightsGrant.objects.filter(film=film).order_by("starts_on", "pk"))
    negotiations = list(
        Negotiation.objects.filter(film=film).select_related("rights_holder").order_by("pk")
    )
    grant_records = list(RightsGrant.history.filter(film_id=film.pk).select_related("history_user"))
    contract_ids = {record.contract_id for record in grant_records} | {
        n.contract_id for n in negotiations if n.contract_id
    }
    sources = [
        ("grant", grant_records),
        ("contract", Contract.history.filter(id__in=contract_ids).select_related("history_user")),
        ("negotiation", Negotiation.history.filter(film_id=film.pk).select_related("history_user")),
    ]
    history = [entry for kind, records in sources for entry in history_entries(kind, records)]
    history.sort(key=lambda entry: (entry["when"], entry["object"], entry["object_id"]))
    return {"grants": grants, "negotiations": negotiations, "history": history}


# --- staff reports -------------------------------------------------------------------------


def _open_negotiation():
    return Exists(Negotiation.objects.filter(film=OuterRef("film_id"), status__in=Negotiation.OPEN))


def report_expiring_grants(*, days: int = 180, today: datetime.date | None = None) -> QuerySet:
    """Grants of films in the catalogue, under a signed contract, that end within `days`
    days, soonest first, with their contract, rights holder, staff in charge and whether a
    negotiation is under way. (A terminated contract's grants ended by the staff's own
    decision; an unsigned one's give no rights.)"""
    today = today or timezone.localdate()
    return (
        RightsGrant.objects.filter(
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=days),
            film__status=IN_CATALOGUE,
            contract__status=Contract.Status.SIGNED,
        )
        .annotate(renegotiating=_open_negotiation())
        .values(
            "id",
            "film_id",
            "medium",
            "starts_on",
            "ends_on",
            "renegotiating",
            film_reference=F("film__reference"),
            film_title=F("film__title"),
            contract_reference=F("contract__reference"),
            rights_holder=F("contract__rights_holder__name"),
            in_charge=F("contract__in_charge__username"),
        )
        .order_by("ends_on", "film__title", "medium", "id")
    )


def report_films_losing_last_medium(
    *, days: int = 180, scope: str = "all", today: datetime.date | None = None
) -> list[dict]:
    """Films in the catalogue whose every right (`scope="platform"`: every platform
    right) in force or to come ends within `days` days — by a grant's end or its
    contract's termination: on the day after `last_day` they leave the catalogue (or the
    platform). Two queries."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    media = list(PLATFORM_MEDIA) if scope == "platform" else list(Medium.values)
    live = RightsGrant.objects.filter(
        grants_giving_rights_from(today), film=OuterRef("pk"), medium__in=media
    )
    beyond = live.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=horizon),
        contract_gives_rights_on(horizon + datetime.timedelta(days=1)),
    )
    negotiating = Negotiation.objects.filter(film=OuterRef("pk"), status__in=Negotiation.OPEN)
    rows = list(
        Film.objects.filter(Exists(live), ~Exists(beyond), status=IN_CATALOGUE)
        .annotate(renegotiating=Exists(negotiating))
        .values("id", "reference", "title", "renegotiating")
    )
    media_by_film: dict[int, set[str]] = {}
    last_days: dict[int, datetime.date] = {}
    for grant in grants_for_decision(
        grants_giving_rights_from(today),
        film_id__in=[row["id"] for row in rows],
        medium__in=media,
    ):
        media_by_film.setdefault(grant.film_id, set()).add(grant.medium)
        last = last_day_of_rights(grant)
        last_days[grant.film_id] = max(last, last_days.get(grant.film_id, last))
    for row in rows:
        row["last_day"] = last_days.get(row["id"])
        row["media"] = sorted(media_by_film.get(row["id"], ()))
    rows.sort(key=lambda row: (row["last_day"], row["title"], row["id"]))
    return rows


def report_withdrawn_films(*, start: datetime.date, end: datetime.date) -> QuerySet:
    """Films withdrawn between `start` and `end` (inclusive) and still withdrawn."""
    return (
        Film.objects.filter(status=WITHDRAWN, withdrawn_on__gte=start, withdrawn_on__lte=end)
        .values("id", "reference", "title", "added_on", "withdrawn_on", "withdrawal_reason")
        .order_by("withdrawn_on", "title", "id")
    )


# --- negotiations and campaigns --------------------------------------------------------------


def negotiations_queryset() -> QuerySet[Negotiation]:
    return Negotiation.objects.select_related(
        "film", "rights_holder", "assignee", "campaign", "contract"
    ).prefetch_related("exchanges__author")


def late_negotiations(queryset: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """Open negotiations past their due date (or, without one, their campaign's deadline)."""
    today = today or timezone.localdate()
    return queryset.filter(status__in=Negotiation.OPEN).filter(
        Q(due_on__lt=today) | Q(due_on__isnull=True, campaign__deadline__lt=today)
    )


def campaigns_with_progress(*, today: datetime.date | None = None) -> QuerySet:
    """Campaigns annotated with their progress — titles per status, late ones, done —
    in the same single query."""
    today = today or timezone.localdate()
    counts = {
        f"count_{status}": Count("negotiations", filter=Q(negotiations__status=status))
        for status in Negotiation.Status.values
    }
    late = Q(negotiations__status__in=Negotiation.OPEN) & (
        Q(negotiations__due_on__lt=today) | Q(negotiations__due_on__isnull=True, deadline__lt=today)
    )
    return RenegotiationCampaign.objects.annotate(
        titles=Count("negotiations"), late=Count("negotiations", filter=late), **counts
    )


def campaign_progress(campaign) -> dict:
    """The progress of a campaign annotated by `campaigns_with_progress`."""
    by_status = {
        status: getattr(campaign, f"count_{status}") for status in Negotiation.Status.values
    }
    done = by_status[Negotiation.Status.SIGNED]
    return {
        "titles": campaign.titles,
        "by_status": by_status,
        "done": done,
        "late": campaign.late,
        "percent_done": round(100 * done / campaign.titles, 1) if campaign.titles else 0.0,
    }
