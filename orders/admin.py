from django.contrib import admin

from backend.admin import SystemRecordAdmin
from orders.models import DvdEdition, Order, OrderEvent, OrderLine, StockMovement


@admin.register(DvdEdition)
class DvdEditionAdmin(admin.ModelAdmin):
    list_display = ("film", "ean", "label", "price")
    search_fields = ("ean", "film__title", "film__reference")
    raw_id_fields = ("film",)


@admin.register(StockMovement)
class StockMovementAdmin(SystemRecordAdmin, admin.ModelAdmin):
    """The ledger is read here; movements are written by the services only."""

    list_display = ("created_at", "edition", "kind", "quantity", "order_line")
    list_filter = ("kind",)
    search_fields = ("edition__ean",)
    raw_id_fields = ("edition", "order_line", "created_by")


class OrderLineInline(SystemRecordAdmin, admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("edition",)
    readonly_fields = ("edition", "quantity", "status", "unit_price", "rejection_reason")
    can_delete = False


class OrderEventInline(SystemRecordAdmin, admin.TabularInline):
    model = OrderEvent
    extra = 0
    readonly_fields = ("at", "by", "from_status", "to_status", "note", "emailed_at")
    can_delete = False


@admin.register(Order)
class OrderAdmin(SystemRecordAdmin, admin.ModelAdmin):
    """Read-only: orders change status through the API's services (locks, stock, e-mail)."""

    list_display = ("pk", "library", "status", "submitted_at", "shipped_at", "delivered_at")
    list_filter = ("status",)
    search_fields = ("library__name", "library__code", "carrier_reference")
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderLineInline, OrderEventInline]
