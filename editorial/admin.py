from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from backend.admin import SystemRecordAdmin
from editorial.models import (
    AppreciatedFilm,
    Collection,
    CollectionItem,
    FilmRating,
    LibrarySelection,
    LibrarySelectionItem,
    NewsletterSend,
)


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    autocomplete_fields = ("film",)
    ordering = ("position",)


@admin.register(Collection)
class CollectionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "published_from", "published_until")
    list_filter = ("kind",)
    search_fields = ("title",)
    autocomplete_fields = ("theme", "person")
    inlines = [CollectionItemInline]


class LibrarySelectionItemInline(admin.TabularInline):
    model = LibrarySelectionItem
    extra = 0
    autocomplete_fields = ("film",)
    ordering = ("position",)


@admin.register(LibrarySelection)
class LibrarySelectionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "institution", "updated_at")
    search_fields = ("title", "institution__name")
    raw_id_fields = ("institution", "created_by")
    inlines = [LibrarySelectionItemInline]


@admin.register(NewsletterSend)
class NewsletterSendAdmin(SystemRecordAdmin, admin.ModelAdmin):
    list_display = ("institution", "month", "sent_at")
    list_filter = ("month",)
    readonly_fields = ("institution", "month", "recipients", "sent_at")


@admin.register(FilmRating)
class FilmRatingAdmin(SystemRecordAdmin, admin.ModelAdmin):
    """Patrons' ratings (their own to give, change or take back)."""

    list_display = ("film", "stars", "rated_at")
    list_select_related = ("film",)
    list_filter = ("stars",)
    search_fields = ("film__title", "film__reference")


@admin.register(AppreciatedFilm)
class AppreciatedFilmAdmin(SystemRecordAdmin, admin.ModelAdmin):
    """The last ranking of the films most appreciated by patrons (refreshed hourly)."""

    list_display = ("rank", "film", "average_stars", "ratings", "refreshed_at")
    list_select_related = ("film",)
