from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(models.Model):
    """A director (or other author). The portrait text feeds the platform's director
    portraits."""

    name = models.CharField(_("name"), max_length=200)
    sort_name = models.CharField(_("sort name"), max_length=200, db_index=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality (ISO code)"), max_length=2, blank=True)
    portrait = models.TextField(_("portrait"), blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_name", "pk"]

    def __str__(self):
        return self.name


class Country(models.Model):
    code = models.CharField(_("ISO 3166 code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Language(models.Model):
    code = models.CharField(_("ISO 639 code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Film(models.Model):
    """A documentary film of the national catalogue.

    Its status follows the committee's and the cinema staff's decisions; withdrawal keeps
    the record (and its history) with the date and the reason.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_ACQUISITION = "in_acquisition", _("In acquisition")
        IN_CATALOGUE = "in_catalogue", _("In catalogue")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    reference = models.CharField(
        _("catalogue reference"), max_length=20, unique=True, help_text=_("e.g. CN-000123")
    )
    title = models.CharField(_("title"), max_length=300)
    original_title = models.CharField(_("original title"), max_length=300, blank=True)
    directors = models.ManyToManyField(
        Person, related_name="films_directed", verbose_name=_("directors"), blank=True
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1890), MaxValueValidator(2100)]
    )
    runtime_minutes = models.PositiveSmallIntegerField(
        _("runtime (minutes)"), validators=[MinValueValidator(1)]
    )
    countries = models.ManyToManyField(
        Country, related_name="films", verbose_name=_("countries"), blank=True
    )
    original_languages = models.ManyToManyField(
        Language, related_name="films", verbose_name=_("original languages"), blank=True
    )
    has_french_subtitles = models.BooleanField(_("French subtitles available"), default=False)
    synopsis = models.TextField(_("synopsis"), blank=True)
    themes = models.ManyToManyField(
        Theme, related_name="films", verbose_name=_("themes"), blank=True
    )
    is_animated = models.BooleanField(_("animated documentary"), default=False)
    status = models.CharField(
        _("catalogue status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    added_on = models.DateField(_("added to the catalogue on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    # Search: `search_document` is the accent-free, lower-case text every database can
    # match; `search_vector` is PostgreSQL's weighted French vector. Both are refreshed by
    # `catalogue.search.film_search_refresh` whenever the record or its people change.
    search_document = models.TextField(_("search text"), editable=False, blank=True, default="")
    search_extra = models.TextField(
        _("search text (people and themes)"), editable=False, blank=True, default=""
    )
    search_vector = SearchVectorField(_("search vector"), null=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["search_document", "search_extra", "search_vector", "updated_at"]
    )

    class Meta:
        verbose_name = _("film")
        verbose_name_plural = _("films")
        ordering = ["title", "pk"]
        indexes = [
            models.Index(fields=["status", "title"]),
            # the list's default order (title, then id) walks this index instead of sorting
            models.Index(fields=["title", "id"], name="film_title_order_idx"),
            models.Index(fields=["year"]),
            models.Index(fields=["added_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="film_year_plausible", condition=Q(year__gte=1890) & Q(year__lte=2100)
            ),
            models.CheckConstraint(
                name="film_runtime_positive", condition=Q(runtime_minutes__gt=0)
            ),
            models.CheckConstraint(
                name="film_withdrawn_has_date",
                condition=~Q(status="withdrawn") | Q(withdrawn_on__isnull=False),
            ),
            models.CheckConstraint(
                name="film_withdrawn_after_added",
                condition=Q(withdrawn_on__isnull=True)
                | Q(added_on__isnull=True)
                | Q(withdrawn_on__gte=F("added_on")),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"


class FestivalSelection(models.Model):
    """A festival where the film was selected (or awarded), e.g. Cinéma du réel."""

    film = models.ForeignKey(
        Film, on_delete=models.CASCADE, related_name="festival_selections", verbose_name=_("film")
    )
    festival = models.CharField(_("festival"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    award = models.CharField(_("section or award"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("festival selection")
        verbose_name_plural = _("festival selections")
        ordering = ["year", "festival"]
        constraints = [
            models.UniqueConstraint(
                fields=["film", "festival", "year"], name="festival_selection_unique"
            )
        ]

    def __str__(self):
        return f"{self.festival} {self.year}"
