"""Send the monthly newsletter (what Celery beat runs on the 1st of each month)."""

from django.core.management.base import BaseCommand, CommandError

from editorial.newsletter import month_of, newsletter_send_all


class Command(BaseCommand):
    help = (
        "Send each library covered by a subscription the newsletter of a month (new films, "
        "favourites, films leaving soon, its own use of the month); once per library and month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month reported (YYYY-MM); default last month.")

    def handle(self, *args, **options):
        month = None
        if options["month"]:
            try:
                month = month_of(options["month"])
            except ValueError as error:
                raise CommandError(
                    f"--month: expected YYYY-MM, got {options['month']!r}"
                ) from error
        result = newsletter_send_all(month=month)
        self.stdout.write(
            f"{result['month'][:7]}: {result['sent']} newsletter(s) sent, "
            f"{result['already_sent']} already sent, {result['skipped']} without an address"
        )
