"""Reason codes of the editorial app (stable: clients branch on them)."""

from django.db import models


class EditorialErrorCode(models.TextChoices):
    UNKNOWN_FILM = "unknown_film"
    DUPLICATE_ITEM = "duplicate_item"
    INVALID_PUBLICATION_WINDOW = "invalid_publication_window"
    THEME_REQUIRED = "theme_required"
    PERSON_REQUIRED = "person_required"
    UNKNOWN_THEME = "unknown_theme"
    UNKNOWN_PERSON = "unknown_person"
    INVALID_PERIOD = "invalid_period"
    INSTITUTION_REQUIRED = "institution_required"
    INVALID_MONTH = "invalid_month"
    PATRONS_ONLY = "patrons_only"
    INVALID_STARS = "invalid_stars"
    NOT_WATCHED = "not_watched"
    LIST_FULL = "list_full"
