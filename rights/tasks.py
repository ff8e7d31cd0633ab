"""Celery tasks of the rights app."""

from celery import shared_task

from rights import services


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def rights_daily() -> dict:
    """Flag expiring grants and e-mail the digest; withdraw films left without rights."""
    return services.rights_daily()
