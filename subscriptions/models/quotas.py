"""Fair use of streaming: each film a patron starts counts once per viewing window (a
"streaming loan"), against the patron's monthly quota and the library's daily and annual
caps set on the subscription; alerts when a library's use reaches 70/80/90/100 % of its
annual cap."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StreamingLoan(models.Model):
    """One film counted for a patron: from its first start to the end of the viewing
    window; restarts within the window are not counted again."""

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        related_name="streaming_loans",
        verbose_name=_("subscription"),
    )
    library = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("library"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    started_at = models.DateTimeField(_("started at"))
    window_ends_at = models.DateTimeField(_("viewing window ends at"))
    day = models.DateField(_("day (Europe/Paris)"))

    class Meta:
        verbose_name = _("streaming loan")
        verbose_name_plural = _("streaming loans")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "day"]),
            models.Index(fields=["user", "film", "window_ends_at"]),
            models.Index(fields=["subscription", "library", "day"]),
        ]

    def __str__(self):
        return f"{self.user_id} {self.film_id} {self.day}"


class CapAlert(models.Model):
    """A library's use reached a share of its annual cap; each threshold alerts once."""

    THRESHOLDS = (70, 80, 90, 100)

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.CASCADE,
        related_name="cap_alerts",
        verbose_name=_("subscription"),
    )
    library = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("library"),
    )
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    used = models.PositiveIntegerField(_("films used"))
    cap = models.PositiveIntegerField(_("annual cap"))
    reached_at = models.DateTimeField(_("reached at"))

    class Meta:
        verbose_name = _("cap alert")
        verbose_name_plural = _("cap alerts")
        ordering = ["reached_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "library", "threshold"], name="cap_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.library_id} {self.threshold} %"
