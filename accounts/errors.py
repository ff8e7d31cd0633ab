"""Reason codes of the accounts app."""

from django.db import models


class AccountErrorCode(models.TextChoices):
    INVALID_CREDENTIALS = "invalid_credentials"
    NOT_AN_ADMINISTRATOR = "not_an_administrator"
    INVALID_ROLE = "invalid_role"
    EMAIL_TAKEN = "email_taken"
    OWN_ACCOUNT = "own_account"
    LAST_ADMINISTRATOR = "last_administrator"
    INVALID_LINK = "invalid_link"
    NO_PENDING_INVITATION = "no_pending_invitation"
    INVALID_PASSWORD = "invalid_password"  # noqa: S105 (a reason code, not a secret)
