"""Send the advance notices of withdrawal due today (what Celery beat runs each morning)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from notices.services import withdrawal_notices_send


class Command(BaseCommand):
    help = (
        "Tell each library that uses a film (screening booked, DVD order open, recent "
        "views) that it leaves a medium for it soon; once per film, medium and end date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD); default today.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        result = withdrawal_notices_send(today=today)
        self.stdout.write(
            f"{result['notices']} notice(s), {result['emails']} e-mail(s), "
            f"{result['screenings_at_risk']} screening(s) booked after the end of the rights"
        )
