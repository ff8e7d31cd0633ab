"""Celery tasks of the royalties app: small, repeatable, taking ids."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from royalties.periods import period_just_ended


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def statements_draft_due(day: str | None = None) -> dict:
    """Every morning (or for `day`, ISO); on the first day of a period
    (ROYALTY_STATEMENT_PERIOD: a quarter or a year), draft every contract's statement of
    the period that just ended. Running it twice recomputes the drafts and leaves the
    approved ones alone."""
    from royalties.services import statements_draft_period

    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    period = period_just_ended(settings.ROYALTY_STATEMENT_PERIOD, today=today)
    if period is None:
        return {"drafted": 0, "kept": 0}
    return statements_draft_period(period=period, today=today)


@shared_task(autoretry_for=(OSError,), max_retries=5, retry_backoff=True)
def statement_email_send(statement_id: int) -> int:
    """E-mail a sent statement, its PDF attached, to the contacts it was sent to."""
    from royalties.emails import statement_email

    return statement_email(statement_id)


@shared_task(autoretry_for=(OSError,), max_retries=5, retry_backoff=True)
def invitation_email_send(user_id: int) -> int:
    """E-mail an invited rights holder's user how to choose their password."""
    from royalties.emails import invitation_email

    return invitation_email(user_id)
