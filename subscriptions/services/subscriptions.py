"""The life of a subscription: quote → awaiting payment → active → expired / cancelled,
renewal into the next period with that year's grid, renewal reminders."""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from backend.errors import ApplicationError
from institutions.models import Institution
from subscriptions.errors import SubscriptionErrorCode
from subscriptions.locks import lock_subscriptions
from subscriptions.models import Plan, RenewalReminder, ScreeningCreditEntry, Subscription
from subscriptions.selectors import grid_for, period_ended, plan_quote

logger = logging.getLogger(__name__)

Status = Subscription.Status

#: status -> statuses it may move to
TRANSITIONS = {
    Status.QUOTE: {Status.AWAITING_PAYMENT, Status.ACTIVE, Status.CANCELLED},
    Status.AWAITING_PAYMENT: {Status.ACTIVE, Status.CANCELLED},
    Status.ACTIVE: {Status.EXPIRED, Status.CANCELLED},
    Status.EXPIRED: set(),
    Status.CANCELLED: set(),
}
REMINDER_DAYS = (60, 30, 7)


def period_of_one_year(starts_on: datetime.date) -> datetime.date:
    """The inclusive last day of a one-year period starting on `starts_on`."""
    try:
        anniversary = starts_on.replace(year=starts_on.year + 1)
    except ValueError:  # 29 February
        anniversary = starts_on.replace(year=starts_on.year + 1, day=28) + datetime.timedelta(
            days=1
        )
    return anniversary - datetime.timedelta(days=1)


def _lock(subscription: Subscription) -> Subscription:
    return lock_subscriptions([subscription.pk])[subscription.pk]


def _move(subscription: Subscription, to: str) -> None:
    if to not in TRANSITIONS[subscription.status]:
        raise ApplicationError(
            SubscriptionErrorCode.INVALID_TRANSITION,
            _("A subscription cannot go from “%(from)s” to “%(to)s”.")
            % {"from": subscription.get_status_display(), "to": Status(to).label},
            status=409,
        )
    subscription.status = to


@transaction.atomic
def subscription_quote_create(
    *,
    subscriber: Institution,
    plan: Plan,
    starts_on: datetime.date,
    created_by: User | None = None,
    previous: Subscription | None = None,
) -> Subscription:
    """A quote for a plan of the grid in force on the start date, priced for the
    subscriber's population served."""
    grid = grid_for(starts_on.year)
    if plan.grid_id != grid.pk:
        raise ApplicationError(
            SubscriptionErrorCode.PLAN_NOT_IN_GRID,
            _("This plan is not in the %(year)s tariff grid.") % {"year": grid.year},
            field="plan",
        )
    ends_on = period_of_one_year(starts_on)
    overlapping = Subscription.objects.filter(
        subscriber=subscriber,
        plan__kind=plan.kind,
        status__in=[Status.AWAITING_PAYMENT, Status.ACTIVE],
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if overlapping.exists():
        raise ApplicationError(
            SubscriptionErrorCode.OVERLAPPING_SUBSCRIPTION,
            _("The subscriber already has a subscription of this kind for this period."),
            field="starts_on",
            status=409,
        )
    quote = plan_quote(plan=plan, population_served=subscriber.population_served)
    subscription = Subscription(
        subscriber=subscriber,
        plan=plan,
        tier=quote.tier,
        starts_on=starts_on,
        ends_on=ends_on,
        population_served=subscriber.population_served,
        price_excl_vat=quote.price_excl_vat,
        vat_rate=quote.vat_rate,
        price_incl_vat=quote.price_incl_vat,
        previous=previous,
        created_by=created_by,
    )
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_payment_request(
    *, subscription: Subscription, payment_method: str, purchase_order_reference: str = ""
) -> Subscription:
    """The subscriber accepts the quote and chooses how to pay; an administrative invoice
    is issued at once for public-sector payment."""
    subscription = _lock(subscription)
    _move(subscription, Status.AWAITING_PAYMENT)
    subscription.payment_method = payment_method
    subscription.purchase_order_reference = purchase_order_reference
    subscription.full_clean()
    subscription.save()
    if payment_method == Subscription.PaymentMethod.ADMINISTRATIVE_INVOICE:
        from subscriptions.services.billing import invoice_issue

        invoice_issue(subscription=subscription)
    return subscription


@transaction.atomic
def subscription_activate(
    *, subscription: Subscription, by: User | None = None, today: datetime.date | None = None
) -> Subscription:
    """Payment received (or waived by the staff): the subscription is active and its year's
    screening allowance enters the ledger. Refused (409 `period_ended`) once its period is
    over: it would cover nothing, and be listed active."""
    today = today or timezone.localdate()
    subscription = _lock(subscription)
    _move(subscription, Status.ACTIVE)
    if period_ended(subscription, today):
        raise ApplicationError(
            SubscriptionErrorCode.PERIOD_ENDED,
            _("This subscription's period ended on %(day)s: it can no longer be activated.")
            % {"day": subscription.ends_on.isoformat()},
            status=409,
        )
    subscription.activated_at = timezone.now()
    subscription.save(update_fields=["status", "activated_at"])
    if subscription.plan.screenings_per_year:
        ScreeningCreditEntry.objects.create(
            subscription=subscription,
            kind=ScreeningCreditEntry.Kind.ALLOWANCE,
            quantity=subscription.plan.screenings_per_year,
            created_by=by,
            note=_("Allowance for the period"),
        )
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, by: User | None = None) -> Subscription:
    subscription = _lock(subscription)
    _move(subscription, Status.CANCELLED)
    subscription.cancelled_at = timezone.now()
    subscription.save(update_fields=["status", "cancelled_at"])
    return subscription


