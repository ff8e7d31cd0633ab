from django.contrib import admin

from backend.admin import HttpsURLFieldsAdmin, PreparedExportAdmin
from records.models import RecordSettings, RecordsExport


@admin.register(RecordSettings)
class RecordSettingsAdmin(HttpsURLFieldsAdmin, admin.ModelAdmin):
    list_display = ("institution", "proxy_prefix", "updated_at")
    search_fields = ("institution__name", "institution__code")
    autocomplete_fields = ("institution",)


@admin.register(RecordsExport)
class RecordsExportAdmin(PreparedExportAdmin, admin.ModelAdmin):
    pass
