"""Rank the films patrons appreciate most now (Celery beat does it every hour)."""

from django.core.management.base import BaseCommand

from editorial.ratings import appreciated_refresh


class Command(BaseCommand):
    help = "Rank the films most appreciated by patrons from their ratings."

    def handle(self, *args, **options):
        ranked = appreciated_refresh()
        self.stdout.write(f"{ranked} films ranked")
