"""Reason codes of the catalogue app."""

from django.db import models


class CatalogueErrorCode(models.TextChoices):
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    UNKNOWN_PERSON = "unknown_person"
