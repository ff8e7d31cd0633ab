from django.contrib import admin

from backend.admin import SystemRecordAdmin
from media.models import Asset, EncodingProfile, PlaybackSession, Upload, ViewEvent


@admin.register(EncodingProfile)
class EncodingProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "height", "video_bitrate_kbps", "audio_bitrate_kbps", "is_active"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["id", "film", "kind", "language", "status", "progress_percent", "profile"]
    list_select_related = ["film", "profile"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["film", "source"]
    search_fields = ["storage_key", "film__title"]


@admin.register(Upload)
class UploadAdmin(SystemRecordAdmin, admin.ModelAdmin):
    list_display = ["id", "asset", "status", "declared_size", "started_by", "created_at"]
    list_select_related = ["asset", "started_by"]
    list_filter = ["status"]
    raw_id_fields = ["asset", "started_by"]


@admin.register(PlaybackSession)
class PlaybackSessionAdmin(SystemRecordAdmin, admin.ModelAdmin):
    list_display = ["id", "film", "institution", "medium", "started_at", "ended_at"]
    raw_id_fields = ["film", "user", "institution", "subscription"]


@admin.register(ViewEvent)
class ViewEventAdmin(SystemRecordAdmin, admin.ModelAdmin):
    list_display = ["film", "institution", "medium", "seconds_watched", "started_at"]
    raw_id_fields = ["film", "institution", "session"]
