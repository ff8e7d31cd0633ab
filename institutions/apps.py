from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("Institutions")

    def ready(self):
        from backend.revision.counter import bumped_by
        from institutions.models import Institution, NetworkMembership, OnSiteIPRange

        # the caller's institution in the film list's pages; the viewer's library with its
        # IP ranges and networks, which the playback start remembers
        bumped_by(Institution, OnSiteIPRange, NetworkMembership)
