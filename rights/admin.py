from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rights.models import RightsHolder, RightsHolderContact


class RightsHolderContactInline(admin.TabularInline):
    model = RightsHolderContact
    extra = 0


@admin.register(RightsHolder)
class RightsHolderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "country", "siret")
    list_filter = ("kind", "country")
    search_fields = ("name", "siret", "contacts__name", "contacts__email")
    inlines = [RightsHolderContactInline]
