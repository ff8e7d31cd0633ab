"""Apply again the Stripe webhook events that were verified but could not be processed
(their error is on the row, in the admin); an event never takes effect twice."""

from django.core.management.base import BaseCommand, CommandError

from subscriptions.services.webhooks import stripe_webhooks_replay


class Command(BaseCommand):
    help = "Reprocess the verified Stripe webhook events that are not processed yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--id",
            dest="ids",
            type=int,
            action="append",
            help="only this webhook event (row id); may be repeated",
        )

    def handle(self, *args, ids=None, **options):
        done, failed = stripe_webhooks_replay(ids=ids)
        self.stdout.write(f"{done} event(s) processed, {failed} still failing.")
        if failed:
            raise CommandError(f"{failed} event(s) still failing: see their error in the admin.")
