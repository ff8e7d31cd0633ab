from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueRevision(models.Model):
    """A counter bumped in the same transaction as every change the catalogue pages and
    the workers' memos depend on (the models each app registers: `counter.bumped_by`):
    cached pages are keyed by it, so a change is visible on the next request, in every
    process."""

    number = models.PositiveBigIntegerField(_("number"), default=0)

    class Meta:
        # the table keeps the name it had when the catalogue app held the model
        db_table = "catalogue_cataloguerevision"
        verbose_name = _("catalogue revision")
        verbose_name_plural = _("catalogue revisions")

    def __str__(self):
        return str(self.number)
