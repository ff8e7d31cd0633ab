"""The rights' daily job (Celery beat, also `manage.py rights_daily`).

1. Flags the grants that end within a notice threshold (RIGHTS_EXPIRY_NOTICE_DAYS, e.g.
   180, 30 and 7 days before the end) and e-mails each staff member in charge of their
   contracts one digest (the rights negotiators when a contract has nobody in charge).
2. Withdraws from the catalogue every film left without any right: it had grants under a
   signed contract, and none is in force or to come on any medium — each ended by its
   dates or by its contract's termination. The withdrawal is dated the day after its last
   right ended and carries the reason; nothing is deleted and the history keeps every
   step. A film that loses its platform rights but keeps its DVD right stays in the
   catalogue (the DVD collection circulates until its rights end): the rights engine
   already refuses it on the platform, and the staff reports list it beforehand.

Each flag is a row unique per grant, end date and threshold, and a withdrawn film is no
longer in the catalogue, so running the job twice the same day changes nothing more.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from backend.db import mail_after_commit
from catalogue.models import Film
from catalogue.services import film_status_change
from rights.decisions import grants_for_decision, last_day_of_rights
from rights.locks import claim_alerts_to_send
from rights.models import Contract, GrantExpiryAlert, RightsGrant
from rights.selectors import grants_giving_rights_from

ONE_DAY = datetime.timedelta(days=1)
#: contracts whose grants gave rights (a terminated one until its termination date)
GAVE_RIGHTS = (Contract.Status.SIGNED, Contract.Status.TERMINATED)


def notice_thresholds() -> list[int]:
    return sorted({int(days) for days in settings.RIGHTS_EXPIRY_NOTICE_DAYS if int(days) >= 0})


def _threshold_for(days_left: int, thresholds: list[int]) -> int:
    return min(t for t in thresholds if t >= days_left)


@transaction.atomic
def grants_flag_expiring(*, today: datetime.date) -> list[GrantExpiryAlert]:
    """Record, once, each grant entering a notice threshold; the new flags (locked)."""
    thresholds = notice_thresholds()
    if not thresholds:
        return []
    horizon = today + datetime.timedelta(days=thresholds[-1])
    # grants under a signed contract: a terminated one ended by the staff's own decision
    ending = RightsGrant.objects.filter(
        ends_on__gte=today,
        ends_on__lte=horizon,
        film__status=Film.Status.IN_CATALOGUE,
        contract__status=Contract.Status.SIGNED,
    ).values_list("pk", "ends_on")
    GrantExpiryAlert.objects.bulk_create(
        [
            GrantExpiryAlert(
                grant_id=pk,
                ends_on=ends_on,
                threshold_days=_threshold_for((ends_on - today).days, thresholds),
                flagged_on=today,
            )
            for pk, ends_on in ending
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return list(claim_alerts_to_send())


def _recipients(alerts) -> dict[str, list[GrantExpiryAlert]]:
    negotiators = list(
        User.objects.filter(role=User.Role.RIGHTS_NEGOTIATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    by_email: dict[str, list[GrantExpiryAlert]] = defaultdict(list)
    for alert in alerts:
        person = alert.grant.contract.in_charge
        emails = [person.email] if person and person.is_active and person.email else negotiators
        for email in emails:
            by_email[email].append(alert)
    return by_email


def _digest_body(alerts, withdrawn, today) -> str:
    lines = [_("Rights expiring soon (as of %(day)s):") % {"day": today.isoformat()}, ""]
    for alert in alerts:
        grant = alert.grant
        lines.append(
            _(
                "- %(reference)s “%(title)s”, %(medium)s: ends on %(ends_on)s "
                "(in %(days)s days), contract %(contract)s with %(holder)s"
            )
            % {
                "reference": grant.film.reference,
                "title": grant.film.title,
                "medium": grant.get_medium_display(),
                "ends_on": grant.ends_on.isoformat(),
                "days": (grant.ends_on - today).days,
                "contract": grant.contract.reference,
                "holder": grant.contract.rights_holder.name,
            }
        )
    if withdrawn:
        lines += ["", _("Withdrawn today, no right left on any medium:")]
        lines += [f"- {film.reference} “{film.title}”" for film in withdrawn]
    return "\n".join(lines)


def films_without_rights(*, today: datetime.date):
    """Films in the catalogue that had rights — a grant under a contract that was signed —
    and have none in force or to come: each grant ended, by its own dates or by its
    contract's termination. (Grants under a contract never signed gave no rights.)"""
    gave = RightsGrant.objects.filter(film=OuterRef("pk"), contract__status__in=GAVE_RIGHTS)
    live = gave.filter(grants_giving_rights_from(today))
    return (
        Film.objects.filter(Exists(gave), ~Exists(live), status=Film.Status.IN_CATALOGUE)
        .only("pk", "status", "added_on")
        .order_by("pk")
    )


