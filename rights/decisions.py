"""The rights decision: may this institution use this film on this medium on this day?

This module is the only code that decides rights. Streaming, screenings, DVD orders and
the catalogue all call `decide` (one film) or `decide_many` (a page of films, in a
constant number of queries); both read the grants and hand them to the same pure
function, `decide_from_grants`, so they cannot disagree. The catalogue's `?available=`
filter (`rights.selectors.films_available`) is the same rule written as SQL, and a
property test holds the three together.

A grant gives rights only under a signed contract: a contract still in draft or in
negotiation gives none, and a terminated one gave them until the day before its
termination date (the grants keep what was negotiated; the contract ended).

Precedence of the answer, first match wins (for the film's grants of the medium asked):

1. ``film_withdrawn`` — the film left the catalogue on or before the day.
2. A grant in force that day, covering the institution's territory and kind, under a
   contract that gives rights that day: ``ok`` if one of them is usable; otherwise
   ``holdback`` if they are all held back ("not before"), else ``cap_reached`` (public
   screenings, when the usage is known).
3. ``contract_terminated`` / ``contract_not_signed`` — a grant covering territory and
   kind is in force that day by its dates, but its contract was terminated by then / is
   not signed (the first grant by preference names the reason).
4. ``not_yet`` — a grant covering territory and kind, under a contract that will give
   rights on its first day, starts later.
5. ``contract_terminated`` / ``contract_not_signed`` — such a grant starts later, but its
   contract will not give rights then.
6. ``expired`` — a grant covering territory and kind has ended.
7. ``territory`` — no grant of the medium covers the institution's territory.
8. ``institution_kind`` — some cover the territory, none the institution's kind.
9. ``no_rights`` — no grant at all for the medium.

Among several usable grants the one used is the longest-lasting (open end first, a
termination counting as an end), then the lowest id; an allowed answer carries that
grant's terms the user of the film must respect (`max_concurrent_streams`,
`screening_quality`). ``valid_until`` is the last day the same answer (allowed and
reason) holds as far as the grants, their contracts' termination dates and the film's
withdrawal tell: ``None`` when nothing known changes it (signing a contract is not known
in advance). A network is judged by its own kind and department.

Caps: the number of public screenings an institution already used in the year is not
the rights engine's data (bookings belong to another app). Callers pass it as `usage`;
when they do not, the functions registered with `register_usage_provider` are asked (the
subscriptions app registers the bookings at start-up); with neither, caps are not
checked.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from catalogue.models import Film
from institutions.geography import territory_of_department
from rights.errors import DecisionReason
from rights.models import Contract, Medium, RightsGrant

WITHDRAWN = Film.Status.WITHDRAWN
SIGNED, TERMINATED = Contract.Status.SIGNED, Contract.Status.TERMINATED
_ONE_DAY = datetime.timedelta(days=1)

#: grant fields the decision reads (the bulk query loads only these)
GRANT_FIELDS = (
    "id",
    "film_id",
    "medium",
    "starts_on",
    "ends_on",
    "territories",
    "eligible_kinds",
    "max_screenings_per_year",
    "max_concurrent_streams",
    "screening_quality",
    "holdback_until",
)
#: the contract's fields the decision reads, annotated on each grant under these names
CONTRACT_FIELDS = {
    "contract_status": "contract__status",
    "contract_terminated_on": "contract__terminated_on",
}


def grants_for_decision(*conditions, **filters):
    """The grants matching the conditions, with only what the decision reads (their
    contract's status and termination date joined in the same query)."""
    return (
        RightsGrant.objects.filter(*conditions, **filters)
        .only(*GRANT_FIELDS)
        .annotate(**{name: F(path) for name, path in CONTRACT_FIELDS.items()})
    )


@dataclass(frozen=True)
class Decision:
    """The answer. When allowed, the terms of the grant used that the use must respect:
    the concurrent streams it allows (`None`: no cap of the grant's) and the quality of a
    public screening ("hd" / "sd")."""

    allowed: bool
    reason: str
    valid_until: datetime.date | None = None
    grant_id: int | None = None
    max_concurrent_streams: int | None = None
    screening_quality: str | None = None

    def as_dict(self) -> dict:
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "valid_until": self.valid_until,
            "grant_id": self.grant_id,
        }


# --- usage (screenings already used in a year), provided by other apps ------------------

