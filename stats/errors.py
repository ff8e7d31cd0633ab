"""Reason codes of the stats app (stable: clients branch on them)."""

from django.db import models


class StatsErrorCode(models.TextChoices):
    INVALID_PERIOD = "invalid_period"
    PERIOD_TOO_LONG = "period_too_long"
    INSTITUTION_REQUIRED = "institution_required"
    INVALID_YEAR = "invalid_year"
    CREDENTIAL_REVOKED = "credential_revoked"
    ADMIN_REQUIRED = "admin_required"
    INVALID_TABLE = "invalid_table"
    TABLE_TOO_LONG = "table_too_long"
