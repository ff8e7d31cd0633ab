from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RightsHolder(models.Model):
    """A producer or distributor who holds the rights of films. Libraries never deal with
    them: the cinema service negotiates on their behalf."""

    class Kind(models.TextChoices):
        PRODUCER = "producer", _("Producer")
        DISTRIBUTOR = "distributor", _("Distributor")
        DIRECTOR = "director", _("Director (self-produced)")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, default="FR")
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rights holder")
        verbose_name_plural = _("rights holders")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RightsHolderContact(models.Model):
    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("rights holder contact")
        verbose_name_plural = _("rights holder contacts")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name
