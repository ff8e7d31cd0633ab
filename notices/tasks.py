"""Celery tasks of the notices app: the daily job, and its e-mails (queued once the job
commits; small, take ids, safe to retry)."""

from celery import shared_task

from notices.models import WithdrawalNotice
from notices.services import (
    screenings_at_risk_email,
    withdrawal_notice_email,
    withdrawal_notices_send,
)


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def withdrawal_notices_daily() -> dict:
    """Tell the libraries that use a film that it leaves a medium for them soon."""
    return withdrawal_notices_send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def withdrawal_notice_email_send(*, notice_ids: list[int]) -> int:
    """E-mail one library its notices. The job claimed them (`emails_sent`); a failed
    send gives the claim back and is retried."""
    try:
        return withdrawal_notice_email(notice_ids=notice_ids)
    except Exception:
        WithdrawalNotice.objects.filter(pk__in=notice_ids).update(emails_sent=0)
        raise


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def screenings_at_risk_email_send(*, notice_ids: list[int]) -> int:
    """E-mail the cinema staff the screenings booked after the end of the rights."""
    return screenings_at_risk_email(notice_ids=notice_ids)
