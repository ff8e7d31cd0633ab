"""Reason codes of the institutions app."""

from django.db import models


class InstitutionErrorCode(models.TextChoices):
    NOT_A_NETWORK = "not_a_network"
    NOT_A_LIBRARY = "not_a_library"
    ALREADY_MEMBER = "already_member"
    NOT_A_MEMBER = "not_a_member"
    NETWORK_HAS_MEMBERS = "network_has_members"
    INVALID_PERIOD = "invalid_period"
