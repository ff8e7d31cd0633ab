"""Reads of the subscriptions app: plans and quotes, who is covered by what, credit
balances, and the access helpers for subscriptions, bookings and patrons."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.access import get_or_not_found, scope_to_staff
from backend.errors import ApplicationError
from institutions.models import Institution, NetworkMembership
from institutions.selectors import institution_get_for, institution_private_get_for
from rights.models import Medium
from subscriptions.cards import card_digests
from subscriptions.errors import SubscriptionErrorCode
from subscriptions.gateways import stripe as stripe_gateway
from subscriptions.models import (
    Invoice,
    Patron,
    Plan,
    PriceTier,
    ScreeningBooking,
    ScreeningCreditEntry,
    Subscription,
    TariffGrid,
)

CENT = Decimal("0.01")


# --- plans and quotes -------------------------------------------------------------------
@dataclass(frozen=True)
class Quote:
    plan: Plan
    tier: PriceTier
    population_served: int
    price_excl_vat: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    price_incl_vat: Decimal


def plans_of_year(year: int) -> QuerySet[Plan]:
    return Plan.objects.filter(grid__year=year).select_related("grid").prefetch_related("tiers")


def grid_year_in_force(on: datetime.date) -> Subquery:
    """The year of the grid in force on a day (a subquery, evaluated with the query)."""
    return Subquery(
        TariffGrid.objects.filter(year__lte=on.year).order_by("-year").values("year")[:1]
    )


def grid_for(year: int) -> TariffGrid:
    """The grid of a year, or the latest earlier one when the year's grid is not out yet."""
    grid = TariffGrid.objects.filter(year__lte=year).order_by("-year").first()
    if grid is None:
        raise ApplicationError(SubscriptionErrorCode.NO_GRID, _("No tariff grid for this year."))
    return grid


def online_payment_available() -> bool:
    """Whether card and SEPA debit (Stripe Checkout) may be offered: Stripe is configured.
    Otherwise the only way to pay is the administrative invoice (purchase order and bank
    transfer), and a payment by Stripe would be refused with `payment_provider_error`."""
    return stripe_gateway.is_configured()


