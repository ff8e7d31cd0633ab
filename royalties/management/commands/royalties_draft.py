"""Draft every contract's statement of a period: `manage.py royalties_draft 2017` (a year)
or `2017-Q3` (a quarter). Approved statements are left alone; drafts are recomputed."""

from django.core.management.base import BaseCommand, CommandError

from backend.errors import ApplicationError
from royalties.periods import period_parse
from royalties.services import statements_draft_period


class Command(BaseCommand):
    help = "Draft every contract's royalty statement of a period (2017 or 2017-Q3)."

    def add_arguments(self, parser):
        parser.add_argument("period", help="a year (2017) or a quarter (2017-Q3)")

    def handle(self, *args, period, **options):
        try:
            counts = statements_draft_period(period=period_parse(period))
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(
            f"{period}: {counts['drafted']} statement(s) drafted, "
            f"{counts['kept']} kept (already approved, or the contract's statements are of "
            f"the other length)"
        )
