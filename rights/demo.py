"""Demo rights: rights holders, one signed contract each, and grants reproducing the 2017
split of `demo.plan` — 39 films for the platform only (on-site and at-home streaming,
public screenings), 261 for every medium (the same plus DVD), the rest DVD only; the
films withdrawn lose their DVD right on the day they leave. Windows are in force at the
end of 2017 and today (most have an open end), so about 300 films are viewable at home;
a few end within the next months, for the expiry follow-up."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from catalogue.models import Film
from demo import plan
from rights.models import Contract, Medium, RightsGrant, RightsHolder

PLATFORM = (Medium.STREAM_ONSITE, Medium.STREAM_HOME, Medium.PUBLIC_SCREENING)
MEDIA_OF = {
    plan.Category.PLATFORM_ONLY: PLATFORM,
    plan.Category.ALL_MEDIA: (*PLATFORM, Medium.DVD),
    plan.Category.DVD_ONLY: (Medium.DVD,),
    plan.Category.WITHDRAWN_IN_YEAR: (Medium.DVD,),
    plan.Category.WITHDRAWN_BEFORE: (Medium.DVD,),
}
HOLDERS_PER_SCALE = 80
HOLDER_WORDS = ["Films", "Productions", "Documentaires", "Images", "Distribution", "Studio"]
HOLDER_NAMES = ["du Réel", "de la Lanterne", "Atalante", "Lardux", "Quark", "Ardèche", "Zeugma"]


def seed(ctx: plan.DemoContext) -> None:
    if Contract.objects.exists():
        ctx.say("rights: already present, skipped")
        return
    rng = ctx.random("rights")
    today = timezone.localdate()
    existing = set(RightsHolder.objects.values_list("name", flat=True))
    holders = []
    for number in range(HOLDERS_PER_SCALE * ctx.scale):
        name = f"{rng.choice(HOLDER_WORDS)} {rng.choice(HOLDER_NAMES)} {number + 1:03d}"
        if name not in existing:
            holders.append(RightsHolder(name=name, kind=rng.choice(RightsHolder.Kind.values[:3])))
    RightsHolder.objects.bulk_create(holders, batch_size=1000)
    holders = list(RightsHolder.objects.order_by("pk"))
    contracts = Contract.objects.bulk_create(
        [
            Contract(
                reference=f"CTR-{number + 1:05d}",
                rights_holder=holder,
                status=Contract.Status.SIGNED,
                signed_on=datetime.date(rng.randint(2005, 2016), rng.randint(1, 12), 1),
                fee=Decimal(rng.randrange(500, 20_000, 50)),
            )
            for number, holder in enumerate(holders)
        ],
        batch_size=1000,
    )
    film_ids = dict(Film.objects.values_list("reference", "pk"))
    grants = []
    for item in plan.film_plan(ctx.scale):
        film_id = film_ids.get(f"CN-{item.index + 1:06d}")
        media = MEDIA_OF.get(item.category)
        if film_id is None or not media or item.added_on is None:
            continue
        contract = rng.choice(contracts)
        if item.withdrawn_on is not None:
            ends_on = item.withdrawn_on
        elif rng.random() < 0.04:
            ends_on = today + datetime.timedelta(days=rng.randint(20, 170))
        elif rng.random() < 0.3:
            ends_on = datetime.date(rng.randint(today.year + 1, today.year + 6), 12, 31)
        else:
            ends_on = None
        territories = ["FR-MET"] if rng.random() < 0.05 else ["FR-DOM", "FR-MET"]
        for medium in media:
            grants.append(
                RightsGrant(
                    contract=contract,
                    film_id=film_id,
                    medium=medium,
                    starts_on=item.added_on,
                    ends_on=ends_on,
                    territories=territories,
                    eligible_kinds=sorted(RightsGrant._meta.get_field("eligible_kinds").default()),
                    max_screenings_per_year=5 if medium == Medium.PUBLIC_SCREENING else None,
                    max_concurrent_streams=10 if medium in PLATFORM[:2] else None,
                )
            )
    RightsGrant.objects.bulk_create(grants, batch_size=2000)
    ctx.say(f"rights: {len(contracts)} contracts, {len(grants)} grants")