def plan_quote(*, plan: Plan, population_served: int) -> Quote:
    """The price of a plan for a subscriber serving this population, before and after VAT,
    with the tier that applied."""
    tier = (
        plan.tiers.filter(population_from__lte=population_served)
        .filter(Q(population_to__isnull=True) | Q(population_to__gte=population_served))
        .order_by("-population_from")
        .first()
    )
    if tier is None:
        raise ApplicationError(
            SubscriptionErrorCode.NO_TIER,
            _("No price tier of this plan covers a population of %(population)s.")
            % {"population": population_served},
            field="population",
        )
    vat_rate = plan.grid.vat_rate
    vat = (tier.price_excl_vat * vat_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(
        plan=plan,
        tier=tier,
        population_served=population_served,
        price_excl_vat=tier.price_excl_vat,
        vat_rate=vat_rate,
        vat_amount=vat,
        price_incl_vat=tier.price_excl_vat + vat,
    )


# --- coverage ---------------------------------------------------------------------------
def _member_on(on: datetime.date) -> Q:
    return Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


# --- the status a subscription is listed with ---------------------------------------------
def period_ended(subscription: Subscription, today: datetime.date) -> bool:
    return subscription.ends_on < today


def subscription_status(subscription: Subscription, today: datetime.date | None = None) -> str:
    """The status as it stands today: an active subscription whose period is over is
    expired, even before the daily job (`subscriptions_expire`) writes it."""
    today = today or timezone.localdate()
    if subscription.status == Subscription.Status.ACTIVE and period_ended(subscription, today):
        return Subscription.Status.EXPIRED
    return subscription.status


def with_current_status(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """`queryset` annotated with `current_status`: `subscription_status` as SQL (for the
    lists' status filter)."""
    today = today or timezone.localdate()
    return queryset.annotate(
        current_status=Case(
            When(
                status=Subscription.Status.ACTIVE,
                ends_on__lt=today,
                then=Value(Subscription.Status.EXPIRED),
            ),
            default=F("status"),
            output_field=CharField(),
        )
    )


def subscriber_ids_for(library: Institution, on: datetime.date) -> list[int]:
    """The institutions whose subscriptions may cover this library on that day: itself and
    the networks it belongs to that day."""
    networks = NetworkMembership.objects.filter(_member_on(on), library=library).values_list(
        "network_id", flat=True
    )
    return [library.pk, *networks]


def subscriptions_covering(
    *,
    library: Institution,
    on: datetime.date,
    status: str = Subscription.Status.ACTIVE,
    subscriber_ids: Iterable[int] | None = None,
) -> QuerySet[Subscription]:
    """Subscriptions that cover a library on a day (its own, or its networks').
    `subscriber_ids`: `subscriber_ids_for(library, on)` when the caller has it already."""
    if subscriber_ids is None:
        subscriber_ids = subscriber_ids_for(library, on)
    return (
        Subscription.objects.filter(
            subscriber_id__in=list(subscriber_ids),
            status=status,
            starts_on__lte=on,
            ends_on__gte=on,
        )
        .select_related("plan")
        .order_by("pk")
    )


def library_ids_with_streaming(*, library_ids, on: datetime.date) -> set[int]:
    """Of these libraries, those whose patrons may stream on that day: an active
    subscription including streaming covers them (their own, or a network's they belong
    to that day). Two queries for any number of libraries."""
    library_ids = list(library_ids)
    streaming = Subscription.objects.filter(
        status=Subscription.Status.ACTIVE,
        starts_on__lte=on,
        ends_on__gte=on,
        plan__includes_streaming=True,
    )
    own = set(
        streaming.filter(subscriber_id__in=library_ids).values_list("subscriber_id", flat=True)
    )
    through_networks = set(
        NetworkMembership.objects.filter(
            _member_on(on),
            library_id__in=library_ids,
            network_id__in=streaming.values("subscriber_id"),
        ).values_list("library_id", flat=True)
    )
    return own | through_networks


def libraries_covered(*, subscription: Subscription, on: datetime.date) -> QuerySet[Institution]:
    """The libraries a subscription covers on a day: the subscriber itself when it is a
    library, the network's members that day when it is a network."""
    if not subscription.subscriber.is_network:
        return Institution.objects.filter(pk=subscription.subscriber_id)
    members = NetworkMembership.objects.filter(
        _member_on(on), network_id=subscription.subscriber_id
    ).values("library_id")
    return Institution.objects.filter(pk__in=members)


#: the bookings that use a screening (a cancelled one gave it back)
SCREENINGS_USED = (ScreeningBooking.Status.BOOKED, ScreeningBooking.Status.HELD)
PUBLIC_SCREENING = Medium.PUBLIC_SCREENING


def screenings_used(*, institution, film_ids, medium, year: int) -> dict[int, int]:
    """{film id: public screenings of it the institution booked in the year (booked or
    held, not cancelled)}: what a grant's yearly cap counts. One query. The rights engine
    asks it (registered as its usage provider at start-up), and so does a booking, under
    the library's row lock."""
    if medium != PUBLIC_SCREENING:
        return {}
    rows = (
        ScreeningBooking.objects.filter(
            library=institution,
            film_id__in=list(film_ids),
            starts_at__year=year,
            status__in=SCREENINGS_USED,
        )
        .values("film_id")
        .annotate(used=Count("pk"))
        .values_list("film_id", "used")
    )
    return dict(rows)


def credit_balance(subscription_id: int) -> int:
    """Screening credits left: the sum of the ledger (take the subscription's row lock
    first when the answer decides a write)."""
    return ScreeningCreditEntry.objects.filter(subscription_id=subscription_id).aggregate(
        balance=Coalesce(Sum("quantity"), 0)
    )["balance"]


def credit_balances(subscription_ids) -> dict[int, int]:
    """{subscription id: screening credits left} for several subscriptions, in one query
    (the sums `credit_balance` takes one by one; for a page, not for a write)."""
    ids = list(subscription_ids)
    rows = (
        ScreeningCreditEntry.objects.filter(subscription_id__in=ids)
        .values("subscription_id")
        .annotate(balance=Sum("quantity"))
        .values_list("subscription_id", "balance")
    )
    return dict.fromkeys(ids, 0) | dict(rows)


# --- access -----------------------------------------------------------------------------
def _institution_ids_of(user) -> list[int]:
    from django.utils import timezone

    return subscriber_ids_for(user.institution, timezone.localdate())


def subscriptions_visible_to(user) -> QuerySet[Subscription]:
    """Cinema staff see every subscription; institution staff see their institution's and
    those of the networks that cover it; nobody else sees any."""
    qs = with_current_status(
        Subscription.objects.select_related("plan", "plan__grid", "subscriber", "tier")
    )
    if not user.is_authenticated or user.institution_id is None:
        return scope_to_staff(qs, user, Q(pk__in=[]))
    return scope_to_staff(qs, user, Q(subscriber_id__in=_institution_ids_of(user)))


def invoices_visible_to(user) -> QuerySet[Invoice]:
    """Cinema staff see every invoice; an institution's staff see the invoices addressed to
    their institution — not a network's, even when it covers them (the network pays)."""
    qs = Invoice.objects.select_related("subscription").order_by("-year", "-sequence")
    own = getattr(user, "institution_id", None)
    return scope_to_staff(qs, user, Q(subscription__subscriber_id=own))


def credit_entries_seen_by(user, subscription: Subscription) -> list:
    """The subscription's screening-credit ledger, oldest first. A network's credits are
    shared by its members: a member library's staff see every movement (the balance is
    their sum) but not which of the other members' bookings it was — `booking` and `note`
    are blank on those."""
    entries = list(
        subscription.credit_entries.annotate(booking_library_id=F("booking__library_id")).order_by(
            "created_at", "pk"
        )
    )
    if user.is_cinema_staff or user.institution_id == subscription.subscriber_id:
        return entries
    for entry in entries:
        if entry.booking_id is not None and entry.booking_library_id != user.institution_id:
            entry.booking_id, entry.note = None, ""
    return entries


def subscriber_get_for_purchase(user, subscriber_id) -> Institution:
    """The institution `user` may commit to a subscription or a pack for (ask a quote,
    pay, cancel, renew, set its quotas): any for the cinema staff; their own for an
    institution's administrator (another's: 404); refused to anyone else (403)."""
    if user.is_cinema_staff:
        return institution_get_for(user, subscriber_id)
    if not user.is_institution_admin:
        raise ApplicationError(
            "permission_denied",
            _("Only an institution administrator can commit it."),
            status=403,
        )
    return institution_private_get_for(user, subscriber_id)


def subscription_get_for(user, subscription_id) -> Subscription:
    return get_or_not_found(
        subscriptions_visible_to(user), subscription_id, _("No such subscription.")
    )


def bookings_visible_to(user) -> QuerySet[ScreeningBooking]:
    qs = ScreeningBooking.objects.select_related("film", "library", "subscription")
    return scope_to_staff(qs, user, Q(library_id=getattr(user, "institution_id", None)))


def booking_get_for(user, booking_id) -> ScreeningBooking:
    return get_or_not_found(bookings_visible_to(user), booking_id, _("No such screening booking."))


def patrons_visible_to(user) -> QuerySet[Patron]:
    qs = Patron.objects.select_related("user")
    return scope_to_staff(qs, user, Q(institution_id=getattr(user, "institution_id", None)))


def patron_get_for(user, patron_id) -> Patron:
    return get_or_not_found(patrons_visible_to(user), patron_id, _("No such patron."))


def patron_get_by_card(*, institution_code: str, card: str) -> Patron | None:
    """The patron registered (and not erased) at the library with that code under that card
    number — found under the current card pepper or a previous one — or None."""
    institution = Institution.objects.filter(code=institution_code).first()
    if institution is None:
        return None
    digests = card_digests(institution=institution, card=card)
    matches = {
        patron.card_digest: patron
        for patron in Patron.objects.select_related("user", "institution").filter(
            institution=institution, card_digest__in=digests, erased_at__isnull=True
        )
    }
    return next((matches[d] for d in digests if d in matches), None)
