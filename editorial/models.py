"""Editorial collections curated by the cinema staff, and the record of each monthly
newsletter sent to a library.

A collection is an ordered list of films shown on the platform between its publication
dates (a collection without a start date is a draft). What a library or a patron sees in
it is decided at read time by the rights engine: the items are the editors' choice, the
films shown are those the caller's institution may use (editorial.selectors).

A library selection is a library's own ordered list of films, kept by its staff and read
by its patrons; the notices of withdrawals count it as a use of the film."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Collection(models.Model):
    class Kind(models.TextChoices):
        NEW_FILMS = "new_films", _("New films")
        FAVOURITES = "favourites", _("Favourites of the week")
        ACQUISITIONS = "acquisitions", _("Acquisitions in progress")
        THEME = "theme", _("Theme")
        DIRECTOR_PORTRAIT = "director_portrait", _("Director portrait")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        "catalogue.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collections",
        verbose_name=_("theme"),
    )
    person = models.ForeignKey(
        "catalogue.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portrait_collections",
        verbose_name=_("director"),
    )
    published_from = models.DateField(
        _("published from"), null=True, blank=True, help_text=_("Empty: a draft.")
    )
    published_until = models.DateField(
        _("published until"), null=True, blank=True, help_text=_("Last day included.")
    )
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

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["-published_from", "title", "pk"]
        indexes = [models.Index(fields=["published_from", "published_until"])]
        constraints = [
            models.CheckConstraint(
                name="collection_publication_ordered",
                condition=Q(published_until__isnull=True)
                | (Q(published_from__isnull=False) & Q(published_until__gte=F("published_from"))),
            ),
            models.CheckConstraint(
                name="collection_theme_has_theme",
                condition=~Q(kind="theme") | Q(theme__isnull=False),
            ),
            models.CheckConstraint(
                name="collection_portrait_has_person",
                condition=~Q(kind="director_portrait") | Q(person__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title


class CollectionItem(models.Model):
    """A film at a position in a collection (positions 0, 1, 2… in the editors' order)."""

    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="items", verbose_name=_("collection")
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    position = models.PositiveIntegerField(_("position"))
    note = models.CharField(_("editor's note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collection item")
        verbose_name_plural = _("collection items")
        ordering = ["collection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "film"], name="collection_item_once"),
        ]

    def __str__(self):
        return f"{self.collection_id}#{self.position} {self.film_id}"


class LibrarySelection(models.Model):
    """A library's own selection of films (its staff curate it, its patrons read it)."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="film_selections",
        verbose_name=_("library"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
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

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("library selection")
        verbose_name_plural = _("library selections")
        ordering = ["institution", "title", "pk"]

    def __str__(self):
        return self.title


class LibrarySelectionItem(models.Model):
    """A film at a position in a library's selection (positions 0, 1, 2…)."""

    selection = models.ForeignKey(
        LibrarySelection,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("library selection"),
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    position = models.PositiveIntegerField(_("position"))
    note = models.CharField(_("library's note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("library selection item")
        verbose_name_plural = _("library selection items")
        ordering = ["selection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "film"], name="library_selection_item_once"
            ),
        ]

    def __str__(self):
        return f"{self.selection_id}#{self.position} {self.film_id}"


class NewsletterSend(models.Model):
    """The newsletter of a month was sent to a library: the unique row is claimed in the
    transaction that sends it, so a second run (or a concurrent one) sends nothing."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("library"),
    )
    month = models.DateField(_("month (first day)"))
    recipients = models.JSONField(_("recipients"), default=list)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter sent")
        verbose_name_plural = _("newsletters sent")
        ordering = ["-month", "institution"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "month"], name="newsletter_once"),
        ]

    def __str__(self):
        return f"{self.institution_id} {self.month:%Y-%m}"


class FilmRating(models.Model):
    """A patron's rating of a film they watched: 1 to 5 stars, one per patron and film,
    changeable. Patrons are pseudonymous users: a rating names nobody."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="film_ratings",
        verbose_name=_("patron"),
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.CASCADE, related_name="+", verbose_name=_("film")
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    rated_at = models.DateTimeField(_("rated at"), auto_now=True)

    class Meta:
        verbose_name = _("film rating")
        verbose_name_plural = _("film ratings")
        ordering = ["-rated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "film"], name="film_rating_once"),
            models.CheckConstraint(
                name="film_rating_stars_1_to_5", condition=Q(stars__gte=1) & Q(stars__lte=5)
            ),
        ]
        indexes = [models.Index(fields=["film", "stars"])]

    def __str__(self):
        return f"{self.film_id}: {self.stars}"


class AppreciatedFilm(models.Model):
    """The films patrons appreciate most, as the last editorial refresh ranked them
    (`editorial.ratings.appreciated_refresh`, hourly): the home page reads this small
    table instead of aggregating every rating on each visit."""

    film = models.OneToOneField(
        "catalogue.Film", on_delete=models.CASCADE, related_name="+", verbose_name=_("film")
    )
    rank = models.PositiveIntegerField(_("rank"), unique=True)
    average_stars = models.DecimalField(_("average stars"), max_digits=3, decimal_places=2)
    ratings = models.PositiveIntegerField(_("ratings"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("appreciated film")
        verbose_name_plural = _("appreciated films")
        ordering = ["rank"]

    def __str__(self):
        return f"#{self.rank} {self.film_id}"


class SavedFilm(models.Model):
    """A film a patron saved for later ("my list"): what they come back to when their
    monthly quota is reached, or to watch another day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_films",
        verbose_name=_("patron"),
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.CASCADE, related_name="+", verbose_name=_("film")
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved film")
        verbose_name_plural = _("saved films")
        ordering = ["-saved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "film"], name="saved_film_once"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.film_id}"
