"""Daily job of the subscriptions app (Celery beat; also `manage.py subscriptions_daily`):
expire finished periods, send the renewal reminders due. Safe to run twice a day."""

from celery import shared_task

from subscriptions.services.subscriptions import renewal_reminders_send, subscriptions_expire


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def subscriptions_daily() -> dict:
    return {"expired": subscriptions_expire(), "reminders": renewal_reminders_send()}
