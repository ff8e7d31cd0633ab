from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rights.models import (
    Contract,
    Negotiation,
    NegotiationExchange,
    RenegotiationCampaign,
    RightsGrant,
    RightsHolder,
    RightsHolderContact,
)


class RightsHolderContactInline(admin.TabularInline):
    model = RightsHolderContact
    extra = 0


@admin.register(RightsHolder)
class RightsHolderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "country", "siret")
    list_filter = ("kind", "country")
    search_fields = ("name", "siret", "contacts__name", "contacts__email")
    inlines = [RightsHolderContactInline]


class RightsGrantInline(admin.TabularInline):
    model = RightsGrant
    extra = 0
    raw_id_fields = ("film",)


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "rights_holder", "status", "signed_on", "fee", "in_charge")
    list_select_related = ("rights_holder", "in_charge")
    list_filter = ("status",)
    search_fields = ("reference", "rights_holder__name")
    raw_id_fields = ("rights_holder",)
    inlines = [RightsGrantInline]


@admin.register(RightsGrant)
class RightsGrantAdmin(SimpleHistoryAdmin):
    list_display = ("film", "medium", "starts_on", "ends_on", "contract")
    list_filter = ("medium",)
    search_fields = ("film__title", "film__reference", "contract__reference")
    raw_id_fields = ("film", "contract")
    date_hierarchy = "ends_on"


class NegotiationExchangeInline(admin.TabularInline):
    model = NegotiationExchange
    extra = 0


@admin.register(Negotiation)
class NegotiationAdmin(SimpleHistoryAdmin):
    list_display = ("film", "rights_holder", "status", "assignee", "due_on", "campaign")
    list_select_related = ("film", "rights_holder", "assignee", "campaign")
    list_filter = ("status", "campaign")
    search_fields = ("film__title", "film__reference", "rights_holder__name")
    raw_id_fields = ("film", "rights_holder", "contract")
    inlines = [NegotiationExchangeInline]


@admin.register(RenegotiationCampaign)
class RenegotiationCampaignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "deadline")
    search_fields = ("name",)