@transaction.atomic
def subscription_renew(*, subscription: Subscription, by: User | None = None) -> Subscription:
    """A quote for the next period, with the same plan in the grid of that year."""
    subscription = _lock(subscription)
    if subscription.renewals.exists():
        raise ApplicationError(
            SubscriptionErrorCode.ALREADY_RENEWED,
            _("This subscription has already been renewed."),
            status=409,
        )
    if subscription.status not in (Status.ACTIVE, Status.EXPIRED):
        raise ApplicationError(
            SubscriptionErrorCode.INVALID_TRANSITION,
            _("Only an active or expired subscription can be renewed."),
            status=409,
        )
    starts_on = subscription.ends_on + datetime.timedelta(days=1)
    grid = grid_for(starts_on.year)
    plan = grid.plans.filter(code=subscription.plan.code).first()
    if plan is None:
        raise ApplicationError(
            SubscriptionErrorCode.PLAN_NOT_IN_GRID,
            _("This plan is not in the %(year)s tariff grid.") % {"year": grid.year},
        )
    renewal = subscription_quote_create(
        subscriber=subscription.subscriber,
        plan=plan,
        starts_on=starts_on,
        created_by=by,
        previous=subscription,
    )
    # the fair-use limits the subscriber chose carry over to the next period
    for name in QUOTA_FIELDS:
        setattr(renewal, name, getattr(subscription, name))
    renewal.save(update_fields=list(QUOTA_FIELDS))
    return renewal


QUOTA_FIELDS = (
    "patron_monthly_films",
    "library_daily_films",
    "library_annual_films",
    "viewing_window_hours",
)


def subscriptions_expire(*, today: datetime.date | None = None) -> int:
    """Active subscriptions whose period is over become expired (daily job)."""
    today = today or timezone.localdate()
    return Subscription.objects.filter(status=Status.ACTIVE, ends_on__lt=today).update(
        status=Status.EXPIRED
    )


def renewal_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail the subscriber 60, 30 and 7 days before the end of an active subscription
    that has not been renewed. Each reminder is claimed once (a unique row), so running
    the job twice — or missing a day — never sends a reminder twice or skips one."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    due = Subscription.objects.filter(
        status=Status.ACTIVE, ends_on__gte=today, ends_on__lte=horizon, renewals__isnull=True
    ).select_related("subscriber", "plan")
    sent = 0
    for subscription in due:
        days_left = (subscription.ends_on - today).days
        threshold = min(d for d in REMINDER_DAYS if d >= days_left)
        try:
            with transaction.atomic():
                RenewalReminder.objects.create(subscription=subscription, days_before=threshold)
        except IntegrityError:
            continue
        recipients = account_selectors.institution_recipients(subscription.subscriber)
        if recipients:
            send_mail(
                _("Your subscription ends on %(date)s") % {"date": subscription.ends_on},
                _(
                    "The subscription “%(plan)s” of %(subscriber)s ends on %(date)s. "
                    "Renew it to keep access to the films."
                )
                % {
                    "plan": subscription.plan.name,
                    "subscriber": subscription.subscriber.name,
                    "date": subscription.ends_on,
                },
                None,
                recipients,
            )
        sent += 1
    return sent
