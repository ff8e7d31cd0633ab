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

from accounts.models import User
from catalogue.models import Film
from demo import plan
from rights.models import (
    Contract,
    Medium,
    Negotiation,
    NegotiationExchange,
    RenegotiationCampaign,
    RightsGrant,
    RightsHolder,
)

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
    else:
        _seed_contracts(ctx)
    if RenegotiationCampaign.objects.exists():
        ctx.say("rights: negotiations already present, skipped")
    else:
        _seed_negotiations(ctx)


def _seed_contracts(ctx: plan.DemoContext) -> None:
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
    in_charge = User.objects.filter(username="negotiator").first()
    contracts = Contract.objects.bulk_create(
        [
            Contract(
                reference=f"CTR-{number + 1:05d}",
                rights_holder=holder,
                status=Contract.Status.SIGNED,
                signed_on=datetime.date(rng.randint(2005, 2016), rng.randint(1, 12), 1),
                fee=Decimal(rng.randrange(500, 20_000, 50)),
                in_charge=in_charge,
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


#: the seed's campaign: DVD titles to bring to the platform while staying on DVD
CAMPAIGN_NAME = "500 titres DVD vers la plateforme"
CAMPAIGN_TITLES = 500
#: where the campaign's titles stand (the rest are still to contact); none is signed in
#: the demo, so the catalogue keeps the seed's split
CAMPAIGN_STATUSES = (
    (Negotiation.Status.IN_NEGOTIATION, 150),
    (Negotiation.Status.AGREED, 60),
    (Negotiation.Status.REFUSED, 70),
    (Negotiation.Status.ABANDONED, 40),
)
EXCHANGES = (
    (NegotiationExchange.Kind.EMAIL, "Proposition envoyée : droits plateforme et projections HD."),
    (NegotiationExchange.Kind.CALL, "Appel : intéressés, attendent la grille tarifaire."),
    (NegotiationExchange.Kind.MEETING, "Rendez-vous au festival, accord de principe."),
)


def _seed_negotiations(ctx: plan.DemoContext) -> None:
    """The renegotiation campaign of the seed (500 DVD-only titles, 2017–2019, at every
    stage but signed) and renewals under way for grants that end within months."""
    rng = ctx.random("rights-negotiations")
    today = timezone.localdate()
    negotiator = User.objects.filter(username="negotiator").first()
    current = {}
    for film_id, medium, holder_id in RightsGrant.objects.order_by("starts_on", "pk").values_list(
        "film_id", "medium", "contract__rights_holder_id"
    ):
        entry = current.setdefault(film_id, [set(), holder_id])
        entry[0].add(medium)
        entry[1] = holder_id
    dvd_only = sorted(
        film_id
        for film_id in Film.objects.filter(status=Film.Status.IN_CATALOGUE).values_list(
            "pk", flat=True
        )
        if current.get(film_id, [set()])[0] == {Medium.DVD}
    )
    campaign = RenegotiationCampaign.objects.create(
        name=CAMPAIGN_NAME,
        description="Amener sur la plateforme des titres aujourd'hui disponibles en DVD "
        "seulement, en les gardant en DVD.",
        deadline=datetime.date(2019, 12, 31),
        created_by=negotiator,
    )
    chosen = rng.sample(dvd_only, min(CAMPAIGN_TITLES * ctx.scale, len(dvd_only)))
    statuses = [status for status, count in CAMPAIGN_STATUSES for _ in range(count * ctx.scale)]
    rows = []
    for index, film_id in enumerate(chosen):
        status = statuses[index] if index < len(statuses) else Negotiation.Status.TO_CONTACT
        closed = status in (Negotiation.Status.REFUSED, Negotiation.Status.ABANDONED)
        rows.append(
            Negotiation(
                campaign=campaign,
                film_id=film_id,
                rights_holder_id=current[film_id][1],
                media=sorted(PLATFORM),
                status=status,
                assignee=negotiator,
                due_on=datetime.date(2019, rng.randint(1, 12), 1),
                closed_on=datetime.date(2018, rng.randint(1, 12), 15) if closed else None,
            )
        )
    # renewals: grants ending within the next months are being renegotiated
    ending = (
        RightsGrant.objects.filter(ends_on__gte=today, ends_on__lte=today + datetime.timedelta(180))
        .values_list("film_id", "contract__rights_holder_id", "ends_on")
        .distinct()
    )
    renewals = {}
    for film_id, holder_id, ends_on in ending:
        if film_id not in renewals and rng.random() < 0.5:
            renewals[film_id] = Negotiation(
                film_id=film_id,
                rights_holder_id=holder_id,
                media=sorted(current[film_id][0]),
                status=Negotiation.Status.IN_NEGOTIATION,
                assignee=negotiator,
                due_on=ends_on - datetime.timedelta(days=15),
            )
    created = Negotiation.objects.bulk_create([*rows, *renewals.values()], batch_size=1000)
    exchanges = []
    for negotiation in created:
        if negotiation.status == Negotiation.Status.TO_CONTACT:
            continue
        start = negotiation.due_on - datetime.timedelta(days=rng.randint(60, 300))
        for step, (kind, summary) in enumerate(EXCHANGES[: rng.randint(1, 3)]):
            exchanges.append(
                NegotiationExchange(
                    negotiation=negotiation,
                    occurred_on=start + datetime.timedelta(days=21 * step),
                    kind=kind,
                    summary=summary,
                    author=negotiator,
                )
            )
    NegotiationExchange.objects.bulk_create(exchanges, batch_size=2000)
    ctx.say(
        f"rights: campaign of {len(rows)} titles, {len(renewals)} renewals under way, "
        f"{len(exchanges)} exchanges"
    )
