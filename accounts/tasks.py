"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from accounts.services import expired_api_tokens_delete


@shared_task(acks_late=True)
def expired_api_tokens_sweep() -> int:
    """Delete expired API tokens (authentication already refuses them; nothing is written on
    the request path)."""
    return expired_api_tokens_delete()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def staff_invitation_send(user_id: int, invited_by: str = "") -> int:
    """E-mail an invited colleague their one-time link (queued once the invitation
    commits)."""
    from accounts.emails import staff_invitation_email

    return staff_invitation_email(user_id=user_id, invited_by=invited_by)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_send(user_id: int) -> int:
    """E-mail a one-time link to set a new password."""
    from accounts.emails import password_reset_email

    return password_reset_email(user_id=user_id)