UsageProvider = Callable[..., Mapping[int, int]]
_usage_providers: list[UsageProvider] = []


def register_usage_provider(provider: UsageProvider) -> None:
    """Register `provider(institution=, film_ids=, medium=, year=) -> {film_id: count}`:
    how many uses of the capped medium the institution made of each film in the year."""
    if provider not in _usage_providers:
        _usage_providers.append(provider)


def _usage_from_providers(institution, film_ids, medium, year) -> dict[int, int] | None:
    if not _usage_providers or medium != Medium.PUBLIC_SCREENING:
        return None
    totals: dict[int, int] = defaultdict(int)
    for provider in _usage_providers:
        for film_id, count in provider(
            institution=institution, film_ids=list(film_ids), medium=medium, year=year
        ).items():
            totals[film_id] += count
    return totals


# --- the pure decision -----------------------------------------------------------------


def _covers(grant, territory: str, kind: str) -> bool:
    return territory in grant.territories and kind in grant.eligible_kinds


def _in_force(grant, day: datetime.date) -> bool:
    """In force by the grant's own dates (its contract aside)."""
    return grant.starts_on <= day and (grant.ends_on is None or day <= grant.ends_on)


def _contract_gives_rights(grant, day: datetime.date) -> bool:
    """The grant's contract gives rights on `day`: signed, or terminated from a later day."""
    if grant.contract_status == SIGNED:
        return True
    return grant.contract_status == TERMINATED and day < grant.contract_terminated_on


def _contract_refusal(grant) -> str:
    if grant.contract_status == TERMINATED:
        return DecisionReason.CONTRACT_TERMINATED
    return DecisionReason.CONTRACT_NOT_SIGNED


def last_day_of_rights(grant) -> datetime.date | None:
    """The grant's last day of rights: its end, or the day before its contract's
    termination if that comes first (None: open end)."""
    end = grant.ends_on
    if grant.contract_status == TERMINATED:
        cut = grant.contract_terminated_on - _ONE_DAY
        end = cut if end is None else min(end, cut)
    return end


def _held_back(grant, day: datetime.date) -> bool:
    return grant.holdback_until is not None and day < grant.holdback_until


def _capped(grant, medium: str, used: int | None) -> bool:
    return (
        medium == Medium.PUBLIC_SCREENING
        and used is not None
        and grant.max_screenings_per_year is not None
        and used >= grant.max_screenings_per_year
    )


def _preference(grant):
    last = last_day_of_rights(grant)
    return (last is not None, -(last or datetime.date.min).toordinal(), grant.id)


def _evaluate(grants, *, withdrawn_on, territory, kind, medium, day, used):
    """(allowed, reason, grant) on one day; `grants` are the film's grants of `medium`."""
    if withdrawn_on is not None and withdrawn_on <= day:
        return False, DecisionReason.FILM_WITHDRAWN, None
    covering = [g for g in grants if _covers(g, territory, kind)]
    in_force = sorted((g for g in covering if _in_force(g, day)), key=_preference)
    usable = [g for g in in_force if _contract_gives_rights(g, day)]
    if usable:
        free = [g for g in usable if not _held_back(g, day)]
        if not free:
            return False, DecisionReason.HOLDBACK, usable[0]
        uncapped = [g for g in free if not _capped(g, medium, used)]
        if not uncapped:
            return False, DecisionReason.CAP_REACHED, free[0]
        return True, DecisionReason.OK, uncapped[0]
    if in_force:
        return False, _contract_refusal(in_force[0]), in_force[0]
    future = sorted((g for g in covering if g.starts_on > day), key=lambda g: (g.starts_on, g.id))
    coming = [g for g in future if _contract_gives_rights(g, g.starts_on)]
    if coming:
        return False, DecisionReason.NOT_YET, coming[0]
    if future:
        return False, _contract_refusal(future[0]), future[0]
    past = sorted(covering, key=lambda g: (g.ends_on, -g.id), reverse=True)
    if past:
        return False, DecisionReason.EXPIRED, past[0]
    if not grants:
        return False, DecisionReason.NO_RIGHTS, None
    if not any(territory in g.territories for g in grants):
        return False, DecisionReason.TERRITORY, None
    return False, DecisionReason.INSTITUTION_KIND, None


