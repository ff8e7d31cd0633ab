"""Reason codes of the royalties app (stable: clients branch on them)."""

from django.db import models


class RoyaltiesErrorCode(models.TextChoices):
    NEGATIVE_AMOUNT = "negative_amount"
    OVERLAPPING_TERMS = "overlapping_terms"
    TERMS_WINDOW_REVERSED = "terms_window_reversed"
    TERMS_IN_USE = "terms_in_use"
    UNIT_NOT_FOR_MEDIUM = "unit_not_for_medium"
    DUPLICATE_RATE = "duplicate_rate"
    INSTALMENTS_REQUIRED = "instalments_required"
    INVALID_PERIOD = "invalid_period"
    PERIOD_NOT_OVER = "period_not_over"
    CONTRACT_NOT_SIGNED = "contract_not_signed"
    STATEMENT_EXISTS = "statement_exists"
    MIXED_PERIODS = "mixed_periods"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    INPUTS_CHANGED = "inputs_changed"
    NO_CONTACT_EMAIL = "no_contact_email"
    PAID_IN_FUTURE = "paid_in_future"
    USERNAME_TAKEN = "username_taken"
    INVALID_INVITATION = "invalid_invitation"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 (a reason code)
    INVITATION_ACCEPTED = "invitation_accepted"
    ACCOUNT_CLOSED = "account_closed"
