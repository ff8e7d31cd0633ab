"""Celery tasks of the records app."""

from celery import shared_task

from records.services import record_updates_compute


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def record_updates_daily() -> dict:
    """Compute today's MARC update files (new and delete records) of every subscriber."""
    return record_updates_compute()
