"""Background jobs of the orders app: small, take ids, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from orders.models import OrderEvent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_status_email_send(event_id: int) -> int:
    """E-mail the library about one status change of its order (queued on commit). The
    event is claimed first, so a second run sends nothing; a failed send gives the claim
    back for the retry."""
    from orders.emails import order_status_email

    claimed = OrderEvent.objects.filter(pk=event_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return 0
    event = OrderEvent.objects.select_related("order", "order__library").get(pk=event_id)
    try:
        return order_status_email(event)
    except Exception:
        OrderEvent.objects.filter(pk=event_id).update(emailed_at=None)
        raise
