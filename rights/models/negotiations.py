"""Negotiations with rights holders (one film, the media asked for, a dated log of the
exchanges) and renegotiation campaigns that group them under a deadline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rights.models.contracts import Contract, Medium, RightsHolder


def validate_media(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give a non-empty list of media."), code="invalid")
    unknown = [medium for medium in value if medium not in Medium.values]
    if unknown:
        raise ValidationError(
            _("Unknown medium: %(media)s.") % {"media": ", ".join(map(str, unknown))},
            code="unknown_medium",
        )


class RenegotiationCampaign(models.Model):
    """A named set of titles to (re)negotiate by a deadline — e.g. 500 DVD titles to bring
    to the platform by 2019. Its titles are its negotiations."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("deadline"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("renegotiation campaign")
        verbose_name_plural = _("renegotiation campaigns")
        ordering = ["deadline", "name"]

    def __str__(self):
        return self.name


class Negotiation(models.Model):
    """Negotiating the rights of one film on some media with one rights holder. Signing
    it creates or extends a contract and its grants (`rights.services.negotiation_sign`)."""

    class Status(models.TextChoices):
        TO_CONTACT = "to_contact", _("To contact")
        IN_NEGOTIATION = "in_negotiation", _("In negotiation")
        AGREED = "agreed", _("Agreed")
        SIGNED = "signed", _("Signed")
        REFUSED = "refused", _("Refused")
        ABANDONED = "abandoned", _("Abandoned")

    #: statuses still to be worked on (the others are closed)
    OPEN = (Status.TO_CONTACT, Status.IN_NEGOTIATION, Status.AGREED)

    film = models.ForeignKey(
        "catalogue.Film",
        on_delete=models.PROTECT,
        related_name="negotiations",
        verbose_name=_("film"),
    )
    rights_holder = models.ForeignKey(
        RightsHolder,
        on_delete=models.PROTECT,
        related_name="negotiations",
        verbose_name=_("rights holder"),
    )
    media = models.JSONField(_("media requested"), validators=[validate_media])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TO_CONTACT
    )
    campaign = models.ForeignKey(
        RenegotiationCampaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="negotiations",
        verbose_name=_("campaign"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rights_negotiations",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="negotiations",
        verbose_name=_("contract"),
        help_text=_("The contract created or extended when the negotiation was signed."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("negotiation")
        verbose_name_plural = _("negotiations")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["status"])]
        constraints = [
            # a title appears once in a campaign
            models.UniqueConstraint(
                fields=["campaign", "film"],
                condition=Q(campaign__isnull=False),
                name="negotiation_film_once_per_campaign",
            ),
            # a signed negotiation names the contract it produced
            models.CheckConstraint(
                name="negotiation_signed_has_contract",
                condition=~Q(status="signed") | Q(contract__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.film_id} / {self.rights_holder_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class NegotiationExchange(models.Model):
    """One dated entry of a negotiation's log: a call, an e-mail, a meeting, a note."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        CALL = "call", _("Phone call")
        MEETING = "meeting", _("Meeting")
        LETTER = "letter", _("Letter")
        NOTE = "note", _("Note")

    negotiation = models.ForeignKey(
        Negotiation,
        on_delete=models.CASCADE,
        related_name="exchanges",
        verbose_name=_("negotiation"),
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    summary = models.TextField(_("summary"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("negotiation exchange")
        verbose_name_plural = _("negotiation exchanges")
        ordering = ["occurred_on", "pk"]

    def __str__(self):
        return f"{self.occurred_on} {self.kind}"
