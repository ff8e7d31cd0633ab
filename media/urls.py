"""Routes of the media app, included under /api/v1/ by backend.urls."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from media import apis

router = SimpleRouter()
router.register("media/uploads", apis.UploadViewSet, basename="media-upload")
router.register("media/assets", apis.AssetViewSet, basename="media-asset")
router.register("media/playable-films", apis.PlayableFilmViewSet, basename="media-playable-film")

#: What players ask for over and over (segment links, heartbeats, playlists): backend.urls
#: puts these first, where URL resolution tries them before the other routes.
player_urlpatterns = [
    # A session's stream: the token is the credential (media.services.streams).
    path(
        "playback/<uuid:session_id>/<str:token>/master.m3u8",
        apis.MasterPlaylistApi.as_view(),
        name="media-master-playlist",
    ),
    path(
        "playback/<uuid:session_id>/<str:token>/index.m3u8",
        apis.TrackPlaylistApi.as_view(),
        name="media-track-playlist",
    ),
    re_path(
        r"^playback/(?P<session_id>[0-9a-f-]{36})/(?P<token>[^/]+)/"
        r"(?P<name>[A-Za-z0-9_][A-Za-z0-9_.-]*\.(?:ts|m4s|mp4|m4a|aac|vtt))$",
        apis.SegmentApi.as_view(),
        name="media-segment",
    ),
    path(
        "playback/<uuid:session_id>/heartbeat/",
        apis.HeartbeatApi.as_view(),
        name="media-playback-heartbeat",
    ),
    path("playback/<uuid:session_id>/end/", apis.EndApi.as_view(), name="media-playback-end"),
]

urlpatterns = [
    path("films/<int:pk>/playback/", apis.PlaybackStartApi.as_view(), name="film-playback"),
    path(
        "screenings/<int:pk>/download/",
        apis.ScreeningDownloadApi.as_view(),
        name="screening-download",
    ),
    path(
        "media/local-store/parts/<str:token>/",
        apis.LocalPartView.as_view(),
        name="media-local-part",
    ),
    path(
        "media/local-store/objects/<str:token>/<str:name>",
        apis.LocalObjectView.as_view(),
        name="media-local-object",
    ),
    *router.urls,
]
