"""Media API: uploads and assets (cinema staff), playback (patrons and library staff),
signed playlists (the token is the credential: players cannot send API tokens), the HD
download of a booked screening, and the local store's stand-ins for presigned URLs.

Views validate, call one service or selector, and serialize."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.access import get_or_not_found
from backend.api.client import client_ip
from backend.api.permissions import IsCinemaStaff, IsInstitutionStaffOrCinemaStaff
from backend.api.schema import ErrorSerializer
from backend.api.views import JsonMethodNotAllowedMixin, error_answer
from backend.errors import ApplicationError
from catalogue.selectors import films_visible_to
from media import selectors
from media.models import Asset, Upload
from media.models.assets import sha256_validator
from media.objectstore import LocalStore, content_type_for, get_store, presign_seconds
from media.services import playback, screenings, streams, transcoding, uploads
from media.tokens import token_read
from rights.models import RightsGrant
from subscriptions.selectors import booking_get_for

M3U8 = "application/vnd.apple.mpegurl"


def _absolute(request, url: str) -> str:
    """Store URLs are absolute on S3; the local store's are backend paths."""
    return request.build_absolute_uri(url) if url.startswith("/") else url


# --- assets -----------------------------------------------------------------------------
class AssetSerializer(serializers.ModelSerializer):
    profile = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)

    class Meta:
        model = Asset
        fields = [
            "id", "film", "kind", "language", "for_deaf_and_hard_of_hearing", "status",
            "progress_percent", "error", "size", "sha256", "content_type", "duration_seconds",
            "width",
            "height", "frame_rate", "codecs", "peak_bitrate", "average_bitrate", "start_pts",
            "source", "profile", "attempts", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A film's files and their state (transcoding progress in percent while it runs)."""

    permission_classes = [IsCinemaStaff]
    serializer_class = AssetSerializer
    filterset_fields = ["film", "kind", "status", "source"]
    ordering_fields = ["created_at", "kind"]

    def get_queryset(self):
        return selectors.assets_visible_to(self.request.user)

    def get_object(self):
        return selectors.asset_get_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses={202: AssetSerializer})
    @action(detail=True, methods=["post"])
    def transcode(self, request, pk=None):
        """(Re)transcode a verified or ready master: outputs are replaced, not duplicated."""
        asset = self.get_object()
        transcoding.asset_transcode_request(asset_id=asset.pk)
        asset.refresh_from_db()
        return Response(AssetSerializer(asset).data, status=status.HTTP_202_ACCEPTED)


# --- what viewers see of the streams (no staff-only asset details) --------------------
class IsViewer(IsAuthenticated):
    """Patrons, library staff (admins and members) and the cinema staff."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            super().has_permission(request, view)
            and (user.is_patron or user.is_institution_staff or user.is_cinema_staff)
        )


class RenditionOfferSerializer(serializers.Serializer):
    name = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


class SubtitleOfferSerializer(serializers.Serializer):
    language = serializers.CharField()
    for_deaf_and_hard_of_hearing = serializers.BooleanField()


class PlayableFilmSerializer(serializers.Serializer):
    film = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    duration_seconds = serializers.FloatField(allow_null=True)
    renditions = RenditionOfferSerializer(many=True)
    subtitles = SubtitleOfferSerializer(many=True)
    audio_description = serializers.ListField(child=serializers.CharField())


def _with_offer(films) -> list:
    offer = selectors.playable_offer(film.pk for film in films)
    for film in films:
        for name, value in offer[film.pk].items():
            setattr(film, name, value)
    return films


class PlayableFilmViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The films with a ready stream and what it offers (rungs, subtitle languages with
    SDH flagged, audio-description languages), for patrons and library staff. The rights
    of the caller's library are checked when playback starts."""

    permission_classes = [IsViewer]
    serializer_class = PlayableFilmSerializer
    filterset_fields: list = []

    def get_queryset(self):
        return selectors.playable_films_for(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        if page is not None:
            return self.get_paginated_response(
                self.get_serializer(_with_offer(page), many=True).data
            )
        films = _with_offer(list(self.get_queryset()))
        return Response(self.get_serializer(films, many=True).data)

    def retrieve(self, request, pk=None):
        film = get_or_not_found(self.get_queryset(), pk, _("No such film."))
        return Response(self.get_serializer(_with_offer([film])[0]).data)


# --- uploads ----------------------------------------------------------------------------
class UploadInitiateSerializer(serializers.Serializer):
    film = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=uploads.UPLOADABLE_KINDS)
    language = serializers.CharField(max_length=10, required=False, default="")
    for_deaf_and_hard_of_hearing = serializers.BooleanField(required=False, default=False)
    size = serializers.IntegerField(min_value=1, max_value=uploads.MAX_OBJECT_SIZE)
    sha256 = serializers.CharField(validators=[sha256_validator])
    part_size = serializers.IntegerField(min_value=1, max_value=uploads.MAX_OBJECT_SIZE)
    filename = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        help_text=_(
            "The file's name on the client: not used. The stored extension and content type "
            "come from what the file is."
        ),
    )
    part_sha256 = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        allow_null=True,
        default=None,
        max_length=10_000,
        help_text="Optional: the SHA-256 of each part, in order. The store then checks each "
        "part as it arrives and the upload is verified at completion, with no read-back.",
    )


class PartUrlSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    url = serializers.URLField()
    headers = serializers.DictField(
        child=serializers.CharField(), help_text="Headers to send with the PUT."
    )


class PartSerializer(serializers.Serializer):
    part_number = serializers.IntegerField(min_value=1, max_value=10_000)
    etag = serializers.CharField(max_length=100)
    size = serializers.IntegerField(read_only=True)


class UploadCompleteSerializer(serializers.Serializer):
    parts = PartSerializer(many=True)


class UploadSerializer(serializers.ModelSerializer):
    asset = AssetSerializer(read_only=True)
    part_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Upload
        fields = [
            "id", "asset", "status", "declared_size", "declared_sha256", "part_size",
            "part_count", "error", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class UploadStateSerializer(UploadSerializer):
    parts = PartSerializer(many=True, read_only=True)
    part_urls = PartUrlSerializer(many=True, read_only=True)
    urls_expire_in = serializers.IntegerField(read_only=True)

    class Meta(UploadSerializer.Meta):
        fields = [*UploadSerializer.Meta.fields, "parts", "part_urls", "urls_expire_in"]
        read_only_fields = fields


def _upload_state(request, upload: Upload, *, present=()) -> dict:
    data = UploadSerializer(upload).data
    held = {p.part_number for p in present}
    missing = [n for n in range(1, upload.part_count + 1) if n not in held]
    urls = uploads.part_urls(upload, missing) if upload.status == Upload.Status.IN_PROGRESS else []
    data["parts"] = [
        {"part_number": p.part_number, "etag": p.etag, "size": p.size} for p in present
    ]
    data["part_urls"] = [{**u, "url": _absolute(request, u["url"])} for u in urls]
    data["urls_expire_in"] = presign_seconds()
    return data


class UploadViewSet(viewsets.GenericViewSet):
    """Direct multipart uploads to the object store: initiate, resume, complete, abort."""

    permission_classes = [IsCinemaStaff]
    serializer_class = UploadStateSerializer

    def get_queryset(self):
        return Upload.objects.none()

    def get_object(self):
        return selectors.upload_get_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=UploadInitiateSerializer, responses={201: UploadStateSerializer})
    def create(self, request):
        """Initiate: the asset is `uploading`; the answer lists a presigned URL per part
        (PUT each part's bytes there and keep the ETag header)."""
        data = UploadInitiateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("filename")  # the content check names the file, never the client
        film = films_visible_to(request.user).filter(pk=values.pop("film")).first()
        if film is None:
            raise ApplicationError("unknown_film", _("No such film."), field="film")
        upload = uploads.upload_initiate(film=film, started_by=request.user, **values)
        return Response(_upload_state(request, upload), status=status.HTTP_201_CREATED)

    @extend_schema(responses=UploadStateSerializer)
    def retrieve(self, request, pk=None):
        """Resume: the parts the store already holds, and fresh URLs for the others."""
        upload = self.get_object()
        return Response(_upload_state(request, upload, present=uploads.upload_parts(upload)))

    @extend_schema(request=UploadCompleteSerializer, responses=UploadSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete with every part's ETag: `missing_parts` / `part_mismatch` (400, nothing
        changes); a stored size other than the declared one, or (with part checksums) a
        store checksum other than the declared parts', fails the upload (400
        `size_mismatch` / `checksum_mismatch`). With part checksums the asset is verified
        here; without, the whole-object SHA-256 is verified next, in a task."""
        upload = self.get_object()
        data = UploadCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = uploads.upload_complete(
            upload=upload, parts=data.validated_data["parts"], by=request.user
        )
        upload.refresh_from_db()
        upload.asset.refresh_from_db()
        return Response(UploadSerializer(upload).data)

    @extend_schema(request=None, responses=UploadSerializer)
    @action(detail=True, methods=["post"])
    def abort(self, request, pk=None):
        upload = uploads.upload_abort(upload=self.get_object(), by=request.user)
        return Response(UploadSerializer(upload).data)


# --- playback ---------------------------------------------------------------------------
class PlaybackSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    medium = serializers.CharField()
    master_playlist_url = serializers.URLField(
        help_text="The HLS master playlist (no API token: the URL is the key)."
    )
    expires_in = serializers.IntegerField(
        help_text="Seconds until the session's URLs stop working even while it lives: the "
        "stream's duration plus a margin for pauses."
    )
    duration = serializers.FloatField(allow_null=True, help_text="The stream's duration (s).")
    resume_from = serializers.FloatField(
        help_text="Where to start playing (s): the viewer's last position in this film, "
        "0 for a first view or after the end credits."
    )
    heartbeat_url = serializers.URLField()
    end_url = serializers.URLField()
    heartbeat_every = serializers.IntegerField()


def _master_url(request, session) -> str:
    token = streams.session_token(session)
    return request.build_absolute_uri(
        reverse("media-master-playlist", kwargs={"session_id": session.pk, "token": token})
    )


class PlaybackStartApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: PlaybackSerializer})
    def post(self, request, pk):
        """Start watching: refused with the rights engine's reason (403), without a
        streaming subscription (403 `no_streaming_subscription`), without a ready
        rendition (409 `no_ready_rendition`) or above the subscription's concurrent
        streams (429 `stream_limit_reached`). The viewer's earlier open session of the
        film ends (a reload keeps one slot); `resume_from` is where they stopped."""
        from django.conf import settings

        film = selectors.film_to_play(request.user, pk)
        if film is None:
            raise Http404
        session = playback.playback_start(user=request.user, film=film, ip=client_ip(request))
        body = {
            "session": session.pk,
            "medium": session.medium,
            "master_playlist_url": _master_url(request, session),
            "expires_in": streams.seconds_left(session),
            "duration": session.duration_seconds,
            "resume_from": session.position_seconds,
            "heartbeat_url": request.build_absolute_uri(
                reverse("media-playback-heartbeat", kwargs={"session_id": session.pk})
            ),
            "end_url": request.build_absolute_uri(
                reverse("media-playback-end", kwargs={"session_id": session.pk})
            ),
            "heartbeat_every": max(10, settings.MEDIA_HEARTBEAT_TIMEOUT_SECONDS // 3),
        }
        return Response(PlaybackSerializer(body).data, status=status.HTTP_201_CREATED)


def _playlist(body: str) -> HttpResponse:
    return HttpResponse(body, content_type=M3U8, headers={"Cache-Control": "no-store"})


#: a wrong or expired token: 403 `invalid_token` / `token_expired`; a session that ended
#: or went silent: 410 `session_ended`
PLAYLIST_REFUSALS = {403: ErrorSerializer, 410: ErrorSerializer}


class _StreamApi(APIView):
    """The player's URLs: the token in the path is the credential (players send no API
    token), so no authentication runs."""

    permission_classes = [AllowAny]
    authentication_classes = []


class MasterPlaylistApi(_StreamApi):
    @extend_schema(responses={(200, M3U8): OpenApiTypes.STR, **PLAYLIST_REFUSALS})
    def get(self, request, session_id, token):
        """The session's HLS master playlist: 403 `invalid_token` / `token_expired`, 410
        `session_ended` once the session ended or went silent."""
        session = streams.live_session(session_id=session_id, token=token)

        def track_url(session, asset):
            path = reverse(
                "media-track-playlist",
                kwargs={
                    "session_id": session.pk,
                    "token": streams.track_path_token(session, asset),
                },
            )
            return request.build_absolute_uri(path)

        return _playlist(streams.master_playlist(session=session, track_url=track_url))


class TrackPlaylistApi(_StreamApi):
    @extend_schema(responses={(200, M3U8): OpenApiTypes.STR, **PLAYLIST_REFUSALS})
    def get(self, request, session_id, token):
        """A rendition's (or subtitle or audio-description track's) media playlist; its
        segments are links relative to it."""
        return _playlist(streams.track_playlist(session_id=session_id, token=token))


@extend_schema(exclude=True)
class SegmentApi(View):
    """A segment link: 302 to the store's URL for the segment, presigned for seconds,
    while the session holds its slot (plain Django view: it is the hottest path, one per
    segment and viewer; refusals are the API's JSON errors)."""

    http_method_names = ["get", "head"]

    def get(self, request, session_id, token, name):
        try:
            url = streams.segment_url(session_id=session_id, token=token, name=name)
        except ApplicationError as exc:
            return JsonResponse(
                {"code": exc.code, "detail": str(exc.message)},
                status=exc.status_code,
                headers={"Cache-Control": "no-store"},
            )
        response = HttpResponseRedirect(_absolute(request, url))
        response["Cache-Control"] = "no-store"
        return response


class HeartbeatSerializer(serializers.Serializer):
    seconds_watched = serializers.IntegerField(min_value=0, max_value=10**7, required=False)
    position = serializers.FloatField(
        min_value=0,
        max_value=10**6,
        required=False,
        help_text="The player's position in the film (s): where a later start resumes.",
    )


class SessionStateSerializer(serializers.Serializer):
    session = serializers.UUIDField(source="pk")
    seconds_watched = serializers.IntegerField()
    position = serializers.FloatField(source="position_seconds")
    last_heartbeat_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class HeartbeatStateSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    seconds_watched = serializers.IntegerField()
    position = serializers.FloatField()
    last_heartbeat_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class HeartbeatApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=HeartbeatSerializer, responses=HeartbeatStateSerializer)
    def post(self, request, session_id):
        """Still playing or paused (keeps the stream slot, records the position); 410
        `session_ended` once it is over, 400 `position_beyond_end`."""
        data = HeartbeatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        beat = playback.session_heartbeat(
            session_id=session_id, user=request.user, **data.validated_data
        )
        return Response(HeartbeatStateSerializer(beat).data)


class EndApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=HeartbeatSerializer, responses=SessionStateSerializer)
    def post(self, request, session_id):
        """Stopped: frees the slot and records the view (idempotent)."""
        data = HeartbeatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = playback.session_end(
            session_id=session_id, user=request.user, **data.validated_data
        )
        return Response(SessionStateSerializer(session).data)


# --- screenings -------------------------------------------------------------------------
class ScreeningDownloadSerializer(serializers.Serializer):
    url = serializers.URLField()
    expires_in = serializers.IntegerField()
    asset_id = serializers.IntegerField()
    kind = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    window_opens_on = serializers.DateField()
    window_closes_on = serializers.DateField()
    screening_quality = serializers.ChoiceField(
        choices=RightsGrant.Quality.choices,
        help_text="the quality the film's rights allow for a public screening",
    )


class ScreeningDownloadApi(APIView):
    permission_classes = [IsInstitutionStaffOrCinemaStaff]

    @extend_schema(responses=ScreeningDownloadSerializer)
    def get(self, request, pk):
        """The file of a booked screening (the booking's library only), in the quality
        its rights allow (HD master, or an SD rendition): 403 with `download_not_yet_open`,
        `download_closed`, `booking_cancelled` or the rights engine's reason; 409
        `no_hd_asset` / `no_sd_asset`."""
        download = screenings.screening_download(booking=booking_get_for(request.user, pk))
        body = ScreeningDownloadSerializer(download).data
        body["url"] = _absolute(request, download.url)
        return Response(body)


