from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from backend.admin import SystemRecordAdmin
from backend.errors import ApplicationError
from subscriptions.models import (
    Invoice,
    Patron,
    Plan,
    PriceTier,
    ScreeningBooking,
    ScreeningCreditEntry,
    Subscription,
    TariffGrid,
    WebhookEvent,
)
from subscriptions.services import billing


class PlanInline(admin.TabularInline):
    model = Plan
    extra = 0
    show_change_link = True


@admin.register(TariffGrid)
class TariffGridAdmin(admin.ModelAdmin):
    list_display = ("year", "vat_rate")
    inlines = [PlanInline]


class PriceTierInline(admin.TabularInline):
    model = PriceTier
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "grid", "kind", "screenings_per_year", "includes_streaming")
    list_filter = ("grid", "kind")
    inlines = [PriceTierInline]


class CreditEntryInline(SystemRecordAdmin, admin.TabularInline):
    model = ScreeningCreditEntry
    extra = 0
    readonly_fields = ("kind", "quantity", "booking", "note", "created_at", "created_by")
    can_delete = False


@admin.register(Subscription)
class SubscriptionAdmin(SimpleHistoryAdmin):
    list_display = (
        "subscriber",
        "plan",
        "starts_on",
        "ends_on",
        "status",
        "price_incl_vat",
        "payment_method",
    )
    list_filter = ("status", "plan__kind", "payment_method", "plan__grid")
    search_fields = ("subscriber__name", "subscriber__code", "purchase_order_reference")
    autocomplete_fields = ("subscriber",)
    list_select_related = ("subscriber", "plan__grid")
    date_hierarchy = "starts_on"
    readonly_fields = ("status", "activated_at", "cancelled_at", "created_at")
    inlines = [CreditEntryInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":  # a plan is shown with its grid's year: one query
            kwargs["queryset"] = db_field.related_model.objects.select_related("grid")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ScreeningBooking)
class ScreeningBookingAdmin(SimpleHistoryAdmin):
    list_display = ("film", "library", "starts_at", "venue", "status", "actual_attendance")
    list_filter = ("status",)
    search_fields = ("film__title", "library__name", "venue")
    list_select_related = ("film", "library")
    date_hierarchy = "starts_at"
    raw_id_fields = ("film", "library", "subscription")


@admin.register(Patron)
class PatronAdmin(SystemRecordAdmin, admin.ModelAdmin):
    list_display = ("user", "institution", "home_area", "created_at", "erased_at")
    search_fields = ("user__username", "institution__name")
    list_select_related = ("user", "institution")
    readonly_fields = ("card_digest",)
    raw_id_fields = ("user", "institution")


@admin.register(Invoice)
class InvoiceAdmin(SystemRecordAdmin, admin.ModelAdmin):
    list_display = ("number", "subscription", "issued_on", "due_on", "amount_incl_vat", "status")
    list_filter = ("status", "year")
    search_fields = ("number", "subscription__subscriber__name", "purchase_order_reference")
    readonly_fields = ("number", "year", "sequence")
    list_select_related = ("subscription__subscriber", "subscription__plan")
    raw_id_fields = ("subscription",)
    actions = ["record_transfer_today"]

    @admin.action(description=_("Record the transfer, received today"))
    def record_transfer_today(self, request, queryset):
        """The staff record a bank transfer received today (`billing.invoice_mark_paid`:
        the invoice paid, its subscription active); a refusal is shown with its reason."""
        today = timezone.localdate()
        for invoice in queryset.order_by("pk"):
            try:
                billing.invoice_mark_paid(invoice=invoice, paid_on=today, by=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{invoice.number}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Invoice %(number)s recorded as paid.") % {"number": invoice.number},
                    messages.SUCCESS,
                )


@admin.register(WebhookEvent)
class WebhookEventAdmin(SystemRecordAdmin, admin.ModelAdmin):
    list_display = (
        "provider",
        "event_id",
        "event_type",
        "signature_valid",
        "duplicate_of",
        "processed",
        "received_at",
    )
    list_filter = (
        "provider",
        "signature_valid",
        ("duplicate_of", admin.EmptyFieldListFilter),
        "processed",
        "event_type",
    )
    list_select_related = ("duplicate_of",)
    search_fields = ("event_id",)
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
