"""Demo usage, so that `make run` shows statistics, COUNTER reports, the most-watched
collection and the territorial breakdown with something in them; and a SUSHI credential
for the demo library with a known requestor id and key (printed by `demo_logins`).

Viewing: a few pseudonymous patrons at the demo library and at four other members of the
demo network, each with a coarse home area (mostly the library's department, some the
region, a few elsewhere or undeclared), who watched films their library may stream (the
rights engine decides) during the current subscription, up to yesterday. Each view is an
ended playback session and its view event, as the player's reports would leave them, and
the film counted for the patron (a streaming loan, once per viewing window) as the
playback start counts it — so fair use holds: the network's subscription caps each
member's films a year (`library_annual_films`, set so that the demo library has used
about 85 % of it: its dashboard shows the 70 and 80 % alerts, with the alerts' rows), a
view that the patron's monthly quota or the cap would have refused is not there.
Like the demo passwords, all of this is public demo data: never seed a production
database. Safe to run twice: nothing is done when the demo patrons exist."""

from __future__ import annotations

import datetime
import math
from collections import Counter

from django.utils import timezone

from accounts.models import User
from catalogue.models import Film
from demo import plan
from institutions.demo import DEMO_LIBRARY_CODE, DEMO_NETWORK_CODE
from institutions.geography import DEPARTMENT_REGION
from institutions.models import Institution, NetworkMembership
from media.models import PlaybackSession, StreamMedium, ViewEvent
from media.services.playback import viewer_pseudonym
from rights.decisions import decide_many
from stats.models import SushiCredential
from stats.services import sushi_key_digest
from subscriptions.models import CapAlert, Patron, StreamingLoan
from subscriptions.selectors import subscriptions_covering
from subscriptions.services.patrons import card_digest
from subscriptions.services.quotas import subscription_quotas_set

DEMO_SUSHI_REQUESTOR_ID = "demo-requestor"
DEMO_SUSHI_API_KEY = "demo-sushi-key-2017"

LIBRARIES = 5
PATRONS_PER_LIBRARY = 12
VIEWS_PER_PATRON = 9
FILMS_WATCHED = 40
VIEWER_PREFIX = "demo-viewer-"
#: the share of its annual cap the demo library has used (%)
DEMO_CAP_SHARE = 85


def seed(ctx: plan.DemoContext) -> None:
    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    if library is None:
        return
    _seed_sushi_credential(ctx, library)
    _seed_viewing(ctx, library)


def _seed_sushi_credential(ctx, library) -> None:
    _credential, created = SushiCredential.objects.get_or_create(
        requestor_id=DEMO_SUSHI_REQUESTOR_ID,
        defaults={
            "institution": library,
            "key_digest": sushi_key_digest(DEMO_SUSHI_API_KEY),
            "label": "demo",
        },
    )
    if created:
        ctx.say(f"stats: SUSHI credential {DEMO_SUSHI_REQUESTOR_ID} for {library.code}")


def _home_area(rng, library) -> str:
    """Mostly the library's department; some another department of its region, a few
    elsewhere, a few undeclared (a department code: never finer than a commune)."""
    draw = rng.random()
    if draw < 0.6 or not library.department_code:
        return library.department_code or ""
    if draw < 0.8:
        same_region = sorted(
            d for d, r in DEPARTMENT_REGION.items() if r == library.region_code
        ) or [library.department_code]
        return rng.choice(same_region)
    if draw < 0.92:
        return rng.choice(sorted(DEPARTMENT_REGION))
    return ""


