"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from accounts.services import expired_api_tokens_delete


@shared_task(acks_late=True)
def expired_api_tokens_sweep() -> int:
    """Delete expired API tokens (authentication already refuses them; nothing is written on
    the request path)."""
    return expired_api_tokens_delete()
