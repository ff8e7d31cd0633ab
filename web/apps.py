from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web client: server-rendered pages for patrons, librarians and the public, on
    the same selectors and services as the API."""

    name = "web"
    verbose_name = _("web client")
