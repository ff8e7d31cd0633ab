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


class PreparedExportAdmin(SystemRecordAdmin):
    """The files prepared in the background (`backend.exports`): who asked for what, its
    state, the worker's claim and last heartbeat, the reason of a failure — to follow a
    file a library says is stuck. Read-only: the worker and the sweep write them. The
    file itself is not linked here (it is the library's, downloaded from its own page).
    Mix in before `admin.ModelAdmin`, on a model with `institution`."""

    list_display = (
        "pk",
        "kind",
        "institution",
        "state",
        "rows",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "expires_at",
    )
    list_filter = ("state", "kind")
    list_select_related = ("institution",)
    search_fields = ("institution__code", "institution__name", "filename")
    date_hierarchy = "created_at"
    fields = (
        "institution",
        "kind",
        "parameters",
        "state",
        "error",
        "estimated_rows",
        "rows",
        "filename",
        "content_type",
        "size",
        "language",
        "requested_by",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "expires_at",
    )
    readonly_fields = fields


class HttpsURLFieldsAdmin:
    """Admin forms whose URL fields complete an address typed without a scheme with
    `https://` — Django 6.0's default, asked for now on each field: `forms.URLField`
    without `assume_scheme` warns (RemovedInDjango60Warning), and the transitional
    `FORMS_URLFIELD_ASSUME_HTTPS` setting warns at start-up itself. The suite turns that
    warning into an error (pyproject.toml). Mix in before `admin.ModelAdmin` or an inline
    class of any model with a `URLField`."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
