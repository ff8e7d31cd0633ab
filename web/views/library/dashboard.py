"""The library's dashboard: its subscription (its own or its network's) and the day it
ends, the screening credits left, streaming use against the caps with the 70/80/90/100 %
alerts, the films it uses that are leaving soon, and what needs doing. Every figure comes
from the apps' selectors and services; a constant number of queries."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from media.services.screenings import screening_days_downloadable
from notices import selectors as notice_selectors
from notices.models import UseReason
from orders import selectors as order_selectors
from orders.models import Order
from subscriptions import selectors as subscription_selectors
from subscriptions.models import CapAlert, Invoice, ScreeningBooking
from subscriptions.services.quotas import subscription_usage
from web.views.library.access import library_staff_required


def subscriptions_of(library, today) -> list[dict]:
    covering = list(
        subscription_selectors.subscriptions_covering(library=library, on=today).select_related(
            "subscriber"
        )
    )
    balances = subscription_selectors.credit_balances(
        s.pk for s in covering if s.plan.screenings_per_year
    )
    return [
        {
            "subscription": s,
            "own": s.subscriber_id == library.pk,
            "credits": balances.get(s.pk),
            "days_left": (s.ends_on - today).days,
        }
        for s in covering
    ]


def _streaming(library, subscriptions, today) -> dict | None:
    """Use of the streaming subscription covering the library: its own row (a library),
    or each member's (a network)."""
    streaming = next(
        (
            row["subscription"]
            for row in subscriptions
            if row["subscription"].plan.includes_streaming
        ),
        None,
    )
    if streaming is None:
        return None
    usage = subscription_usage(subscription=streaming, on=today)
    rows = usage["libraries"]
    if library.is_network:
        # a network's members, the most used first (a network may have a hundred), each
        # with the highest alert it reached
        rows = sorted(rows, key=lambda row: (-row["films_this_year"], row["name"]))
    else:
        rows = [row for row in rows if row["library"] == library.pk]
    annual = usage["library_annual_films"]
    for row in rows:
        row["percent"] = min(100, row["films_this_year"] * 100 // annual) if annual else None
        row["alerts"] = [
            {"threshold": t, "reached": t in row["annual_alerts"]} for t in CapAlert.THRESHOLDS
        ]
    return {"subscription": streaming, "usage": usage, "rows": rows}


def _leaving(library, today) -> list[dict]:
    """Films the library uses (a screening booked, a DVD order open, recent views, a
    selection) that leave one of its media within the notice period."""
    if library.is_network:
        return []
    rows = notice_selectors.leaving_soon_for(library, today=today)
    if not rows:
        return []
    users = notice_selectors.film_users({row["film"].pk for row in rows}, today=today)
    used = users.get(library.pk, {})
    labels = dict(UseReason.choices)
    return [
        {**row, "reasons": [str(labels[r]) for r in sorted(used[row["film"].pk])]}
        for row in rows
        if row["film"].pk in used
    ]


def _to_do(user, today) -> dict:
    first, last = screening_days_downloadable(today)
    bookings = subscription_selectors.bookings_visible_to(user).filter(
        status=ScreeningBooking.Status.BOOKED
    )
    return {
        "invoices": list(
            subscription_selectors.invoices_visible_to(user).filter(status=Invoice.Status.ISSUED)
        ),
        "shipped": list(
            order_selectors.orders_visible_to(user)
            .filter(status=Order.Status.SHIPPED)
            .order_by("-shipped_at")
        ),
        "downloads": list(
            bookings.filter(starts_at__date__gte=first, starts_at__date__lte=last).order_by(
                "starts_at"
            )
        ),
        "attendance": list(
            bookings.filter(starts_at__lt=timezone.now()).order_by("starts_at")[:10]
        ),
    }


@require_GET
@library_staff_required
def dashboard(request):
    today = timezone.localdate()
    library = request.user.institution
    subscriptions = subscriptions_of(library, today)
    to_do = _to_do(request.user, today)
    return render(
        request,
        "web/library/dashboard.html",
        {
            "library": library,
            "today": today,
            "subscriptions": subscriptions,
            "streaming": _streaming(library, subscriptions, today),
            "leaving": _leaving(library, today),
            "notice_days": notice_selectors.horizon_days(),
            "to_do": to_do,
            "nothing_to_do": not any(to_do.values()),
            "page_title": _("Dashboard"),
            "library_section": "dashboard",
            "nav_section": "library",
        },
    )
