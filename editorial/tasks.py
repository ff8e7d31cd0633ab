"""Celery tasks of the editorial app."""

from celery import shared_task

from editorial.newsletter import newsletter_send_all
from editorial.ratings import appreciated_refresh


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def newsletter_monthly() -> dict:
    """Send last month's newsletter to every subscribing library (each one once)."""
    return newsletter_send_all()


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def appreciated_refresh_hourly() -> int:
    """Rank the films patrons appreciate most (the home page's section)."""
    return appreciated_refresh()
