from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = _("Rights")

    def ready(self):
        from backend.revision.counter import bumped_by
        from rights.models import Contract, RightsGrant

        # the film list's rights summary and the playback start's remembered decision;
        # a contract's status and termination date decide whether its grants count
        bumped_by(RightsGrant, Contract)
