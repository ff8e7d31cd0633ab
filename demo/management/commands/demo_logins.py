"""Print the URL of the API and a demo login for each role (used by `make run`)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from catalogue.models import Film
from institutions.demo import DEMO_LIBRARY_CODE
from institutions.models import Institution
from media.selectors import streamable_films
from rights.decisions import decide_many
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
    decisions = decide_many(library, films, ["stream_home"], on=timezone.localdate())
    for film in films:
        if decisions[film.pk]["stream_home"].allowed:
            return film.reference
    return None


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
            f"{base}/bibliotheque/ (dashboard, public screenings, DVD ordering)"
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
        self.stdout.write("")