def decide_from_grants(
    grants: Iterable,
    *,
    film_status: str,
    film_withdrawn_on: datetime.date | None,
    territory: str,
    kind: str,
    medium: str,
    on: datetime.date,
    usage: int | None = None,
) -> Decision:
    """The decision from grants already in memory (any objects with the grant fields and
    their contract's, as `grants_for_decision` reads them); grants of other media are
    ignored. `usage` counts uses in `on`'s year."""
    grants = [g for g in grants if g.medium == medium]
    withdrawn_on = film_withdrawn_on if film_status == WITHDRAWN else None
    common = {"withdrawn_on": withdrawn_on, "territory": territory, "kind": kind}

    def at(day):
        used = usage if day.year == on.year else 0
        return _evaluate(grants, medium=medium, day=day, used=used, **common)

    allowed, reason, grant = at(on)
    changes = {withdrawn_on} if withdrawn_on else set()
    for other in grants:
        changes.update((other.starts_on, other.holdback_until, other.contract_terminated_on))
        if other.ends_on is not None:
            changes.add(other.ends_on + _ONE_DAY)
    if usage:
        changes.add(datetime.date(on.year + 1, 1, 1))
    valid_until = None
    for day in sorted(d for d in changes if d is not None and d > on):
        if at(day)[:2] != (allowed, reason):
            valid_until = day - _ONE_DAY
            break
    terms = {}
    if allowed:
        terms = {
            "max_concurrent_streams": grant.max_concurrent_streams,
            "screening_quality": grant.screening_quality,
        }
    return Decision(allowed, str(reason), valid_until, grant.id if grant else None, **terms)


# --- reading the grants ----------------------------------------------------------------


def institution_profile(institution) -> tuple[str, str]:
    """(territory, kind) by which an institution (a library or a network) is judged."""
    return territory_of_department(institution.department_code), institution.kind


def _day(on: datetime.date | None) -> datetime.date:
    return on if on is not None else timezone.localdate()


def decide(
    institution, film, medium: str, *, on: datetime.date | None = None, usage: int | None = None
) -> Decision:
    """May `institution` use `film` on `medium` on the day `on` (today in Paris)?

    `usage`: public screenings of this film the institution already used in `on`'s year
    (checked against the grant's cap); see the module docstring."""
    day = _day(on)
    territory, kind = institution_profile(institution)
    if usage is None:
        usage = (_usage_from_providers(institution, [film.pk], medium, day.year) or {}).get(film.pk)
    grants = grants_for_decision(film_id=film.pk, medium=medium)
    return decide_from_grants(
        grants,
        film_status=film.status,
        film_withdrawn_on=film.withdrawn_on,
        territory=territory,
        kind=kind,
        medium=medium,
        on=day,
        usage=usage,
    )


def decide_many(
    institution,
    films: Sequence,
    media: str | Iterable[str] | None = None,
    *,
    on: datetime.date | None = None,
    usage: Mapping[int, int] | None = None,
) -> dict[int, dict[str, Decision]]:
    """`{film_id: {medium: Decision}}` for a page of films, in one query for the grants
    (plus one per registered usage provider when public screenings are asked), whatever
    the number of films; the same answers as `decide` on each. `media` defaults to every
    medium. `usage`: `{film id: public screenings used in the year}` — a film left out of
    it has its cap unchecked (`{}`: the rights alone, whatever the caps); `None` asks the
    registered usage providers."""
    day = _day(on)
    if media is None:
        media = list(Medium.values)
    elif isinstance(media, str):
        media = [media]
    territory, kind = institution_profile(institution)
    film_ids = [film.pk for film in films]
    by_film: dict[int, list] = defaultdict(list)
    if film_ids:
        for grant in grants_for_decision(film_id__in=film_ids, medium__in=media):
            by_film[grant.film_id].append(grant)
    answers: dict[int, dict[str, Decision]] = {}
    for medium in media:
        counts = usage
        if counts is None:
            counts = _usage_from_providers(institution, film_ids, medium, day.year) or {}
        for film in films:
            answers.setdefault(film.pk, {})[medium] = decide_from_grants(
                by_film.get(film.pk, ()),
                film_status=film.status,
                film_withdrawn_on=film.withdrawn_on,
                territory=territory,
                kind=kind,
                medium=medium,
                on=day,
                usage=counts.get(film.pk) if medium == Medium.PUBLIC_SCREENING else None,
            )
    return answers
