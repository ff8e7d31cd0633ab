"""Demo DVD orders: an edition with stock for every film that has (or had) DVD rights, and
the year 2017 of delivered orders reproducing the seed's figures — 221 copies of 151
titles ordered by 31 libraries of the authorised network, 1 to 23 copies each (about 7
on average). Every title ordered is one the rights engine allows for `dvd` to that
library on the days its order was submitted and validated."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from catalogue.models import Film
from demo import plan
from institutions.models import Institution
from orders.models import (
    DvdEdition,
    Order,
    OrderEvent,
    OrderLine,
    StockMovement,
    ean13_check_digit,
)

DVD = "dvd"
DVD_CATEGORIES = {
    plan.Category.ALL_MEDIA,
    plan.Category.DVD_ONLY,
    plan.Category.WITHDRAWN_IN_YEAR,
    plan.Category.WITHDRAWN_BEFORE,
}
PRICES = ["19.90", "24.90", "29.90", "34.90", "39.90", "45.00"]
MOST_COPIES_PER_LIBRARY = 23
RECEIVED_ON = datetime.datetime(plan.YEAR - 1, 12, 1, 9, 0)
Status = Order.Status


def _ean(number: int) -> str:
    first = f"379{number:09d}"
    return first + str(ean13_check_digit(first))


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _copies_per_library(rng, libraries: int, copies: int) -> list[int]:
    """`libraries` counts between 1 and 23 adding up to `copies`, with one library at
    each end of the range (the seed's 1 to 23)."""
    counts = [1, MOST_COPIES_PER_LIBRARY] + [rng.randint(2, 10) for _ in range(libraries - 2)]
    while sum(counts) != copies:
        index = rng.randrange(2, libraries)
        step = 1 if sum(counts) < copies else -1
        if 1 <= counts[index] + step <= MOST_COPIES_PER_LIBRARY:
            counts[index] += step
    rng.shuffle(counts)
    return counts


def _split(rng, total: int) -> list[int]:
    """A library's copies of the year over one to three orders."""
    parts = 1 if total <= 6 else 2 if total <= 15 else 3
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _editions(rng, scale: int) -> dict[int, DvdEdition]:
    film_ids = dict(Film.objects.values_list("reference", "pk"))
    editions = []
    for item in plan.film_plan(scale):
        film_id = film_ids.get(f"CN-{item.index + 1:06d}")
        if film_id is None or item.category not in DVD_CATEGORIES:
            continue
        editions.append(
            DvdEdition(
                film_id=film_id, ean=_ean(len(editions) + 1), price=Decimal(rng.choice(PRICES))
            )
        )
    DvdEdition.objects.bulk_create(editions, batch_size=1000)
    return {e.film_id: e for e in DvdEdition.objects.select_related("film")}


def seed(ctx: plan.DemoContext) -> None:
    from rights.decisions import decide_many  # the one place rights are decided

    if DvdEdition.objects.exists():
        ctx.say("orders: already present, skipped")
        return
    rng = ctx.random("orders")
    by_film = _editions(rng, ctx.scale)
    network = list(
        Institution.objects.filter(
            is_network=False,
            dvd_authorised_since__lt=datetime.date(plan.YEAR, 1, 1),
            dvd_suspended=False,
        ).order_by("pk")
    )
    libraries = rng.sample(network, plan.ORDERING_LIBRARIES * ctx.scale)
    counts = _copies_per_library(rng, len(libraries), plan.DVD_COPIES_ORDERED * ctx.scale)
    # (library, copies, submitted on, validated on), in 2017, delivered before the year ends
    planned = []
    for library, total in zip(libraries, counts, strict=True):
        parts = _split(rng, total)
        days = sorted(rng.sample(range(5, 330), len(parts)))
        for copies, day in zip(parts, days, strict=True):
            submitted = datetime.date(plan.YEAR, 1, 1) + datetime.timedelta(days=day)
            planned.append(
                (library, copies, submitted, submitted + datetime.timedelta(rng.randint(1, 4)))
            )

    # the titles: films the rights engine allows to every ordering library on every day
    titles_needed = plan.DVD_TITLES_ORDERED * ctx.scale
    candidates = rng.sample(list(by_film.values()), min(len(by_film), titles_needed * 3))
    films = [e.film for e in candidates]
    allowed = {e.film_id for e in candidates}
    for library, _copies, submitted, validated in planned:
        for day in (submitted, validated):
            answers = decide_many(library, films, DVD, on=day)
            allowed &= {pk for pk, by_medium in answers.items() if by_medium[DVD].allowed}
    titles = sorted(allowed)
    if len(titles) < titles_needed:
        ctx.say("orders: not enough films with DVD rights for the 2017 orders, skipped")
        return
    titles = rng.sample(titles, titles_needed)
    copies = titles + [
        rng.choice(titles) for _ in range(plan.DVD_COPIES_ORDERED * ctx.scale - len(titles))
    ]
    rng.shuffle(copies)

    orders, lines_of = [], []
    for index, (library, count, submitted, validated) in enumerate(planned):
        shipped = validated + datetime.timedelta(rng.randint(1, 3))
        delivered = shipped + datetime.timedelta(rng.randint(1, 4))
        orders.append(
            Order(
                library=library,
                status=Status.DELIVERED,
                created_at=_at(submitted, 9),
                submitted_at=_at(submitted),
                validated_at=_at(validated),
                shipped_at=_at(shipped, 15),
                delivered_at=_at(delivered, 11),
                carrier_reference=f"COLISSIMO-6A{index + 1:08d}",
            )
        )
        ordered: dict[int, int] = {}
        for film_id in copies[:count]:
            ordered[film_id] = ordered.get(film_id, 0) + 1
        del copies[:count]
        lines_of.append(ordered)
    Order.objects.bulk_create(orders, batch_size=500)

    lines, events = [], []
    for order, ordered in zip(orders, lines_of, strict=True):
        for film_id, quantity in ordered.items():
            edition = by_film[film_id]
            lines.append(
                OrderLine(
                    order=order,
                    edition=edition,
                    quantity=quantity,
                    status=OrderLine.Status.ACCEPTED,
                    unit_price=edition.price,
                )
            )
        steps = [
            (Status.CART, Status.SUBMITTED, order.submitted_at),
            (Status.SUBMITTED, Status.VALIDATED, order.validated_at),
            (Status.VALIDATED, Status.SHIPPED, order.shipped_at),
            (Status.SHIPPED, Status.DELIVERED, order.delivered_at),
        ]
        events.extend(
            OrderEvent(order=order, from_status=a, to_status=b, at=at, emailed_at=at)
            for a, b, at in steps
        )
    OrderLine.objects.bulk_create(lines, batch_size=1000)
    OrderEvent.objects.bulk_create(events, batch_size=1000)

    # the ledger: a receipt per edition (covering what 2017 ordered), then each line's
    # reservation, and at shipment its release and the copies leaving the shelf
    ordered_per_edition: dict[int, int] = {}
    for line in lines:
        ordered_per_edition[line.edition_id] = (
            ordered_per_edition.get(line.edition_id, 0) + line.quantity
        )
    received = timezone.make_aware(RECEIVED_ON)
    movements = [
        StockMovement(
            edition=edition,
            kind=StockMovement.Kind.RECEIPT,
            quantity=rng.randint(2, 8) + ordered_per_edition.get(edition.pk, 0),
            created_at=received,
            note="Stock initial",
        )
        for edition in by_film.values()
    ]
    for line in lines:
        order = line.order
        movements += [
            StockMovement(
                edition_id=line.edition_id,
                kind=StockMovement.Kind.RESERVATION,
                quantity=-line.quantity,
                order_line=line,
                created_at=order.submitted_at,
            ),
            StockMovement(
                edition_id=line.edition_id,
                kind=StockMovement.Kind.RELEASE,
                quantity=line.quantity,
                order_line=line,
                created_at=order.shipped_at,
            ),
            StockMovement(
                edition_id=line.edition_id,
                kind=StockMovement.Kind.SHIPMENT,
                quantity=-line.quantity,
                order_line=line,
                created_at=order.shipped_at,
            ),
        ]
    StockMovement.objects.bulk_create(movements, batch_size=2000)
    ctx.say(
        f"orders: {len(by_film)} DVD editions, {len(orders)} orders of 2017 "
        f"({sum(line.quantity for line in lines)} copies)"
    )
    _seed_demo_library_order(ctx, by_film)


def _seed_demo_library_order(ctx: plan.DemoContext, by_film: dict[int, DvdEdition]) -> None:
    """The demo library's order shipped two days ago (its dashboard says so, its order
    page has the carrier reference and the delivery note): two titles the rights engine
    allows it on DVD today."""
    from django.core.files.base import ContentFile

    from institutions.demo import DEMO_LIBRARY_CODE
    from orders.documents import delivery_note_pdf
    from rights.decisions import decide_many

    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    if library is None or library.dvd_authorised_since is None:
        return
    today = timezone.localdate()
    editions = sorted(by_film.values(), key=lambda e: e.pk)[:40]
    answers = decide_many(library, [e.film for e in editions], DVD, on=today)
    chosen = [e for e in editions if answers[e.film_id][DVD].allowed][:2]
    if len(chosen) < 2:
        return
    submitted = _at(today - datetime.timedelta(days=6))
    validated = _at(today - datetime.timedelta(days=4))
    shipped = _at(today - datetime.timedelta(days=2), 15)
    order = Order.objects.create(
        library=library,
        status=Status.SHIPPED,
        created_at=submitted,
        submitted_at=submitted,
        validated_at=validated,
        shipped_at=shipped,
        carrier_reference="COLISSIMO-6A99000001",
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            edition=edition,
            quantity=quantity,
            status=OrderLine.Status.ACCEPTED,
            unit_price=edition.price,
        )
        for edition, quantity in zip(chosen, (2, 1), strict=True)
    )
    OrderEvent.objects.bulk_create(
        OrderEvent(order=order, from_status=a, to_status=b, at=at, emailed_at=at)
        for a, b, at in (
            (Status.CART, Status.SUBMITTED, submitted),
            (Status.SUBMITTED, Status.VALIDATED, validated),
            (Status.VALIDATED, Status.SHIPPED, shipped),
        )
    )
    StockMovement.objects.bulk_create(
        StockMovement(
            edition_id=line.edition_id,
            kind=kind,
            quantity=sign * line.quantity,
            order_line=line,
            created_at=at,
        )
        for line in lines
        for kind, sign, at in (
            (StockMovement.Kind.RECEIPT, 1, submitted),
            (StockMovement.Kind.RESERVATION, -1, submitted),
            (StockMovement.Kind.RELEASE, 1, shipped),
            (StockMovement.Kind.SHIPMENT, -1, shipped),
        )
    )
    order.delivery_note.save(
        f"bon-de-livraison-{order.pk}.pdf", ContentFile(delivery_note_pdf(order, lines))
    )
    ctx.say(f"orders: a shipped order for {library.code}")
