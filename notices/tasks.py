"""Celery tasks of the notices app."""

from celery import shared_task

from notices.services import withdrawal_notices_send


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def withdrawal_notices_daily() -> dict:
    """Tell the libraries that use a film that it leaves a medium for them soon."""
    return withdrawal_notices_send()
