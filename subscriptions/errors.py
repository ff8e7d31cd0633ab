"""Reason codes of the subscriptions app (stable: clients branch on them)."""

from django.db import models
from django.utils.translation import gettext as _

from backend.errors import ApplicationError


class SubscriptionErrorCode(models.TextChoices):
    NO_TIER = "no_tier"
    NO_GRID = "no_grid"
    PLAN_NOT_IN_GRID = "plan_not_in_grid"
    INVALID_TRANSITION = "invalid_status_transition"
    ALREADY_RENEWED = "already_renewed"
    OVERLAPPING_SUBSCRIPTION = "overlapping_subscription"
    NOT_A_SUBSCRIBER = "not_a_subscriber"
    PERIOD_ENDED = "period_ended"


class ScreeningErrorCode(models.TextChoices):
    DATE_IN_PAST = "date_in_past"
    NO_SUBSCRIPTION = "no_subscription"
    NO_CREDIT_LEFT = "no_credit_left"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_YET_HELD = "not_yet_held"
    ALREADY_REPORTED = "already_reported"


class PatronErrorCode(models.TextChoices):
    CARD_ALREADY_REGISTERED = "card_already_registered"
    INVALID_LOGIN = "invalid_patron_login"
    LINK_EXPIRED = "link_expired"
    LINK_REPLAYED = "link_replayed"
    LINK_INVALID = "link_invalid"
    NO_PORTAL_KEY = "no_portal_key"
    NOT_A_LIBRARY_STAFF = "not_library_staff"
    NO_STREAMING_SUBSCRIPTION = "no_streaming_subscription"
    PATRON_ERASED = "patron_erased"
    NOT_AN_ADMINISTRATOR = "not_an_administrator"


class BillingErrorCode(models.TextChoices):
    NOT_AN_INVOICE_SUBSCRIPTION = "not_invoice_payment"
    INVOICE_NOT_PAYABLE = "invoice_not_payable"
    WEBHOOK_SIGNATURE = "invalid_signature"
    STRIPE_NOT_CONFIGURED = "stripe_not_configured"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    PAYMENT_PROVIDER = "payment_provider_error"
    ALREADY_PAID = "already_paid"


class QuotaErrorCode(models.TextChoices):
    PATRON_QUOTA = "patron_quota"
    LIBRARY_DAILY_CAP = "library_daily_cap"
    LIBRARY_ANNUAL_CAP = "library_annual_cap"


def no_streaming_subscription() -> ApplicationError:
    """The refusal when no active subscription including streaming covers a library."""
    return ApplicationError(
        PatronErrorCode.NO_STREAMING_SUBSCRIPTION,
        _("Your library has no active subscription to the streaming platform."),
        status=403,
    )
