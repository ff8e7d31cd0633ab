from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from backend.admin import SystemRecordAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "institution", "email", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "email", "first_name", "last_name", "institution__name")
    autocomplete_fields = ("institution",)
    list_select_related = ("institution",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role"), {"fields": ("role", "institution")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("role", "institution")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(SystemRecordAdmin, admin.ModelAdmin):
    """Logins (one per device): read here, and revoked by deleting them; created only by
    logging in (only a digest of each key is kept)."""

    list_display = ("token_key", "user", "device", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username", "token_key", "device")
    fields = ("token_key", "user", "device", "created", "expiry")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        # revoking a login; only those who may edit accounts (superusers)
        return request.user.has_perm("accounts.delete_apitoken")
