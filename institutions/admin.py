from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from institutions.models import Institution, NetworkMembership, OnSiteIPRange


class OnSiteIPRangeInline(admin.TabularInline):
    model = OnSiteIPRange
    extra = 0


class MembershipInline(admin.TabularInline):
    model = NetworkMembership
    fk_name = "network"
    extra = 0
    autocomplete_fields = ("library",)
    verbose_name = _("member library")
    verbose_name_plural = _("member libraries")


class DvdAuthorisedFilter(admin.SimpleListFilter):
    title = _("DVD network")
    parameter_name = "dvd"

    def lookups(self, request, model_admin):
        return [("authorised", _("Authorised")), ("suspended", _("Suspended")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "authorised":
            return queryset.filter(dvd_authorised_since__isnull=False, dvd_suspended=False)
        if self.value() == "suspended":
            return queryset.filter(dvd_suspended=True)
        if self.value() == "no":
            return queryset.filter(dvd_authorised_since__isnull=True)
        return queryset


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "is_network",
        "department_code",
        "population_served",
        "dvd_authorised_since",
        "dvd_suspended",
    )
    list_filter = ("kind", "is_network", DvdAuthorisedFilter, "region_code")
    search_fields = ("name", "code", "commune", "department_code")
    inlines = [OnSiteIPRangeInline, MembershipInline]
    fieldsets = (
        (None, {"fields": ("name", "code", "kind", "is_network", "email")}),
        (
            _("Territory"),
            {"fields": ("commune", "department_code", "region_code", "population_served")},
        ),
        (
            _("DVD network"),
            {"fields": ("dvd_authorised_since", "dvd_suspended", "dvd_suspension_reason")},
        ),
    )
