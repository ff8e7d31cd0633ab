"""Demo subscriptions: a tariff grid per year since 2017, the 33 subscribers of 2017 (12
networks and 21 single libraries, covering 1,069 libraries) renewed every year since,
discovery packs, and public screenings (held ones in 2017, upcoming ones this year)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from catalogue.models import Film
from demo import plan
from institutions.demo import DEMO_LIBRARY_CODE
from institutions.models import Institution, NetworkMembership
from rights.decisions import decide_many
from rights.models import Medium
from subscriptions.cards import card_digest
from subscriptions.models import (
    Patron,
    Plan,
    PriceTier,
    ScreeningBooking,
    ScreeningCreditEntry,
    Subscription,
    TariffGrid,
)
from subscriptions.selectors import subscriptions_covering
from subscriptions.services.billing import invoice_issue
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create

#: (population from, population up to, price excl. VAT in 2017)
PLATFORM_TIERS_2017 = [
    (0, 5_000, "250.00"),
    (5_001, 15_000, "450.00"),
    (15_001, 50_000, "900.00"),
    (50_001, 150_000, "1600.00"),
    (150_001, 500_000, "2800.00"),
    (500_001, None, "4200.00"),
]
#: discovery pack size -> price excl. VAT in 2017: just above the price of one DVD
DISCOVERY_PACKS_2017 = {3: "45.00", 5: "55.00", 8: "65.00"}
PLATFORM_SCREENINGS = 12
PLATFORM_STREAMS = 10
YEARLY_INCREASE = Decimal("1.02")
VENUES = ["Auditorium", "Salle d'animation", "Espace multimédia", "Salle du conseil"]


def _price(base: str, year: int) -> Decimal:
    return (Decimal(base) * YEARLY_INCREASE ** (year - plan.YEAR)).quantize(Decimal("0.01"))


def _grids(last_year: int) -> dict[int, dict[str, Plan]]:
    plans: dict[int, dict[str, Plan]] = {}
    for year in range(plan.YEAR, last_year + 1):
        grid = TariffGrid.objects.create(year=year, vat_rate=Decimal("0.2000"))
        platform = Plan.objects.create(
            grid=grid,
            code="platform",
            name="Abonnement à la plateforme",
            kind=Plan.Kind.PLATFORM,
            screenings_per_year=PLATFORM_SCREENINGS,
            includes_streaming=True,
            max_concurrent_streams=PLATFORM_STREAMS,
        )
        PriceTier.objects.bulk_create(
            PriceTier(
                plan=platform,
                population_from=low,
                population_to=high,
                price_excl_vat=_price(p, year),
            )
            for low, high, p in PLATFORM_TIERS_2017
        )
        plans[year] = {"platform": platform}
        for size, price in DISCOVERY_PACKS_2017.items():
            pack = Plan.objects.create(
                grid=grid,
                code=f"discovery-{size}",
                name=f"Forfait découverte — {size} projections",
                kind=Plan.Kind.DISCOVERY,
                screenings_per_year=size,
            )
            PriceTier.objects.create(
                plan=pack, population_from=0, price_excl_vat=_price(price, year)
            )
            plans[year][pack.code] = pack
    return plans


def _tier_price(plan_obj: Plan, population: int) -> tuple[PriceTier, Decimal]:
    for tier in plan_obj.tiers.all():
        if tier.population_from <= population and (
            tier.population_to is None or population <= tier.population_to
        ):
            return tier, tier.price_excl_vat
    raise ValueError(population)


#: the demo patron's library card and PIN (printed by `demo_logins`: public demo data only)
DEMO_PATRON_CARD = "DEMO-0001"
DEMO_PATRON_PIN = "415926"


def _seed_demo_patron(ctx: plan.DemoContext) -> None:
    """The demo patron account signs in with a library card and PIN, as patrons do."""
    user = User.objects.filter(username="patron-demo", role=User.Role.PATRON).first()
    if user is None or user.institution is None or Patron.objects.filter(user=user).exists():
        return
    Patron.objects.create(
        user=user,
        institution=user.institution,
        card_digest=card_digest(institution=user.institution, card=DEMO_PATRON_CARD),
        home_area=user.institution.department_code,
    )
    user.set_password(DEMO_PATRON_PIN)
    user.save(update_fields=["password"])
    ctx.say(f"subscriptions: demo patron card {DEMO_PATRON_CARD} at {user.institution.code}")


def seed(ctx: plan.DemoContext) -> None:
    _seed_demo_patron(ctx)
    if TariffGrid.objects.exists():
        ctx.say("subscriptions: already present, skipped")
        return
    rng = ctx.random("subscriptions")
    scale = ctx.scale
    today = timezone.localdate()
    plans = _grids(today.year)
    for year_plans in plans.values():
        for plan_obj in year_plans.values():
            plan_obj._prefetched_objects_cache = {"tiers": list(plan_obj.tiers.all())}

    networks = list(Institution.objects.filter(is_network=True).order_by("code"))
    subscribing_networks = networks[: len(plan.SUBSCRIBING_NETWORK_SIZES) * scale]
    members = set(NetworkMembership.objects.values_list("library_id", flat=True))
    loners = Institution.objects.filter(is_network=False).exclude(pk__in=members).order_by("code")
    singles = list(loners[: plan.SINGLE_LIBRARY_SUBSCRIBERS * scale])
    pack_buyers = list(loners[plan.SINGLE_LIBRARY_SUBSCRIBERS * scale :][: 15 * scale])

    rows: list[Subscription] = []

    def subscribe(subscriber: Institution, code: str, year: int, starts_on=None):
        plan_obj = plans[year][code]
        tier, price = _tier_price(plan_obj, subscriber.population_served)
        starts_on = starts_on or datetime.date(year, 1, 1)
        ends_on = datetime.date(
            starts_on.year + 1, starts_on.month, starts_on.day
        ) - datetime.timedelta(days=1)
        status = Subscription.Status.ACTIVE if ends_on >= today else Subscription.Status.EXPIRED
        rows.append(
            Subscription(
                subscriber=subscriber,
                plan=plan_obj,
                tier=tier,
                starts_on=starts_on,
                ends_on=ends_on,
                status=status,
                population_served=subscriber.population_served,
                price_excl_vat=price,
                vat_rate=Decimal("0.2000"),
                price_incl_vat=(price * Decimal("1.2")).quantize(Decimal("0.01")),
                payment_method=(
                    Subscription.PaymentMethod.ADMINISTRATIVE_INVOICE
                    if subscriber.is_network or rng.random() < 0.7
                    else Subscription.PaymentMethod.SEPA_DEBIT
                ),
                activated_at=timezone.make_aware(
                    datetime.datetime.combine(starts_on, datetime.time(9))
                ),
                # fair use like the platform this follows: 4 films per patron a month
                patron_monthly_films=4 if code == "platform" else None,
            )
        )

    for year in range(plan.YEAR, today.year + 1):
        for subscriber in subscribing_networks + singles:
            subscribe(subscriber, "platform", year)
        for i, buyer in enumerate(pack_buyers):
            # packs launched in June 2017
            start = (
                datetime.date(year, 6, 1)
                if year == plan.YEAR
                else datetime.date(year, 1 + i % 12, 1)
            )
            subscribe(buyer, f"discovery-{(3, 5, 8)[i % 3]}", year, start)
    rows = Subscription.objects.bulk_create(rows, batch_size=1000)
    # renewal chains: each subscriber's period follows the previous one
    previous: dict[tuple[int, str], Subscription] = {}
    for row in sorted(rows, key=lambda r: r.starts_on):
        key = (row.subscriber_id, row.plan.kind)
        if key in previous:
            row.previous = previous[key]
        previous[key] = row
    Subscription.objects.bulk_update(rows, ["previous"], batch_size=1000)

    credits = [
        ScreeningCreditEntry(
            subscription=row,
            kind=ScreeningCreditEntry.Kind.ALLOWANCE,
            quantity=row.plan.screenings_per_year,
            note="Dotation de la période",
        )
        for row in rows
    ]
    screenable = list(
        Film.objects.filter(
            status=Film.Status.IN_CATALOGUE,
            reference__in=[
                f"CN-{p.index + 1:06d}"
                for p in plan.film_plan(scale)
                if p.category in (plan.Category.PLATFORM_ONLY, plan.Category.ALL_MEDIA)
            ],
        ).values_list("pk", flat=True)
    )
    bookings: list[ScreeningBooking] = []
    for row in rows:
        if row.starts_on.year not in (plan.YEAR, today.year):
            continue
        library = row.subscriber
        if library.is_network:
            continue
        used = rng.randint(0, min(3, row.plan.screenings_per_year))
        for _ in range(used):
            day = row.starts_on + datetime.timedelta(days=rng.randint(0, 330))
            starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 30)))
            held = starts_at < timezone.now()
            expected = rng.randint(15, 90)
            bookings.append(
                ScreeningBooking(
                    library=library,
                    subscription=row,
                    film_id=rng.choice(screenable),
                    starts_at=starts_at,
                    venue=rng.choice(VENUES),
                    expected_audience=expected,
                    actual_attendance=max(0, expected + rng.randint(-15, 20)) if held else None,
                    status=ScreeningBooking.Status.HELD if held else ScreeningBooking.Status.BOOKED,
                )
            )
    bookings = ScreeningBooking.objects.bulk_create(bookings, batch_size=1000)
    credits += [
        ScreeningCreditEntry(
            subscription=booking.subscription,
            kind=ScreeningCreditEntry.Kind.BOOKING,
            quantity=-1,
            booking=booking,
        )
        for booking in bookings
    ]
    ScreeningCreditEntry.objects.bulk_create(credits, batch_size=2000)
    _seed_demo_library_screenings(ctx, screenable)
    _seed_demo_library_invoice(ctx)
    ctx.say(
        f"subscriptions: {len(plans)} tariff grids, {len(rows)} subscription periods "
        f"({len(subscribing_networks) + len(singles)} platform subscribers), "
        f"{len(bookings)} screenings"
    )


def _seed_demo_library_screenings(ctx: plan.DemoContext, screenable: list[int]) -> None:
    """The demo library's screenings on the subscription covering it: one in four days
    (its file can be downloaded: the dashboard says so) and one two days ago whose
    attendance is still to record — of films the rights engine allows it to screen."""

    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    if library is None:
        return
    today = timezone.localdate()
    covering = [
        row
        for row in subscriptions_covering(library=library, on=today)
        if row.plan.screenings_per_year
    ]
    if not covering:
        return
    films = list(Film.objects.filter(pk__in=screenable[:40]).order_by("pk"))
    answers = decide_many(library, films, Medium.PUBLIC_SCREENING, on=today, usage={})
    allowed = [f for f in films if answers[f.pk][Medium.PUBLIC_SCREENING].allowed][:2]
    if len(allowed) < 2:
        return
    now = timezone.now()
    bookings = ScreeningBooking.objects.bulk_create(
        ScreeningBooking(
            library=library,
            subscription=covering[0],
            film=film,
            starts_at=timezone.make_aware(
                datetime.datetime.combine(
                    today + datetime.timedelta(days=offset), datetime.time(18, 30)
                )
            ),
            venue=VENUES[0],
            expected_audience=40,
            status=ScreeningBooking.Status.BOOKED,
            created_at=now,
        )
        for film, offset in zip(allowed, (4, -2), strict=True)
    )
    ScreeningCreditEntry.objects.bulk_create(
        ScreeningCreditEntry(
            subscription=booking.subscription,
            kind=ScreeningCreditEntry.Kind.BOOKING,
            quantity=-1,
            booking=booking,
        )
        for booking in bookings
    )
    ctx.say(f"subscriptions: 2 screenings for {library.code}")


#: the purchase order of the demo library's pack whose invoice is still to pay
DEMO_PURCHASE_ORDER = "BC-DEMO-0001"


def _seed_demo_library_invoice(ctx: plan.DemoContext) -> None:
    """An invoice for the demo library to pay (its dashboard says so): the 3-screening
    pack it took on a purchase order for the year that ended ten days ago, activated by
    the cinema staff on the order and invoiced when the year ended (the screenings held),
    payment due within the public-sector delay. Its period is over, so a new pack can be
    bought today. Through the services: the invoice number is the year's next."""
    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    if library is None:
        return
    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=375)
    pack = Plan.objects.filter(grid__year=starts_on.year, code="discovery-3").first()
    if pack is None:
        return
    quote = subscription_quote_create(subscriber=library, plan=pack, starts_on=starts_on)
    quote.payment_method = Subscription.PaymentMethod.ADMINISTRATIVE_INVOICE
    quote.purchase_order_reference = DEMO_PURCHASE_ORDER
    quote.save(update_fields=["payment_method", "purchase_order_reference"])
    subscription = subscription_activate(subscription=quote, today=starts_on)
    invoice = invoice_issue(
        subscription=subscription, issued_on=subscription.ends_on + datetime.timedelta(days=1)
    )
    ctx.say(f"subscriptions: invoice {invoice.number} to pay for {library.code}")
