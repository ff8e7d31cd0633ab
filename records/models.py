"""Per-library settings of the catalogue records a library loads into its own catalogue,
what each library was given (holdings and dated changes), and the full files prepared in
the background (`RecordsExport`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.exports import PreparedExport, live_export_constraint


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


class RecordHolding(models.Model):
    """A film whose record a subscribing library has been given (full file or an update
    file) and not yet told to delete: the state the next update file is the difference
    from. Keeping it, rather than recomputing the past from the grants, makes update
    files what the library actually received even if a grant is edited afterwards."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("institution"),
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.CASCADE, related_name="+", verbose_name=_("film")
    )
    since = models.DateField(_("held since"))

    class Meta:
        verbose_name = _("catalogue record held")
        verbose_name_plural = _("catalogue records held")
        constraints = [
            models.UniqueConstraint(fields=["institution", "film"], name="record_held_once")
        ]

    def __str__(self):
        return f"{self.institution_id} {self.film_id}"


class RecordChange(models.Model):
    """One line of a dated update file: a new record, or a delete record, for a film, a
    library and the day it became available or left."""

    class Kind(models.TextChoices):
        NEW = "new", _("New record")
        DELETE = "delete", _("Delete record")

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("institution"),
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.CASCADE, related_name="+", verbose_name=_("film")
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("catalogue record change")
        verbose_name_plural = _("catalogue record changes")
        ordering = ["day", "film_id"]
        indexes = [models.Index(fields=["institution", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "film", "day", "kind"], name="record_change_once"
            )
        ]

    def __str__(self):
        return f"{self.institution_id} {self.day} {self.kind} {self.film_id}"


class RecordsExport(PreparedExport):
    """A full file of catalogue records too large to build in the request (more films than
    `RECORDS_EXPORT_BACKGROUND_RECORDS`): prepared by a worker
    (`records.tasks.records_export_prepare`) for the films the library may stream on the
    day it is prepared, offered on the records page to the library's staff when ready."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("institution"),
    )

    class Meta(PreparedExport.Meta):
        verbose_name = _("catalogue records export")
        verbose_name_plural = _("catalogue records exports")
        constraints = [live_export_constraint("records_export_live_once")]
