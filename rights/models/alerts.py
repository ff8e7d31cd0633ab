"""What the daily rights job has already done, so that running it again changes nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rights.models.contracts import RightsGrant


class GrantExpiryAlert(models.Model):
    """A grant flagged as expiring soon: one row per grant, end date and notice threshold
    (days before the end). Extending the grant changes its end date, so the new end is
    flagged again when it comes near."""

    grant = models.ForeignKey(
        RightsGrant,
        on_delete=models.CASCADE,
        related_name="expiry_alerts",
        verbose_name=_("rights grant"),
    )
    ends_on = models.DateField(_("ends on"))
    threshold_days = models.PositiveIntegerField(_("notice (days before the end)"))
    flagged_on = models.DateField(_("flagged on"))
    notified = models.BooleanField(_("staff notified"), default=False)

    class Meta:
        verbose_name = _("grant expiry alert")
        verbose_name_plural = _("grant expiry alerts")
        ordering = ["ends_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "ends_on", "threshold_days"], name="grant_expiry_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.grant_id} ends {self.ends_on} ({self.threshold_days} d)"
