"""Admin conventions shared by the apps."""

from __future__ import annotations

from django.db import models


class SystemRecordAdmin:
    """For records only the system writes — logs, ledgers, deliveries, numbered documents:
    playback sessions and view events (they count in statistics), webhook events, invoices,
    newsletter sends, stock movements… The admin shows them; nobody adds, edits or deletes
    them there (their services keep their rules: numbering, locks, ledgers, idempotency).
    Mix in before `admin.ModelAdmin` or an inline class."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HttpsURLFieldsAdmin:
    """Admin forms whose URL fields complete an address typed without a scheme with
    `https://` — Django 6.0's default, asked for now on each field: `forms.URLField`
    without `assume_scheme` warns (RemovedInDjango60Warning), and the transitional
    `FORMS_URLFIELD_ASSUME_HTTPS` setting warns at start-up itself. The suite turns that
    warning into an error (pyproject.toml). Mix in before `admin.ModelAdmin` or an inline
    class of any model with a `URLField`."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
