"""Reason codes of the accounts app."""

from django.db import models


class AccountErrorCode(models.TextChoices):
    INVALID_CREDENTIALS = "invalid_credentials"
