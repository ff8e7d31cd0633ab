from django.contrib import admin

from backend.admin import PreparedExportAdmin
from stats.models import StatsExport, SushiCredential


@admin.register(SushiCredential)
class SushiCredentialAdmin(admin.ModelAdmin):
    """Credentials are created and revoked through the API (the key is shown once there);
    the admin only reads them."""

    list_display = ["requestor_id", "institution", "label", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    raw_id_fields = ["institution", "created_by"]
    readonly_fields = ["requestor_id", "key_digest", "created_at", "created_by"]
    search_fields = ["requestor_id", "institution__code", "institution__name"]

    def has_add_permission(self, request):
        return False


@admin.register(StatsExport)
class StatsExportAdmin(PreparedExportAdmin, admin.ModelAdmin):
    pass
