"""Catalogue filters: theme, director, year range, animated, status, country, language, and
the full-text `q`."""

from django_filters import rest_framework as filters

from backend.api.filters import IdFilter, StrictBooleanFilter
from catalogue.accessibility import films_with_track
from catalogue.models import Film, Person
from catalogue.search import films_matching
from rights.models import Medium
from rights.selectors import films_available


class FilmFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=200, label="Full-text search")
    theme = filters.CharFilter(method="filter_theme", label="Theme id or slug")
    director = IdFilter(field_name="directors", distinct=False)
    year_min = filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_max = filters.NumberFilter(field_name="year", lookup_expr="lte")
    animated = StrictBooleanFilter(field_name="is_animated")
    french_subtitles = StrictBooleanFilter(field_name="has_french_subtitles")
    sdh = StrictBooleanFilter(
        method="filter_track", label="Has subtitles for the deaf and hard of hearing"
    )
    audio_description = StrictBooleanFilter(method="filter_track", label="Has audio description")
    status = filters.MultipleChoiceFilter(choices=Film.Status.choices)
    country = filters.CharFilter(field_name="countries__code", lookup_expr="iexact")
    language = filters.CharFilter(field_name="original_languages__code", lookup_expr="iexact")
    added_after = filters.DateFilter(field_name="added_on", lookup_expr="gte")
    added_before = filters.DateFilter(field_name="added_on", lookup_expr="lte")
    available = filters.ChoiceFilter(
        choices=Medium.choices,
        method="filter_available",
        label="Available today to the caller's institution on this medium",
    )

    class Meta:
        model = Film
        fields = []

    def filter_q(self, queryset, name, value):
        return films_matching(queryset, value)

    def filter_available(self, queryset, name, value):
        """Decided by the rights engine for the caller's institution; callers without an
        institution (anonymous, cinema staff) have nothing available to them."""
        user = self.request.user if self.request else None
        if user is None or not user.is_authenticated or user.institution_id is None:
            return queryset.none()
        return films_available(queryset, institution=user.institution, medium=value)

    def filter_track(self, queryset, name, value):
        if value is None:
            return queryset
        return films_with_track(queryset, name, present=value)

    def filter_theme(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(themes__pk=int(value))
        return queryset.filter(themes__slug=value)


class PersonFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)
    has_portrait = StrictBooleanFilter(method="filter_has_portrait")

    class Meta:
        model = Person
        fields = []

    def filter_has_portrait(self, queryset, name, value):
        return queryset.exclude(portrait="") if value else queryset.filter(portrait="")
