"""Demo withdrawal notice: a film the demo library uses is leaving soon, so that its
dashboard's "leaving soon" part is not empty after `make run`. The film of the demo
library's upcoming public screening (`subscriptions.demo`) has its public-screening
grant end `LEAVING_IN_DAYS` days from the day of the seed, as a grant the rights holder
did not renew: the screening booked before that day still holds; a screening asked for
after it is refused by the rights engine, which says since when (`expired`). Safe to run
twice: a grant already ending by then is left as it is."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from demo import plan
from institutions.demo import DEMO_LIBRARY_CODE
from institutions.models import Institution
from rights.models import Medium, RightsGrant
from subscriptions.models import ScreeningBooking

LEAVING_IN_DAYS = 20


def seed(ctx: plan.DemoContext) -> None:
    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    if library is None:
        return
    booking = (
        ScreeningBooking.objects.filter(
            library=library,
            status=ScreeningBooking.Status.BOOKED,
            starts_at__gte=timezone.now(),
        )
        .select_related("film")
        .order_by("starts_at", "pk")
        .first()
    )
    if booking is None:
        return
    today = timezone.localdate()
    last_day = today + datetime.timedelta(days=LEAVING_IN_DAYS)
    grants = RightsGrant.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=last_day),
        film=booking.film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on__lte=today,
    )
    changed = 0
    for grant in grants:  # a film's few grants; saved one by one for their history
        grant.ends_on = last_day
        grant.save(update_fields=["ends_on"])
        changed += 1
    if changed:
        ctx.say(
            f"notices: {booking.film.reference} leaves public screening on {last_day} "
            f"for {library.code}"
        )
