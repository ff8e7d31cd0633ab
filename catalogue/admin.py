from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalogue.models import Country, FestivalSelection, Film, Language, Person, Theme
from catalogue.search import film_search_refresh


class FestivalSelectionInline(admin.TabularInline):
    model = FestivalSelection
    extra = 0


@admin.register(Film)
class FilmAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "reference",
        "year",
        "status",
        "is_animated",
        "has_french_subtitles",
        "added_on",
        "withdrawn_on",
    )
    list_filter = ("status", "is_animated", "has_french_subtitles", "themes", "year")
    search_fields = ("title", "original_title", "reference", "directors__name")
    autocomplete_fields = ("directors", "themes")
    filter_horizontal = ("countries", "original_languages")
    date_hierarchy = "added_on"
    inlines = [FestivalSelectionInline]
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("reference", "title", "original_title", "directors", "year")}),
        (
            _("Description"),
            {
                "fields": (
                    "runtime_minutes",
                    "synopsis",
                    "themes",
                    "countries",
                    "original_languages",
                    "has_french_subtitles",
                    "is_animated",
                )
            },
        ),
        (
            _("Catalogue status"),
            {"fields": ("status", "added_on", "withdrawn_on", "withdrawal_reason")},
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        film_search_refresh(film_ids=[form.instance.pk])


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_name", "birth_year", "nationality")
    search_fields = ("name", "sort_name")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
