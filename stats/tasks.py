"""Celery tasks of the stats app: each takes ids and calls one service."""

from celery import shared_task

from stats import services


@shared_task(acks_late=True)
def stats_export_prepare(export_id: int) -> str:
    """Prepare a statistics CSV asked for on the statistics page (failed, not raised,
    when it cannot be: the page says why)."""
    return services.stats_export_prepare(export_id=export_id)


@shared_task
def stats_exports_sweep() -> dict:
    """Delete expired statistics CSVs; fail those a lost worker left pending."""
    return services.stats_exports_sweep()
