"""Print the URL of the API and a demo login for each role (used by `make run`), and the
library back office's journeys: where to start each and with which login."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from catalogue.models import Film
from institutions.demo import DEMO_LIBRARY_CODE
from institutions.models import Institution
from media.selectors import streamable_films
from notices.selectors import leaving_soon_for
from orders.selectors import editions_with_stock
from rights.decisions import decide_many
from rights.models import Medium
from stats.demo import DEMO_SUSHI_API_KEY, DEMO_SUSHI_REQUESTOR_ID
from subscriptions.demo import DEMO_PATRON_CARD, DEMO_PATRON_PIN


def first_playable_film(library_code: str) -> str | None:
    """The reference of a film the demo library's patrons can watch now (the rights
    engine and a ready stream), for the line `make run` prints."""
    library = Institution.objects.filter(code=library_code).first()
    if library is None:
        return None
    films = list(
        streamable_films(Film.objects.filter(status=Film.Status.IN_CATALOGUE))
        .filter(streamable=True)
        .order_by("pk")[:20]
    )
    decisions = decide_many(library, films, [Medium.STREAM_HOME], on=timezone.localdate())
    for film in films:
        if decisions[film.pk][Medium.STREAM_HOME].allowed:
            return film.reference
    return None


def screenable_film(library, on: datetime.date) -> Film | None:
    """A film the library may screen in public on the day (the rights engine)."""
    films = list(Film.objects.filter(status=Film.Status.IN_CATALOGUE).order_by("pk")[:40])
    decisions = decide_many(library, films, [Medium.PUBLIC_SCREENING], on=on, usage={})
    return next((f for f in films if decisions[f.pk][Medium.PUBLIC_SCREENING].allowed), None)


def withdrawn_edition_film(library) -> Film | None:
    """A DVD edition with copies in stock whose film's DVD rights ended (withdrawn)."""
    edition = (
        editions_with_stock()
        .filter(stock_available__gt=0, film__status=Film.Status.WITHDRAWN)
        .select_related("film")
        .order_by("film__title", "pk")
        .first()
    )
    return edition.film if edition else None


def journeys(base: str) -> list[str]:
    """The back office's journeys (issue 21), each with its login and where to start."""
    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    if library is None:
        return []
    office = f"{base}/bibliotheque/"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    film = screenable_film(library, tomorrow)
    leaving = next(
        (row for row in leaving_soon_for(library) if row["medium"] == Medium.PUBLIC_SCREENING),
        None,
    )
    refused = withdrawn_edition_film(library)
    lines = [
        f"Library back office: {office}  (sign in at {base}/connexion/ ; French, English "
        "from the header)",
        "  dashboard: subscription, credits, streaming use against the cap (70/80 % "
        "alerts), a film leaving soon, an invoice to pay, an order shipped, a screening "
        "to download",
        f"  1. screenings — library-admin: {office}abonnement/ buy a 3-screening pack "
        "(purchase order; the pack is active once the cinema staff record the transfer: "
        f"editor, {base}/admin/subscriptions/invoice/ action « Record the transfer »), then "
        f"{office}projections/"
        + (f" book « {film.title} » ({film.reference}) for {tomorrow}" if film else "")
        + (
            f"; « {leaving['film'].title} » may not be screened after {leaving['last_day']}"
            if leaving
            else ""
        ),
        f"  2. DVD ordering — library-admin: {office}dvd/ (two titles in the cart, send; "
        + (
            f"« {refused.title} » ({refused.reference}) is refused: its DVD rights ended; "
            if refused
            else ""
        )
        + f"the cinema staff validate and ship: editor, {base}/api/v1/orders/<id>/validate/ "
        "then ship/)",
        f"  3. patrons — library-admin: {office}usagers/ (create one; sign it in at "
        f"{base}/connexion/ in a private window with {DEMO_LIBRARY_CODE}, the card and the "
        "PIN; erase it)",
        f"  4. statistics — library-admin: {office}statistiques/ ; network-admin: the same "
        "page, the network's figures or a member's",
        f"  5. staff accounts — library-admin: {office}equipe/ (invite; the e-mail with its "
        "link is printed in this terminal)",
    ]
    return lines


class Command(BaseCommand):
    help = "Print the API URL and the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port, **options):
        base = f"http://127.0.0.1:{port}"
        year = timezone.localdate().year
        self.stdout.write("")
        self.stdout.write(f"Web client:   {base}/  (French; English from the header's button)")
        film = first_playable_film(DEMO_LIBRARY_CODE)
        start = f"{base}/films/{film}?bib={DEMO_LIBRARY_CODE}" if film else f"{base}/connexion/"
        self.stdout.write(
            f"Patron:       card {DEMO_PATRON_CARD}, PIN {DEMO_PATRON_PIN} at {DEMO_LIBRARY_CODE}"
            f" — start from {start}, sign in, press Play"
        )
        self.stdout.write(
            f"Library:      library-admin (password below) at {base}/connexion/ — lands on "
            f"{base}/bibliotheque/ (the back office)"
        )
        self.stdout.write(
            f"Cinema staff: editor (password below) at {base}/connexion/ — lands on "
            f"{base}/equipe/redevances/ (the royalties pages: the demo year's statements,"
            f" drafts to approve)"
        )
        self.stdout.write(
            f"Rights holder: holder-demo (password below) at {base}/connexion/ — lands on "
            f"{base}/ayants-droit/ (contracts, rights ending, films' usage, an approved"
            f" statement)"
        )
        self.stdout.write(f"API:          {base}/api/v1/")
        self.stdout.write(f"API docs:     {base}/api/docs/")
        self.stdout.write(f"Admin:        {base}/admin/")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, (role, _code, label) in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {username:<15} {role:<20} {label}")
        self.stdout.write(
            f'Token: curl -X POST {base}/api/v1/auth/token/ -H "Content-Type: application/json" '
            f'-d \'{{"username": "library-admin", "password": "{DEMO_PASSWORD}"}}\''
        )
        self.stdout.write(
            f"SUSHI (COUNTER 5.1): {base}/api/v1/sushi/reports/ir_m1?customer_id="
            f"{DEMO_LIBRARY_CODE}&requestor_id={DEMO_SUSHI_REQUESTOR_ID}"
            f"&api_key={DEMO_SUSHI_API_KEY}&begin_date={year}-01&end_date={year}-12"
        )
        for line in journeys(base):
            self.stdout.write(line)
        self.stdout.write("")
