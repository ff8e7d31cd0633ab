"""Routes of the records app, included under /api/v1/ by backend.urls."""

from django.urls import path

from records import apis

urlpatterns = [
    path("records/", apis.RecordsApi.as_view(), name="records"),
    path(
        "institutions/<int:pk>/record-settings/",
        apis.RecordSettingsApi.as_view(),
        name="institution-record-settings",
    ),
]
