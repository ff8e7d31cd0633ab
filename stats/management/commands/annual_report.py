"""`python manage.py annual_report 2017 --format json|csv`: the annual activity report
of a year on stdout, computed from the records (see stats.selectors.annual)."""

import json

from django.core.management.base import BaseCommand, CommandError

from backend.api.renderers import csv_writer
from backend.errors import ApplicationError
from stats.selectors.annual import annual_report, annual_report_rows


class Command(BaseCommand):
    help = "Print the annual activity report of a year (JSON or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, year, format, **options):
        try:
            report = annual_report(year)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if format == "json":
            self.stdout.write(json.dumps(report, default=str, indent=2, ensure_ascii=False))
            return
        writer = csv_writer(self.stdout)
        writer.writerow(["figure", "label", "value"])
        writer.writerows(annual_report_rows(report))
