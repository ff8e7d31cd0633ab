"""Celery tasks of the records app."""

from celery import shared_task

from records import services
from records.services import record_updates_compute


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def record_updates_daily() -> dict:
    """Compute today's MARC update files (new and delete records) of every subscriber."""
    return record_updates_compute()


@shared_task(acks_late=True)
def records_export_prepare(export_id: int) -> str:
    """Prepare a full file of records asked for on the records page (failed, not raised,
    when it cannot be: the page says why)."""
    return services.records_export_prepare(export_id=export_id)


@shared_task
def records_exports_sweep() -> dict:
    """Delete expired full files; fail those a lost worker left pending."""
    return services.records_exports_sweep()
