from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevisionConfig(AppConfig):
    name = "backend.revision"
    label = "revision"
    verbose_name = _("Catalogue revision")
