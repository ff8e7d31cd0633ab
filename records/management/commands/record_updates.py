"""Compute today's MARC update files (what Celery beat runs early every morning)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from records.services import record_updates_compute


class Command(BaseCommand):
    help = (
        "Record, for each subscribing library, the new records of the films it may stream "
        "from today and the delete records of those it no longer may (once a day)."
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
        result = record_updates_compute(today=today)
        self.stdout.write(
            f"{result['libraries']} librar(y/ies), {result['new']} new record(s), "
            f"{result['deleted']} delete record(s)"
        )
