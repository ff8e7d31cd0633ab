"""Run the rights' daily job now (what Celery beat runs every morning)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from rights import services
from rights.tasks import rights_daily


class Command(BaseCommand):
    help = (
        "Flag the grants ending soon and e-mail the staff in charge a digest; withdraw the "
        "films left without any right. Running it twice the same day changes nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD); default today.")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
            result = services.rights_daily(today=today)
        else:
            result = rights_daily.apply().get()
        self.stdout.write(
            f"{result['flagged']} grant(s) flagged, {result['emails']} digest(s) to e-mail, "
            f"{len(result['withdrawn'])} film(s) withdrawn"
        )
