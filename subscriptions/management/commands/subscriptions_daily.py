"""Run the subscriptions' daily job now (what Celery beat runs every morning)."""

from django.core.management.base import BaseCommand

from subscriptions.tasks import subscriptions_daily


class Command(BaseCommand):
    help = "Expire finished subscription periods and send the renewal reminders that are due."

    def handle(self, *args, **options):
        result = subscriptions_daily.apply().get()
        self.stdout.write(
            f"{result['expired']} subscription(s) expired, {result['reminders']} reminder(s) sent"
        )
