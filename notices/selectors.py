"""Which films are leaving which libraries soon, and which libraries use which films.

"Leaving" is the rights engine's answer: a medium is leaving an institution when the
decision for it is `allowed` today and its `valid_until` falls within the horizon — a
grant ending, or its contract terminated from a coming day. Only films with a grant
ending (or terminated) within the horizon can be leaving, so the engine is asked
about those only (one query for the candidates, one for their grants)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from catalogue.models import Film
from media.models import ViewEvent
from notices.models import UseReason, WithdrawalNotice
from orders.models import Order, OrderLine
from rights.decisions import decide_many
from rights.models import Medium, RightsGrant
from subscriptions.models import ScreeningBooking

OPEN_ORDER_STATUSES = (Order.Status.CART, Order.Status.SUBMITTED, Order.Status.VALIDATED)

#: uses of films kept by the apps above notices, registered in their `AppConfig.ready()`
#: (editorial: a film in one of a library's own selections): reason -> provider, a
#: function of (film_ids, today) giving (institution_id, film_id) pairs in one query
_use_providers: dict[str, Callable[..., Iterable[tuple[int, int]]]] = {}


def register_film_use(reason: UseReason, provider) -> None:
    """Count `provider(film_ids, today=)`'s (institution_id, film_id) pairs as uses of
    those films, for `reason`: for an app above notices, which notices does not import."""
    _use_providers[reason] = provider


def horizon_days() -> int:
    return settings.WITHDRAWAL_NOTICE_DAYS


def candidate_films(*, today: datetime.date, days: int) -> list[Film]:
    """Films in the catalogue with a grant whose rights end between today and the
    horizon: by its own end date, or because its contract is terminated from a day up to
    the day after the horizon (the rights hold until the day before)."""
    horizon = today + datetime.timedelta(days=days)
    ending = RightsGrant.objects.filter(
        Q(ends_on__gte=today, ends_on__lte=horizon)
        | Q(
            contract__terminated_on__gt=today,
            contract__terminated_on__lte=horizon + datetime.timedelta(days=1),
        )
    ).values("film_id")
    return list(
        Film.objects.filter(pk__in=ending, status=Film.Status.IN_CATALOGUE)
        .only("pk", "reference", "title", "status", "withdrawn_on")
        .order_by("pk")
    )


def leaving(institution, films, *, today: datetime.date, days: int) -> list[dict]:
    """[{film, medium, last_day}] of `films` that `institution` may use today and no longer
    after `last_day` (within `days`), soonest first."""
    horizon = today + datetime.timedelta(days=days)
    rows = []
    # the rights ending, whatever the institution's use of a yearly cap: no usage counted
    decisions = decide_many(institution, films, Medium.values, on=today, usage={})
    by_id = {film.pk: film for film in films}
    for film_id, by_medium in decisions.items():
        for medium, decision in by_medium.items():
            if decision.allowed and decision.valid_until and decision.valid_until < horizon:
                rows.append(
                    {"film": by_id[film_id], "medium": medium, "last_day": decision.valid_until}
                )
    rows.sort(key=lambda row: (row["last_day"], row["film"].title, row["medium"]))
    return rows


def leaving_soon_for(institution, *, days: int | None = None, today=None) -> list[dict]:
    """What leaves `institution` within `days` days (default WITHDRAWAL_NOTICE_DAYS)."""
    today = today or timezone.localdate()
    days = horizon_days() if days is None else days
    return leaving(institution, candidate_films(today=today, days=days), today=today, days=days)


def film_users(film_ids, *, today: datetime.date) -> dict[int, dict[int, set[str]]]:
    """{institution_id: {film_id: reasons}}: the libraries that use these films — an
    upcoming screening booked, an open DVD order, views by their patrons within
    NOTICE_RECENT_VIEWS_DAYS, and what the apps above register (`register_film_use`: the
    film in one of their own selections). A query for each kind of use."""
    film_ids = list(film_ids)
    users: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    if not film_ids:
        return users
    for library_id, film_id in (
        ScreeningBooking.objects.filter(
            film_id__in=film_ids,
            status=ScreeningBooking.Status.BOOKED,
            starts_at__date__gte=today,
        )
        .values_list("library_id", "film_id")
        .distinct()
    ):
        users[library_id][film_id].add(UseReason.SCREENING_BOOKED)
    for library_id, film_id in (
        OrderLine.objects.filter(
            edition__film_id__in=film_ids, order__status__in=OPEN_ORDER_STATUSES
        )
        .values_list("order__library_id", "edition__film_id")
        .distinct()
    ):
        users[library_id][film_id].add(UseReason.DVD_ORDER_OPEN)
    since = timezone.now() - datetime.timedelta(days=settings.NOTICE_RECENT_VIEWS_DAYS)
    for institution_id, film_id in (
        ViewEvent.objects.filter(film_id__in=film_ids, started_at__gte=since)
        .values_list("institution_id", "film_id")
        .distinct()
    ):
        users[institution_id][film_id].add(UseReason.RECENT_VIEWS)
    for reason, provider in _use_providers.items():
        for institution_id, film_id in provider(film_ids, today=today):
            users[institution_id][film_id].add(reason)
    return users


def bookings_after(*, pairs, today: datetime.date) -> dict[tuple[int, int], list[tuple]]:
    """{(library_id, film_id): [(booking id, day)]} of booked screenings from today on."""
    found: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    library_ids = {library for library, _ in pairs}
    film_ids = {film for _, film in pairs}
    rows = ScreeningBooking.objects.filter(
        library_id__in=library_ids,
        film_id__in=film_ids,
        status=ScreeningBooking.Status.BOOKED,
        starts_at__date__gte=today,
    ).values_list("pk", "library_id", "film_id", "starts_at")
    for pk, library_id, film_id, starts_at in rows:
        found[(library_id, film_id)].append((pk, timezone.localdate(starts_at)))
    return found


def notices_visible_to(user):
    qs = WithdrawalNotice.objects.select_related("film", "institution")
    if user.is_cinema_staff:
        return qs
    return qs.filter(Q(institution_id=user.institution_id))