def _last_days_of_rights(film_ids) -> dict[int, datetime.date]:
    """{film id: the last day any of its grants gave rights} (one query)."""
    last: dict[int, datetime.date] = {}
    for grant in grants_for_decision(film_id__in=list(film_ids), contract__status__in=GAVE_RIGHTS):
        day = last_day_of_rights(grant)
        if day is not None and (grant.film_id not in last or day > last[grant.film_id]):
            last[grant.film_id] = day
    return last


@transaction.atomic
def films_withdraw_without_rights(*, today: datetime.date) -> list[Film]:
    """Withdraw each film left without rights, dated the day after its last right ended
    (a grant's end or its contract's termination; today at the latest)."""
    withdrawn = []
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Rights ended: no right in force or to come on any medium (daily rights job).")
    films = list(films_without_rights(today=today))
    last_days = _last_days_of_rights(film.pk for film in films)
    for film in films:
        ended = last_days.get(film.pk)
        on = today if ended is None else min(today, ended + ONE_DAY)
        if film.added_on is not None:
            on = max(on, film.added_on)  # a withdrawal never predates the film's addition
        withdrawn.append(
            film_status_change(film=film, status=Film.Status.WITHDRAWN, on=on, reason=reason)
        )
    return withdrawn


@transaction.atomic
def rights_daily(*, today: datetime.date | None = None) -> dict:
    """Run the daily job for `today` (Paris); what it did, as counts and film ids.

    The digests are e-mailed once the job's transaction commits, one task each
    (`rights.tasks.expiry_digest_send`): a run that rolls back sends nothing, and no
    mail is sent while the job holds its locks. The flags a digest tells of are claimed
    in the transaction (two runs at once never tell the same flag twice); a digest that
    cannot be sent gives its flags back to the next run."""
    from rights.tasks import expiry_digest_send  # the task calls back into this module

    today = today or timezone.localdate()
    withdrawn = [film.pk for film in films_withdraw_without_rights(today=today)]
    alerts = grants_flag_expiring(today=today)
    recipients = _recipients(alerts) if alerts else {}
    if withdrawn and not recipients:
        recipients = {email: [] for email in _recipients_for_withdrawals()}
    # a flag nobody could be told about (no address) waits for the next run
    claimed = {alert.pk for own in recipients.values() for alert in own}
    GrantExpiryAlert.objects.filter(pk__in=claimed).update(notified=True)
    for email, own in sorted(recipients.items()):
        mail_after_commit(
            expiry_digest_send,
            email=email,
            alert_ids=[alert.pk for alert in own],
            withdrawn_ids=withdrawn,
            day=today.isoformat(),
        )
    return {
        "flagged": len(alerts),
        "unnotified": len(alerts) - len(claimed),
        "emails": len(recipients),
        "withdrawn": withdrawn,
    }


def expiry_digest_email(
    *, email: str, alert_ids: list[int], withdrawn_ids: list[int], day: datetime.date
) -> int:
    """Send one staff member the digest of the flags `alert_ids` and the films withdrawn
    that day (after the job committed); the number of messages sent."""
    alerts = list(
        GrantExpiryAlert.objects.filter(pk__in=alert_ids)
        .select_related(
            "grant__film", "grant__contract__rights_holder", "grant__contract__in_charge"
        )
        .order_by("ends_on", "grant__film__title", "pk")
    )
    withdrawn = list(Film.objects.filter(pk__in=withdrawn_ids).order_by("pk"))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Rights expiring soon: %(count)s grant(s)") % {"count": len(alerts)}
        return send_mail(subject, _digest_body(alerts, withdrawn, day), None, [email])


def _recipients_for_withdrawals() -> list[str]:
    return list(
        User.objects.filter(role=User.Role.RIGHTS_NEGOTIATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
