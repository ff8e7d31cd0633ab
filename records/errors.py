"""Reason codes of the records app (stable: clients branch on them)."""

from django.db import models


class RecordsErrorCode(models.TextChoices):
    INSTITUTION_REQUIRED = "institution_required"
    INVALID_FORMAT = "invalid_format"
    ADMIN_REQUIRED = "admin_required"
    INVALID_DAY = "invalid_day"
    NOT_A_SUBSCRIBER = "not_a_subscriber"
