"""Admin conventions shared by the apps."""

from __future__ import annotations


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
