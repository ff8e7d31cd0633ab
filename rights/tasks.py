"""Celery tasks of the rights app."""

import datetime

from celery import shared_task

from rights import services
from rights.models import GrantExpiryAlert


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def rights_daily() -> dict:
    """Flag expiring grants and e-mail the digest; withdraw films left without rights."""
    return services.rights_daily()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def expiry_digest_send(
    *, email: str, alert_ids: list[int], withdrawn_ids: list[int], day: str
) -> int:
    """E-mail one digest of the daily job (queued once the job commits). The flags it
    tells of were claimed by the job; a failed send gives them back (the next run tells
    them again) and is retried, a successful one keeps them told."""
    from rights.services.daily import expiry_digest_email

    try:
        sent = expiry_digest_email(
            email=email,
            alert_ids=alert_ids,
            withdrawn_ids=withdrawn_ids,
            day=datetime.date.fromisoformat(day),
        )
    except Exception:
        GrantExpiryAlert.objects.filter(pk__in=alert_ids).update(notified=False)
        raise
    GrantExpiryAlert.objects.filter(pk__in=alert_ids).update(notified=True)
    return sent
