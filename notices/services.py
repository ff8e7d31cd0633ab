"""The daily advance notice of withdrawals (Celery beat; also `manage.py
withdrawal_notices`): a library that uses a film — an upcoming screening, an open DVD
order, recent views — is told WITHDRAWAL_NOTICE_DAYS ahead that the film leaves a medium
for it, once per film, medium and end date. Screenings booked after the end of the rights
are flagged to the library and to the cinema staff; they are not cancelled: the staff may
still renew the rights, or the library move its screening."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from backend.db import mail_after_commit
from institutions.models import Institution
from notices import selectors
from notices.locks import lock_notices_to_send
from notices.models import WithdrawalNotice
from rights.models import Medium


def _library_message(institution, notices) -> str:
    lines = [
        _("These films will no longer be available to %(library)s:")
        % {"library": institution.name},
        "",
    ]
    for notice in notices:
        lines.append(
            _("- “%(title)s” (%(reference)s), %(medium)s: last day %(last_day)s")
            % {
                "title": notice.film.title,
                "reference": notice.film.reference,
                "medium": Medium(notice.medium).label,
                "last_day": notice.last_day.isoformat(),
            }
        )
        for booking_id, day in notice.bookings_after_end:
            lines.append(
                "  "
                + _(
                    "Your screening no. %(booking)s on %(day)s falls after this date: "
                    "it is not cancelled, but it cannot take place unless the rights are "
                    "renewed; please contact the cinema service."
                )
                % {"booking": booking_id, "day": day}
            )
    return "\n".join(lines)


def _staff_message(at_risk) -> str:
    lines = [_("Screenings booked after the end of the rights:"), ""]
    for notice in at_risk:
        for booking_id, day in notice.bookings_after_end:
            lines.append(
                _(
                    "- %(library)s: “%(title)s” on %(day)s (booking no. %(booking)s), rights end %(last_day)s"
                )
                % {
                    "library": notice.institution.name,
                    "title": notice.film.title,
                    "day": day,
                    "booking": booking_id,
                    "last_day": notice.last_day.isoformat(),
                }
            )
    return "\n".join(lines)


@transaction.atomic
def withdrawal_notices_send(*, today: datetime.date | None = None, days: int | None = None) -> dict:
    """Record the notices due today and queue their e-mails — one per library, and one to
    the cinema staff for the screenings at risk — for once the transaction commits (a
    rolled-back run sends nothing; no mail waits on the notices' locks); what was done,
    as counts ("emails": the messages queued)."""
    from notices.tasks import screenings_at_risk_email_send, withdrawal_notice_email_send

    today = today or timezone.localdate()
    days = selectors.horizon_days() if days is None else days
    films = {film.pk: film for film in selectors.candidate_films(today=today, days=days)}
    users = selectors.film_users(films, today=today)
    institutions = Institution.objects.in_bulk(list(users))
    found = []
    for institution_id, used in users.items():
        institution = institutions[institution_id]
        used_films = [films[film_id] for film_id in sorted(used)]
        for row in selectors.leaving(institution, used_films, today=today, days=days):
            found.append((institution, row, sorted(used[row["film"].pk])))
    bookings = selectors.bookings_after(
        pairs={(inst.pk, row["film"].pk) for inst, row, _ in found}, today=today
    )
    WithdrawalNotice.objects.bulk_create(
        [
            WithdrawalNotice(
                institution=institution,
                film=row["film"],
                medium=row["medium"],
                last_day=row["last_day"],
                reasons=reasons,
                bookings_after_end=[
                    [pk, day.isoformat()]
                    for pk, day in bookings.get((institution.pk, row["film"].pk), ())
                    if day > row["last_day"]
                ]
                if row["medium"] == Medium.PUBLIC_SCREENING
                else [],
                notified_on=today,
            )
            for institution, row, reasons in found
        ],
        ignore_conflicts=True,
    )
    new = list(lock_notices_to_send(today))
    by_institution = defaultdict(list)
    for notice in new:
        by_institution[notice.institution_id].append(notice)
    emails = 0
    for notices in by_institution.values():
        recipients = account_selectors.institution_recipients(notices[0].institution)
        if not recipients:
            continue  # nobody to tell: the notices stay unsent
        ids = [notice.pk for notice in notices]
        # claimed in this transaction; the mail goes once it commits (a failed send gives
        # the claim back, see notices.tasks)
        WithdrawalNotice.objects.filter(pk__in=ids).update(emails_sent=len(recipients))
        mail_after_commit(withdrawal_notice_email_send, notice_ids=ids)
        emails += 1
    at_risk = [notice.pk for notice in new if notice.bookings_after_end]
    if at_risk and staff_recipients():
        mail_after_commit(screenings_at_risk_email_send, notice_ids=at_risk)
        emails += 1
    return {
        "notices": len(new),
        "emails": emails,
        "screenings_at_risk": sum(len(n.bookings_after_end) for n in new),
    }


def staff_recipients() -> list[str]:
    """The cinema staff told of screenings booked after the end of the rights."""
    return list(
        User.objects.filter(role__in=User.CINEMA_ROLES, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def _notices(notice_ids) -> list[WithdrawalNotice]:
    return list(
        WithdrawalNotice.objects.filter(pk__in=list(notice_ids))
        .select_related("film", "institution")
        .order_by("institution_id", "last_day", "film__title", "medium")
    )


def withdrawal_notice_email(*, notice_ids) -> int:
    """E-mail one library its notices (all of one institution), once the job committed;
    the number of messages sent."""
    notices = _notices(notice_ids)
    if not notices:
        return 0
    institution = notices[0].institution
    recipients = account_selectors.institution_recipients(institution)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return send_mail(
            _("Films leaving soon: %(count)s") % {"count": len(notices)},
            _library_message(institution, notices),
            None,
            recipients,
        )


def screenings_at_risk_email(*, notice_ids) -> int:
    """E-mail the cinema staff the screenings booked after the end of the rights."""
    at_risk = _notices(notice_ids)
    staff = staff_recipients()
    if not (at_risk and staff):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return send_mail(
            _("Screenings booked after the end of the rights: %(count)s")
            % {"count": sum(len(n.bookings_after_end) for n in at_risk)},
            _staff_message(at_risk),
            None,
            staff,
        )
