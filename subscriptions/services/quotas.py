"""Fair use of streaming, checked on the server in the transaction that records a start.

`streaming_loan_claim` runs inside `media.services.playback.playback_start`, under the
subscription's row lock: a film the patron started within its viewing window is not
counted again; otherwise the patron's monthly quota and the library's daily and annual
caps are checked against the loans already counted, and a loan is recorded. Concurrent
starts under one subscription wait on the lock, so they cannot exceed a cap together.
Months and days are calendar ones in Europe/Paris. Reaching 70/80/90/100 % of an annual
cap records an alert (once per threshold) and e-mails the library's staff after commit.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from backend.errors import ApplicationError
from subscriptions.errors import QuotaErrorCode
from subscriptions.models import CapAlert, StreamingLoan, Subscription


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _refuse(code: str, message: str, *, used: int, limit: int, resets_on) -> ApplicationError:
    return ApplicationError(
        code,
        message,
        status=429,
        extra={"used": used, "limit": limit, "resets_on": resets_on.isoformat()},
    )


def streaming_loan_claim(
    *, subscription: Subscription, user, library, film, now: datetime.datetime
) -> StreamingLoan | None:
    """Count this start against the quotas, or refuse it (429 `patron_quota`,
    `library_daily_cap`, `library_annual_cap`, with the day it resets). `None` when the
    film is still within the patron's viewing window. Call it with the subscription
    locked (`subscriptions.locks.lock_subscriptions`)."""
    if StreamingLoan.objects.filter(user=user, film=film, window_ends_at__gt=now).exists():
        return None
    today = timezone.localdate(now)
    month_start = today.replace(day=1)
    patron_month = Q(user=user, day__gte=month_start)
    library_year = Q(subscription=subscription, library=library)
    # only the loans counted (two index ranges), not the whole table
    counts = StreamingLoan.objects.filter(patron_month | library_year).aggregate(
        patron_month=Count("pk", filter=patron_month),
        library_day=Count("pk", filter=library_year & Q(day=today)),
        library_year=Count("pk", filter=library_year),
    )
    quota = subscription.patron_monthly_films
    if quota is not None and counts["patron_month"] >= quota:
        raise _refuse(
            QuotaErrorCode.PATRON_QUOTA,
            _("You have watched your %(quota)s films of the month; more from %(day)s.")
            % {"quota": quota, "day": _next_month(today).isoformat()},
            used=counts["patron_month"],
            limit=quota,
            resets_on=_next_month(today),
        )
    daily = subscription.library_daily_films
    if daily is not None and counts["library_day"] >= daily:
        raise _refuse(
            QuotaErrorCode.LIBRARY_DAILY_CAP,
            _("Your library has used its %(cap)s films of the day; more tomorrow.")
            % {"cap": daily},
            used=counts["library_day"],
            limit=daily,
            resets_on=today + datetime.timedelta(days=1),
        )
    annual = subscription.library_annual_films
    if annual is not None and counts["library_year"] >= annual:
        renews = subscription.ends_on + datetime.timedelta(days=1)
        raise _refuse(
            QuotaErrorCode.LIBRARY_ANNUAL_CAP,
            _("Your library has used the %(cap)s films of its subscription year (until %(day)s).")
            % {"cap": annual, "day": subscription.ends_on.isoformat()},
            used=counts["library_year"],
            limit=annual,
            resets_on=renews,
        )
    loan = StreamingLoan.objects.create(
        subscription=subscription,
        library=library,
        user=user,
        film=film,
        started_at=now,
        window_ends_at=now + datetime.timedelta(hours=subscription.viewing_window_hours),
        day=today,
    )
    if annual:
        _alert_thresholds(
            subscription, library, used=counts["library_year"] + 1, cap=annual, now=now
        )
    return loan


def _alert_thresholds(subscription, library, *, used: int, cap: int, now) -> None:
    reached = [t for t in CapAlert.THRESHOLDS if used * 100 >= t * cap]
    if not reached:
        return
    known = set(
        CapAlert.objects.filter(subscription=subscription, library=library).values_list(
            "threshold", flat=True
        )
    )
    new = [
        CapAlert.objects.create(
            subscription=subscription,
            library=library,
            threshold=threshold,
            used=used,
            cap=cap,
            reached_at=now,
        )
        for threshold in reached
        if threshold not in known
    ]
    if new:
        transaction.on_commit(partial(_send_cap_alert, new[-1].pk))


def _send_cap_alert(alert_id: int) -> int:
    alert = CapAlert.objects.select_related("library", "subscription").get(pk=alert_id)
    recipients = account_selectors.institution_recipients(alert.library)
    if not recipients:
        return 0
    values = {
        "library": alert.library.name,
        "threshold": alert.threshold,
        "used": alert.used,
        "cap": alert.cap,
        "until": alert.subscription.ends_on.isoformat(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        return send_mail(
            _("Streaming: %(threshold)s %% of the annual cap reached") % values,
            _(
                "%(library)s has used %(used)s of its %(cap)s films for the subscription "
                "year (until %(until)s): %(threshold)s %% of the cap."
            )
            % values,
            None,
            recipients,
        )


@transaction.atomic
def subscription_quotas_set(*, subscription: Subscription, **fields) -> Subscription:
    """Set the fair-use limits of a subscription (empty: no limit)."""
    from subscriptions.locks import lock_subscriptions

    subscription = lock_subscriptions([subscription.pk])[subscription.pk]
    for name in (
        "patron_monthly_films",
        "library_daily_films",
        "library_annual_films",
        "viewing_window_hours",
    ):
        if name in fields:
            setattr(subscription, name, fields[name])
    subscription.full_clean()
    subscription.save()
    return subscription


def subscription_usage(*, subscription: Subscription, on: datetime.date | None = None) -> dict:
    """Current use against every quota and cap, per library the subscription covers
    (each member for a network): three queries whatever the number of libraries."""
    from subscriptions.selectors import libraries_covered

    on = on or timezone.localdate()
    month_start = on.replace(day=1)
    libraries = list(libraries_covered(subscription=subscription, on=on))
    loans = StreamingLoan.objects.filter(subscription=subscription)
    per_library = {
        row["library_id"]: row
        for row in loans.values("library_id").annotate(
            today=Count("pk", filter=Q(day=on)),
            year=Count("pk"),
            month=Count("pk", filter=Q(day__gte=month_start)),
        )
    }
    at_quota: dict[int, int] = {}
    if subscription.patron_monthly_films is not None:
        rows = (
            loans.filter(day__gte=month_start)
            .values("library_id", "user_id")
            .annotate(n=Count("pk"))
            .filter(n__gte=subscription.patron_monthly_films)
        )
        for row in rows:
            at_quota[row["library_id"]] = at_quota.get(row["library_id"], 0) + 1
    alerts: dict[int, list[int]] = {}
    for library_id, threshold in CapAlert.objects.filter(subscription=subscription).values_list(
        "library_id", "threshold"
    ):
        alerts.setdefault(library_id, []).append(threshold)
    return {
        "subscription": subscription.pk,
        "on": on,
        "patron_monthly_films": subscription.patron_monthly_films,
        "library_daily_films": subscription.library_daily_films,
        "library_annual_films": subscription.library_annual_films,
        "viewing_window_hours": subscription.viewing_window_hours,
        "libraries": [
            {
                "library": library.pk,
                "name": library.name,
                "films_today": per_library.get(library.pk, {}).get("today", 0),
                "films_this_month": per_library.get(library.pk, {}).get("month", 0),
                "films_this_year": per_library.get(library.pk, {}).get("year", 0),
                "patrons_at_monthly_quota": at_quota.get(library.pk, 0),
                "annual_alerts": sorted(alerts.get(library.pk, [])),
            }
            for library in libraries
        ],
    }


def patron_quota_status(*, user, now: datetime.datetime | None = None) -> dict:
    """A patron's own month: films counted, the quota of the subscription covering their
    library (None: no limit), the day it resets, and the films they may restart without
    being counted again (with the end of each window)."""
    from subscriptions.services.patrons import patron_streaming_subscription

    now = now or timezone.now()
    today = timezone.localdate(now)
    subscription = patron_streaming_subscription(user=user, on=today)
    loans = StreamingLoan.objects.filter(user=user)
    return {
        "patron_monthly_films": subscription.patron_monthly_films,
        "films_this_month": loans.filter(day__gte=today.replace(day=1)).count(),
        "resets_on": _next_month(today),
        "open_windows": [
            {"film": film_id, "until": until}
            for film_id, until in loans.filter(window_ends_at__gt=now)
            .order_by("window_ends_at")
            .values_list("film_id", "window_ends_at")
        ],
    }
