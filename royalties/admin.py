from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from royalties.models import PaymentTerms, PerUseRate, RightsHolderMember, Statement


class PerUseRateInline(admin.TabularInline):
    model = PerUseRate
    extra = 0


@admin.register(PaymentTerms)
class PaymentTermsAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "valid_from", "valid_to", "flat_fee", "fee_schedule"]
    list_select_related = ["contract"]
    inlines = [PerUseRateInline]
    raw_id_fields = ["contract", "created_by"]


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "period_start", "period_end", "status", "total", "due_on"]
    list_filter = ["status", "period_kind"]
    list_select_related = ["contract"]
    readonly_fields = [field.name for field in Statement._meta.fields]


@admin.register(RightsHolderMember)
class RightsHolderMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "rights_holder", "invited_at"]
    raw_id_fields = ["user", "rights_holder", "invited_by"]
