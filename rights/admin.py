from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from backend.admin import HttpsURLFieldsAdmin
from backend.errors import ApplicationError
from rights import services
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
class RightsHolderAdmin(HttpsURLFieldsAdmin, SimpleHistoryAdmin):
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
    """A contract's status moves through its services only (the API's `negotiate`,
    `sign`, `terminate` actions, with their checks and the termination's date and
    reason); here it is shown, not edited, and a selection can be signed today."""

    list_display = (
        "reference",
        "rights_holder",
        "status",
        "signed_on",
        "terminated_on",
        "fee",
        "in_charge",
    )
    list_select_related = ("rights_holder", "in_charge")
    list_filter = ("status",)
    search_fields = ("reference", "rights_holder__name")
    raw_id_fields = ("rights_holder",)
    readonly_fields = ("status", "signed_on", "terminated_on", "termination_reason")
    inlines = [RightsGrantInline]
    actions = ["sign_today"]

    @admin.action(description=_("Sign the selected contracts (today)"))
    def sign_today(self, request, queryset):
        signed = 0
        for contract in queryset.order_by("pk"):
            try:
                services.contract_sign(contract=contract)
            except ApplicationError as error:
                self.message_user(request, f"{contract}: {error.message}", messages.WARNING)
            else:
                signed += 1
        self.message_user(request, _("%(count)s contract(s) signed.") % {"count": signed})


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
