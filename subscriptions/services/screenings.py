"""Public screenings: booking against a subscription's credits, cancellation (the credit
comes back only before the date), and the attendance report after the screening."""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from backend.errors import ApplicationError
from catalogue import cache as catalogue_cache
from catalogue.models import Film
from institutions.locks import lock_institution
from institutions.models import Institution
from rights.decisions import decide
from rights.models import Medium
from subscriptions.errors import ScreeningErrorCode
from subscriptions.locks import lock_booking, lock_subscriptions
from subscriptions.models import ScreeningBooking, ScreeningCreditEntry
from subscriptions.selectors import credit_balance, screenings_used, subscriptions_covering

PUBLIC_SCREENING = Medium.PUBLIC_SCREENING


def _usage_changed(library_id: int) -> None:
    """Once the transaction commits, the library's pages of films are computed again
    (their rights summary counts its screenings against the yearly caps) — its pages
    only: nobody else's summary, nor what a worker remembers for playback, depends on it."""
    transaction.on_commit(partial(catalogue_cache.institution_changed, library_id))


@transaction.atomic
def booking_create(
    *,
    library: Institution,
    film: Film,
    starts_at: datetime.datetime,
    venue: str,
    expected_audience: int,
    booked_by: User | None = None,
    now: datetime.datetime | None = None,
) -> ScreeningBooking:
    """Book a public screening. Accepted only if, on that day, a subscription covers the
    library, it has a credit left, and the rights engine allows `public_screening` for the
    library — counting the screenings of the film it already booked that year against the
    grant's yearly cap. Each refusal names its condition with a reason code and consumes
    nothing.

    The library's row is locked first, then the covering subscriptions': the year's
    screenings are counted and the credits summed while they are held, so concurrent
    bookings can never pass the cap nor spend more credits than the ledger holds.
    """
    now = now or timezone.now()
    if starts_at <= now:
        raise ApplicationError(
            ScreeningErrorCode.DATE_IN_PAST,
            _("A screening can only be booked for a future date."),
            field="starts_at",
        )
    on = timezone.localdate(starts_at)
    covering = [
        s.pk for s in subscriptions_covering(library=library, on=on) if s.plan.screenings_per_year
    ]
    if not covering:
        raise ApplicationError(
            ScreeningErrorCode.NO_SUBSCRIPTION,
            _("No active subscription or discovery pack covers this library on that date."),
            extra={"condition": "subscription"},
        )
    lock_institution(library.pk)
    locked = lock_subscriptions(covering)
    used = screenings_used(
        institution=library, film_ids=[film.pk], medium=PUBLIC_SCREENING, year=on.year
    )
    decision = decide(library, film, PUBLIC_SCREENING, on=on, usage=used.get(film.pk, 0))
    if not decision.allowed:
        raise ApplicationError(
            decision.reason,
            _("The rights of this film do not allow a public screening here on that date."),
            extra={"condition": "rights", "valid_until": decision.valid_until},
        )
    subscription = next((locked[pk] for pk in sorted(locked) if credit_balance(pk) > 0), None)
    if subscription is None:
        raise ApplicationError(
            ScreeningErrorCode.NO_CREDIT_LEFT,
            _("No screening credit is left for this subscription year."),
            extra={"condition": "credits"},
        )
    booking = ScreeningBooking(
        library=library,
        subscription=subscription,
        film=film,
        starts_at=starts_at,
        venue=venue,
        expected_audience=expected_audience,
        booked_by=booked_by,
    )
    booking.full_clean()
    booking.save()
    ScreeningCreditEntry.objects.create(
        subscription=subscription,
        kind=ScreeningCreditEntry.Kind.BOOKING,
        quantity=-1,
        booking=booking,
        created_by=booked_by,
    )
    _usage_changed(library.pk)
    return booking


def _lock_booking(booking: ScreeningBooking) -> ScreeningBooking:
    lock_subscriptions([booking.subscription_id])
    return lock_booking(booking.pk)


@transaction.atomic
def booking_cancel(
    *, booking: ScreeningBooking, by: User | None = None, now: datetime.datetime | None = None
) -> ScreeningBooking:
    """Cancel a booking; before the screening the credit comes back, after it, not."""
    now = now or timezone.now()
    booking = _lock_booking(booking)
    if booking.status != ScreeningBooking.Status.BOOKED:
        raise ApplicationError(
            ScreeningErrorCode.NOT_CANCELLABLE,
            _("Only a booked screening can be cancelled."),
            status=409,
        )
    booking.status = ScreeningBooking.Status.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    _usage_changed(booking.library_id)
    if booking.starts_at > now:
        ScreeningCreditEntry.objects.create(
            subscription_id=booking.subscription_id,
            kind=ScreeningCreditEntry.Kind.REFUND,
            quantity=1,
            booking=booking,
            created_by=by,
        )
    return booking


@transaction.atomic
def booking_report_attendance(
    *,
    booking: ScreeningBooking,
    attendance: int,
    now: datetime.datetime | None = None,
) -> ScreeningBooking:
    """After the screening, the library reports how many people came (for statistics)."""
    now = now or timezone.now()
    booking = _lock_booking(booking)
    if booking.status == ScreeningBooking.Status.CANCELLED:
        raise ApplicationError(
            ScreeningErrorCode.NOT_CANCELLABLE,
            _("A cancelled screening has no attendance."),
            status=409,
        )
    if booking.starts_at > now:
        raise ApplicationError(
            ScreeningErrorCode.NOT_YET_HELD,
            _("The attendance can be reported once the screening has taken place."),
            status=409,
        )
    booking.status = ScreeningBooking.Status.HELD
    booking.actual_attendance = attendance
    booking.save(update_fields=["status", "actual_attendance"])
    return booking
