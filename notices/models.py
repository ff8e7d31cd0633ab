"""Advance notice to libraries that a film they use will lose a medium for them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UseReason(models.TextChoices):
    """Why a library is told: it uses the film."""

    SCREENING_BOOKED = "screening_booked", _("a public screening is booked")
    DVD_ORDER_OPEN = "dvd_order_open", _("a DVD order is open")
    RECENT_VIEWS = "recent_views", _("its patrons watched it recently")
    IN_SELECTION = "in_selection", _("the film is in one of its selections")


class WithdrawalNotice(models.Model):
    """A library was told (once) that `film` leaves `medium` for it after `last_day`, the
    last day its right holds — as the rights engine decides. A later end (rights renewed,
    then ending again) is another notice."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="withdrawal_notices",
        verbose_name=_("institution"),
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    medium = models.CharField(_("medium"), max_length=20)
    last_day = models.DateField(_("last day available"))
    reasons = models.JSONField(_("why the library is told"), default=list)
    bookings_after_end = models.JSONField(
        _("screenings booked after the end of the rights"), default=list
    )
    notified_on = models.DateField(_("notified on"))
    emails_sent = models.PositiveIntegerField(_("e-mails sent"), default=0)

    class Meta:
        verbose_name = _("withdrawal notice")
        verbose_name_plural = _("withdrawal notices")
        ordering = ["last_day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "film", "medium", "last_day"],
                name="withdrawal_notice_once",
            )
        ]
        indexes = [models.Index(fields=["institution", "last_day"])]

    def __str__(self):
        return f"{self.institution_id} {self.film_id} {self.medium} → {self.last_day}"
