"""django-dsfr's site configuration in the admin, its URL fields (notice link, newsletter
address, social media) completing an address typed without a scheme with `https://`
(`backend.admin.HttpsURLFieldsAdmin`). The package registers its own admin before this
module is read (it comes first in INSTALLED_APPS); it is registered again here with the
mixin. The web client reads its identity from `web.context_processors.SITE`, not from
this table."""

from django.contrib import admin
from dsfr.admin import DsfrConfigAdmin, DsfrSocialMediaInline
from dsfr.models import DsfrConfig

from backend.admin import HttpsURLFieldsAdmin


class SocialMediaInline(HttpsURLFieldsAdmin, DsfrSocialMediaInline):
    pass


class SiteConfigAdmin(HttpsURLFieldsAdmin, DsfrConfigAdmin):
    inlines = [SocialMediaInline]


admin.site.unregister(DsfrConfig)
admin.site.register(DsfrConfig, SiteConfigAdmin)
