"""Per-library settings of the catalogue records a library loads into its own catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordSettings(models.Model):
    """A library's proxy prefix (e.g. an EZproxy `https://proxy.bib.example/login?url=`):
    its records' playback link (856) is the platform's link behind this prefix."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="record_settings",
        verbose_name=_("institution"),
    )
    proxy_prefix = models.URLField(_("proxy prefix"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("catalogue record settings")
        verbose_name_plural = _("catalogue record settings")

    def __str__(self):
        return f"{self.institution_id}: {self.proxy_prefix or '-'}"
