"""One of everything the API writes to, for the bad-input sweep (test_bad_input_sweep.py):
each write operation's path then names a real object its caller may reach, so the
malformed input is read — a 404 before the body is parsed would prove nothing.

Built with the services (and a few rows directly, where only the system writes them),
owned by one library of a network, with its administrator, a patron and the cinema
staff as callers.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import ApiToken, User
from editorial import services as editorial
from media.models import Asset, EncodingProfile, PlaybackSession
from media.services.streams import session_token
from media.services.uploads import upload_initiate
from orders import services as orders
from orders.models import DvdEdition, StockMovement
from rights.models import Medium, Negotiation, RenegotiationCampaign
from royalties.periods import year
from royalties.services.statements import statement_draft
from royalties.services.terms import payment_terms_create
from stats.services import sushi_credential_create
from subscriptions.services.patrons import patron_register
from subscriptions.services.screenings import booking_create
from subscriptions.services.subscriptions import (
    subscription_activate,
    subscription_payment_request,
    subscription_quote_create,
)
from tests.factories import (
    CinemaStaffFactory,
    CountryFactory,
    FilmFactory,
    InstitutionFactory,
    LanguageFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
)
from tests.orders.conftest import make_ean
from tests.rights.conftest import GrantFactory
from tests.subscriptions.conftest import make_grid


@dataclass
class World:
    ids: dict[str, object] = field(default_factory=dict)
    users: dict[str, User | None] = field(default_factory=dict)

    def __getitem__(self, name):
        return self.ids[name]


def build_world() -> World:
    today = timezone.localdate()
    world = World()
    ids = world.ids

    network = NetworkFactory()
    library = InstitutionFactory(
        dvd_authorised_since=datetime.date(2015, 1, 1), email="bib@example.org"
    )
    MembershipFactory(network=network, library=library)
    staff = CinemaStaffFactory(username="sweeper")
    admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=library)
    colleague = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    world.users = {"staff": staff, "library_admin": admin, "anonymous": None}

    CountryFactory(), LanguageFactory()
    film, other_film = FilmFactory(), FilmFactory()
    for medium in Medium.values:
        grant = GrantFactory(
            film=film, medium=medium, starts_on=today - datetime.timedelta(days=30), ends_on=None
        )
    person, theme = PersonFactory(), ThemeFactory()
    film.directors.add(person)
    film.themes.add(theme)

    grid = make_grid(today.year)
    quote = subscription_quote_create(
        subscriber=network, plan=grid.plans.get(code="platform"), starts_on=today
    )
    subscription_payment_request(subscription=quote, payment_method="administrative_invoice")
    subscription = subscription_activate(subscription=quote)
    invoice = subscription.invoices.get()
    booking = booking_create(
        library=library,
        film=film,
        starts_at=timezone.now() + datetime.timedelta(days=10),
        venue="Auditorium",
        expected_audience=40,
        booked_by=admin,
    )
    patron = patron_register(institution=library, card="CARD-0001", pin="482193", home_area="35")
    world.users["patron"] = patron.user

    campaign = RenegotiationCampaign.objects.create(
        name="Campagne", deadline=today + datetime.timedelta(days=90)
    )
    negotiation = Negotiation.objects.create(
        film=film, rights_holder=grant.contract.rights_holder, media=[Medium.DVD]
    )

    # the other film in the lists, so that adding the film is not a duplicate
    collection = editorial.collection_create(
        kind="favourites",
        title="Coups de cœur",
        published_from=today,
        items=[{"film": other_film.pk}],
    )
    selection = editorial.library_selection_create(institution=library, title="Sélection")
    selection_item = editorial.library_selection_item_add(selection=selection, film=other_film.pk)

    edition = DvdEdition.objects.create(film=film, ean=make_ean(), price="29.90")
    StockMovement.objects.create(edition=edition, kind="receipt", quantity=10)
    order, _created = orders.cart_get_or_create(library=library, by=admin)
    orders.cart_line_add(order=order, edition=edition, quantity=1)

    EncodingProfile.objects.get_or_create(
        name="720p", defaults={"height": 720, "video_bitrate_kbps": 3000, "audio_bitrate_kbps": 128}
    )
    asset = Asset.objects.create(
        film=film,
        kind=Asset.Kind.MASTER,
        storage_key=f"films/{film.pk}/master/{uuid.uuid4().hex}.mov",
        status=Asset.Status.VERIFIED,
        size=1,
    )
    upload = upload_initiate(
        film=film,
        kind="poster",
        size=100,
        sha256="0" * 64,
        part_size=100,
        started_by=staff,
    )
    session = PlaybackSession.objects.create(
        film=film,
        user=patron.user,
        institution=library,
        subscription=subscription,
        medium="stream_home",
        started_at=timezone.now(),
        last_heartbeat_at=timezone.now(),
    )
    credential = sushi_credential_create(institution=library, created_by=admin).credential
    # a contract's payment terms from last year, and last year's statement (a draft)
    terms = payment_terms_create(
        contract=grant.contract,
        valid_from=datetime.date(today.year - 1, 1, 1),
        flat_fee=Decimal("1000.00"),
        rates=[{"medium": Medium.DVD, "unit": "copy", "rate": Decimal("2.00")}],
        by=staff,
    )
    statement = statement_draft(contract=grant.contract, period=year(today.year - 1), today=today)
    api_token, _key = ApiToken.objects.create(user=admin, device="sweep")

    ids.update(
        network=network.pk,
        library=library.pk,
        staff=staff.pk,
        film=film.pk,
        grant=grant.pk,
        contract=grant.contract_id,
        rights_holder=grant.contract.rights_holder_id,
        person=person.pk,
        theme=theme.pk,
        plan=grid.plans.get(code="platform").pk,
        subscription=subscription.pk,
        invoice=invoice.pk,
        booking=booking.pk,
        patron=patron.pk,
        campaign=campaign.pk,
        negotiation=negotiation.pk,
        collection=collection.pk,
        collection_item=collection.items.get().pk,
        selection=selection.pk,
        selection_item=selection_item.pk,
        edition=edition.pk,
        order=order.pk,
        order_line=order.lines.get().pk,
        asset=asset.pk,
        upload=upload.pk,
        session=str(session.pk),
        session_token=session_token(session),
        api_token=api_token.token_key,
        staff_member=colleague.pk,
        credential=credential.pk,
        payment_terms=terms.pk,
        statement=statement.pk,
        ean=make_ean(),
        institution_code=library.code,
        year=today.year,
        day=today.isoformat(),
    )
    return world