# --- the local store's stand-ins for presigned URLs (embedded set-up only) --------------
def _local_store() -> LocalStore:
    store = get_store()
    if not isinstance(store, LocalStore):
        raise Http404
    return store


@method_decorator(csrf_exempt, name="dispatch")
class LocalPartView(JsonMethodNotAllowedMixin, View):
    """PUT a part's bytes (streamed to storage, never held whole); answers its ETag."""

    http_method_names = ["put"]

    def put(self, request, token):
        store = _local_store()
        try:
            payload = token_read("part", token)
        except ApplicationError as exc:
            return error_answer(exc.code, str(exc.message), 403)
        try:
            etag = store.part_write(payload["u"], payload["n"], request)
        except FileNotFoundError:
            return error_answer("not_found", _("No such upload."), 404)
        return HttpResponse(status=200, headers={"ETag": f'"{etag}"'})


class LocalObjectView(JsonMethodNotAllowedMixin, View):
    """GET an object: its URL ends with the file's name, and it is served with the content
    type of its extension (a `.ts` segment as video/mp2t, a playlist, WebVTT…)."""

    http_method_names = ["get", "head"]

    def get(self, request, token, name):
        store = _local_store()
        try:
            payload = token_read("get", token)
        except ApplicationError as exc:
            return error_answer(exc.code, str(exc.message), 403)
        if store.size(payload["k"]) is None:
            raise Http404
        response = FileResponse(
            store.open(payload["k"]),
            as_attachment=bool(payload.get("f")),
            filename=payload.get("f") or None,
            content_type=content_type_for(payload["k"]),
        )
        return response
