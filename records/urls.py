"""Routes of the records app, included under /api/v1/ by backend.urls."""

from django.urls import path

from records import apis

urlpatterns = [
    path("records/", apis.RecordsApi.as_view(), name="records"),
    path("records/updates/", apis.RecordUpdateListApi.as_view(), name="record-updates"),
    path(
        "records/updates/<str:day>/",
        apis.RecordUpdateFileApi.as_view(),
        name="record-update-file",
    ),
    path(
        "institutions/<int:pk>/record-settings/",
        apis.RecordSettingsApi.as_view(),
        name="institution-record-settings",
    ),
]
