"""The monthly newsletter to each subscribing library's staff (Celery beat on the 1st, and
`manage.py send_newsletter [--month YYYY-MM]`): the published new films and favourites
the library may use, the films leaving it soon, and its own use of the month's streaming.

One HTML and one plain-text body rendered from Django templates in the site's language
(French), sent with `EmailMultiAlternatives`. A send is claimed by a unique row
(`NewsletterSend`, library × month) in the transaction that sends it: running the job
twice, or twice at once, sends each library's newsletter of a month once."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from editorial import selectors
from editorial.models import Collection, NewsletterSend
from institutions.models import Institution, NetworkMembership
from media.models import ViewEvent
from rights.models import Medium
from subscriptions.models import Subscription

logger = logging.getLogger(__name__)


def month_of(value: str) -> datetime.date:
    """The first day of the month written `YYYY-MM`; ValueError otherwise."""
    parsed = datetime.datetime.strptime(value, "%Y-%m").date()
    if not 2000 <= parsed.year <= 2100:
        raise ValueError(value)
    return parsed


def previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _month_bounds(month: datetime.date) -> selectors.Period:
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return selectors.Period(month, following - datetime.timedelta(days=1))


def subscribing_libraries(*, on: datetime.date):
    """The libraries covered on the day by an active subscription: subscribers that are
    libraries, and the members (that day) of subscribing networks."""
    active = Subscription.objects.filter(
        status=Subscription.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on
    ).values("subscriber_id")
    members = NetworkMembership.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on), joined_on__lte=on, network_id__in=active
    ).values("library_id")
    return Institution.objects.filter(
        Q(pk__in=active) | Q(pk__in=members), is_network=False
    ).order_by("pk")


def recipients_of(library: Institution) -> list[str]:
    """The library's staff (administrators and members) with an address, and its own."""
    return account_selectors.institution_recipients(library, all_staff=True)


def month_usage(library: Institution, month: datetime.date) -> dict:
    """The library's streaming in the month: views, distinct (pseudonymous) viewers and
    minutes watched, counted by the database in one aggregate query."""
    first, after = _month_bounds(month).bounds()
    totals = ViewEvent.objects.filter(
        institution=library, started_at__gte=first, started_at__lt=after
    ).aggregate(
        views=Count("id"),
        viewers=Count("viewer_pseudonym", distinct=True),
        seconds=Coalesce(Sum("seconds_watched"), 0),
    )
    return {
        "views": totals["views"],
        "viewers": totals["viewers"],
        "minutes": totals["seconds"] // 60,
    }


def _films_of(kind: str, audience, on: datetime.date) -> list[dict]:
    """The films of the collections of `kind` published on the day, as the library sees
    them (first appearance kept, in the editors' order)."""
    seen, films = set(), []
    collections = selectors.published_of_kind(kind, on=on)
    for block in selectors.collections_with_items(collections, audience, on=on):
        for item in block["items"]:
            if item["film"]["id"] not in seen:
                seen.add(item["film"]["id"])
                films.append({**item["film"], "note": item["note"]})
    return films


def newsletter_context(library: Institution, month: datetime.date, *, today=None) -> dict:
    today = today or timezone.localdate()
    audience = selectors.Audience(library, tuple(Medium.values))
    return {
        "library": library,
        "month": month,
        "new_films": _films_of(Collection.Kind.NEW_FILMS, audience, today),
        "favourites": _films_of(Collection.Kind.FAVOURITES, audience, today),
        "leaving": selectors.leaving_soon(audience, days=settings.WITHDRAWAL_NOTICE_DAYS, on=today),
        "leaving_days": settings.WITHDRAWAL_NOTICE_DAYS,
        "usage": month_usage(library, month),
        "frontend_url": settings.FRONTEND_BASE_URL,
    }


def newsletter_render(library: Institution, month: datetime.date, *, today=None) -> dict:
    """{"subject", "text", "html"} of a library's newsletter, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        context = newsletter_context(library, month, today=today)
        return {
            "subject": _("Documentary catalogue — newsletter of %(month)s")
            % {"month": date_format(month, "F Y")},
            "text": render_to_string("editorial/newsletter.txt", context),
            "html": render_to_string("editorial/newsletter.html", context),
        }


def newsletter_send(*, library: Institution, month: datetime.date, today=None) -> bool:
    """Send the month's newsletter to one library, once: False when it was already sent
    (or nobody at the library has an address: nothing is recorded, a later run retries)."""
    recipients = recipients_of(library)
    if not recipients:
        return False
    message = newsletter_render(library, month, today=today)
    try:
        with transaction.atomic():
            NewsletterSend.objects.create(institution=library, month=month, recipients=recipients)
            email = EmailMultiAlternatives(
                subject=message["subject"], body=message["text"], to=recipients
            )
            email.attach_alternative(message["html"], "text/html")
            email.send()
    except IntegrityError:
        return False
    return True


def newsletter_send_all(*, month: datetime.date | None = None, today=None) -> dict:
    """Send the newsletter of `month` (the previous month by default) to every library a
    subscription covers today; what was done, as counts."""
    today = today or timezone.localdate()
    month = month or previous_month(today)
    already = set(
        NewsletterSend.objects.filter(month=month).values_list("institution_id", flat=True)
    )
    sent = skipped = 0
    for library in subscribing_libraries(on=today).exclude(pk__in=already):
        if newsletter_send(library=library, month=month, today=today):
            sent += 1
        else:
            skipped += 1
    logger.info("newsletter %s: %s sent, %s without address", month, sent, skipped)
    return {
        "month": month.isoformat(),
        "sent": sent,
        "already_sent": len(already),
        "skipped": skipped,
    }
