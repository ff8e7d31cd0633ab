"""The row locks the notices app takes, named in one place (the order across apps:
backend/locks.py)."""

from __future__ import annotations

import datetime

from notices.models import WithdrawalNotice


def lock_notices_to_send(today: datetime.date):
    """The notices written today and not yet mailed, locked (of their own rows) for the
    run that mails them, grouped by institution."""
    return (
        WithdrawalNotice.objects.select_for_update(of=("self",))
        .filter(notified_on=today, emails_sent=0)
        .select_related("institution")
        .order_by("institution_id", "last_day", "film__title", "medium")
    )
