"""The stats app's tables: the SUSHI credentials libraries' harvesting tools use, and the
statistics CSVs prepared in the background (`StatsExport`).

Figures themselves are never stored (they are aggregated from the records)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.exports import PreparedExport, live_export_constraint


class SushiCredential(models.Model):
    """A requestor id and API key that let an institution's usage-statistics tool harvest
    its COUNTER reports through the SUSHI API without logging in. The key is shown once,
    at creation; only its keyed digest (HMAC-SHA256 with the server's secret) is kept, so
    the table cannot be turned back into working keys."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="sushi_credentials",
        verbose_name=_("institution"),
    )
    requestor_id = models.CharField(_("requestor id"), max_length=40, unique=True)
    key_digest = models.CharField(_("API key digest"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SUSHI credential")
        verbose_name_plural = _("SUSHI credentials")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="sushi_credential_revoked_after_created",
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
            )
        ]

    def __str__(self):
        return f"{self.requestor_id} ({self.institution_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StatsExport(PreparedExport):
    """A statistics table's CSV too large to write in the request: prepared by a worker
    (`stats.tasks.stats_export_prepare`), offered on the statistics page when ready, to the
    staff of the institution that asked (`institution`; the figures' own scope is in
    `parameters`, checked again when the file is prepared)."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("institution"),
    )

    class Meta(PreparedExport.Meta):
        verbose_name = _("statistics export")
        verbose_name_plural = _("statistics exports")
        constraints = [live_export_constraint("stats_export_live_once")]