def _seed_viewing(ctx, library) -> None:
    if User.objects.filter(username__startswith=VIEWER_PREFIX).exists():
        return
    today = timezone.localdate()
    members = list(
        Institution.objects.filter(
            pk__in=NetworkMembership.objects.filter(network__code=DEMO_NETWORK_CODE)
            .exclude(library=library)
            .values("library_id")
        ).order_by("code")[: LIBRARIES - 1]
    )
    rng = ctx.random("stats-viewing")
    films = list(Film.objects.filter(status=Film.Status.IN_CATALOGUE).order_by("reference")[:400])
    sessions, events, users, patrons = [], [], [], []
    for institution in [library, *members]:
        subscription = next(
            (
                s
                for s in subscriptions_covering(library=institution, on=today)
                if s.plan.includes_streaming
            ),
            None,
        )
        if subscription is None:
            continue
        decisions = decide_many(institution, films, [StreamMedium.HOME], on=today)
        streamable = [f for f in films if decisions[f.pk][StreamMedium.HOME].allowed]
        watched = rng.sample(streamable, min(FILMS_WATCHED, len(streamable)))
        first_day = max(subscription.starts_on, today - datetime.timedelta(days=365))
        days = (today - first_day).days
        if not watched or days < 1:
            continue
        for number in range(PATRONS_PER_LIBRARY):
            user = User(
                username=f"{VIEWER_PREFIX}{institution.code.lower()}-{number:02d}",
                role=User.Role.PATRON,
                institution=institution,
            )
            user.set_unusable_password()
            users.append(user)
            patrons.append(
                Patron(
                    user=user,
                    institution=institution,
                    card_digest=card_digest(
                        institution=institution, card=f"DEMO-{institution.code}-{number:02d}"
                    ),
                    home_area=_home_area(rng, institution),
                )
            )
            for _view in range(rng.randint(1, 2 * VIEWS_PER_PATRON)):
                film = rng.choice(watched)
                started = timezone.make_aware(
                    datetime.datetime.combine(
                        first_day + datetime.timedelta(days=rng.randrange(days)),
                        datetime.time(rng.randint(9, 22), rng.randrange(60)),
                    )
                )
                seconds = rng.randint(120, max(180, (film.runtime_minutes or 60) * 60))
                medium = StreamMedium.ONSITE if rng.random() < 0.2 else StreamMedium.HOME
                ended = started + datetime.timedelta(seconds=seconds)
                session = PlaybackSession(
                    film=film,
                    user=user,
                    institution=institution,
                    subscription=subscription,
                    medium=medium,
                    started_at=started,
                    last_heartbeat_at=ended,
                    ended_at=ended,
                    seconds_watched=seconds,
                )
                sessions.append(session)
                events.append((session, user, film, institution, medium, seconds, started))
    events, loans, capped = _fair_use(events, library)
    sessions = [event[0] for event in events]
    User.objects.bulk_create(users)
    for patron in patrons:
        patron.user_id = patron.user.pk
    Patron.objects.bulk_create(patrons)
    for session in sessions:
        session.user_id = session.user.pk
    PlaybackSession.objects.bulk_create(sessions)
    for loan in loans:
        loan.user_id = loan.user.pk
    StreamingLoan.objects.bulk_create(loans)
    if capped is not None:
        subscription, cap = capped
        subscription_quotas_set(subscription=subscription, library_annual_films=cap)
        CapAlert.objects.bulk_create(_cap_alerts(loans, subscription, cap))
    ViewEvent.objects.bulk_create(
        ViewEvent(
            session=session,
            film=film,
            institution=institution,
            viewer_pseudonym=viewer_pseudonym(user),
            medium=medium,
            seconds_watched=seconds,
            started_at=started,
        )
        for session, user, film, institution, medium, seconds, started in events
    )
    ctx.say(
        f"stats: {len(patrons)} demo patrons at {len({p.institution_id for p in patrons})}"
        f" libraries, {len(events)} views, {len(loans)} films counted"
        + (f", annual cap {capped[1]} films a library" if capped else "")
    )


def _fair_use(events: list, library) -> tuple[list, list[StreamingLoan], tuple | None]:
    """(the views the playback start would have allowed, their streaming loans, (the
    demo library's subscription, the annual cap set on it)). A film is counted once per
    viewing window; a patron's monthly quota refuses the next film; the cap is set from
    the demo library's use (DEMO_CAP_SHARE % of it), then refuses the other members'
    films past it, as the playback start would."""
    by_library: dict[int, list] = {}
    for event in sorted(events, key=lambda e: (e[6], e[1].username)):
        by_library.setdefault(event[3].pk, []).append(event)
    kept, loans, capped = [], [], None
    for institution_id in sorted(by_library, key=lambda pk: (pk != library.pk, pk)):
        windows: dict[tuple, datetime.datetime] = {}
        per_month: Counter = Counter()
        used = 0
        for event in by_library[institution_id]:
            session, user, film, institution, _medium, _seconds, started = event
            subscription = session.subscription
            key = (user.username, film.pk)
            if key in windows and started < windows[key]:
                kept.append(event)  # within the viewing window: not counted again
                continue
            month = (user.username, timezone.localtime(started).strftime("%Y-%m"))
            quota = subscription.patron_monthly_films
            if quota is not None and per_month[month] >= quota:
                continue
            if capped is not None and capped[0].pk == subscription.pk and used >= capped[1]:
                continue
            window_ends = started + datetime.timedelta(hours=subscription.viewing_window_hours)
            loans.append(
                StreamingLoan(
                    subscription=subscription,
                    library=institution,
                    user=user,
                    film=film,
                    started_at=started,
                    window_ends_at=window_ends,
                    day=timezone.localtime(started).date(),
                )
            )
            windows[key] = window_ends
            per_month[month] += 1
            used += 1
            kept.append(event)
        if institution_id == library.pk and used:
            subscription = by_library[institution_id][0][0].subscription
            capped = (subscription, math.ceil(used * 100 / DEMO_CAP_SHARE))
    return kept, loans, capped


def _cap_alerts(loans: list[StreamingLoan], subscription, cap: int) -> list[CapAlert]:
    """The alerts the playback start wrote as each library's use crossed 70, 80, 90 and
    100 % of the cap (the moment of the film that crossed it)."""
    alerts = []
    by_library: dict[int, list[StreamingLoan]] = {}
    for loan in loans:
        if loan.subscription.pk == subscription.pk:
            by_library.setdefault(loan.library.pk, []).append(loan)
    for library_loans in by_library.values():
        library_loans.sort(key=lambda loan: loan.started_at)
        for threshold in CapAlert.THRESHOLDS:
            crossing = math.ceil(threshold * cap / 100)
            if len(library_loans) >= crossing:
                alerts.append(
                    CapAlert(
                        subscription=subscription,
                        library=library_loans[0].library,
                        threshold=threshold,
                        used=crossing,
                        cap=cap,
                        reached_at=library_loans[crossing - 1].started_at,
                    )
                )
    return alerts
