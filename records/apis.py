"""`/api/v1/records/`: the catalogue records of the films a library may stream, to load
into its own catalogue — MARC21 or UNIMARC (ISO 2709 `.mrc`), or MARCXML."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import ApplicationError, NotFoundError
from institutions.selectors import institution_private_get_for
from records import marc, selectors, services
from records.errors import RecordsErrorCode

MAX_ID = 2**63 - 1


class _FileRenderer(BaseRenderer):
    """The view writes the file; an error reaching a renderer is turned to JSON first."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class MARC21Renderer(_FileRenderer):
    media_type = "application/marc"
    format = "marc21"


class UNIMARCRenderer(_FileRenderer):
    media_type = "application/marc"
    format = "unimarc"


class MARCXMLRenderer(_FileRenderer):
    media_type = "application/marcxml+xml"
    format = "marcxml"


FORMATS = marc.FORMATS


class FormatNegotiation(BaseContentNegotiation):
    """The file's format is the `format` parameter (marc21 by default), whatever the
    client's Accept header says: library systems ask for `*/*` or for JSON alike."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = request.query_params.get("format") or "marc21"
        for renderer in renderers:
            if renderer.format == wanted and wanted in FORMATS:
                return renderer, renderer.media_type
        raise exceptions.NotFound()


class RecordsQuerySerializer(serializers.Serializer):
    institution = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("The library (default: the caller's; the cinema staff name one)."),
    )


class RecordsApi(APIView):
    """Catalogue records of every film the library may stream today (the rights engine
    decides), with the playback link for that library (behind its proxy prefix if it has
    one). 001 is the film's stable reference. `format=marc21` (default), `unimarc` or
    `marcxml`. Library staff read their own library's; the cinema staff any library's.
    Only for a library covered today by a subscription including streaming (403
    `not_a_subscriber` otherwise: the playback links would lead nowhere)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [MARC21Renderer, UNIMARCRenderer, MARCXMLRenderer, JSONRenderer]
    content_negotiation_class = FormatNegotiation

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except exceptions.NotFound:
            raise ApplicationError(
                RecordsErrorCode.INVALID_FORMAT,
                _("Choose the format marc21, unimarc or marcxml."),
                field="format",
            ) from None

    @extend_schema(
        parameters=[
            RecordsQuerySerializer,
            OpenApiParameter("format", str, enum=list(FORMATS), description="File format."),
        ],
        responses={
            (200, "application/marc"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/marcxml+xml"): OpenApiResponse(OpenApiTypes.STR),
        },
    )
    def get(self, request):
        institution = self._institution(request)
        now = timezone.localtime()  # one moment: the records read, their 005, the name
        today = now.date()
        if not selectors.is_streaming_subscriber(institution, on=today):
            raise ApplicationError(
                RecordsErrorCode.NOT_A_SUBSCRIBER,
                _(
                    "Catalogue records are given to libraries whose subscription includes "
                    "the streaming platform; this library has none today."
                ),
                status=403,
            )
        films = selectors.film_records(
            selectors.available_films(institution, on=today), institution=institution
        )
        response = self._file(films, [], request.accepted_renderer.format, now=now)
        response["Content-Disposition"] = _attachment(institution, "", today, request)
        return response

    def _institution(self, request):
        query = RecordsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        institution_id = query.validated_data.get("institution") or request.user.institution_id
        if institution_id is None:
            raise ApplicationError(
                RecordsErrorCode.INSTITUTION_REQUIRED,
                _("Name the library the records are for."),
                field="institution",
            )
        return institution_private_get_for(request.user, institution_id)

    @staticmethod
    def _file(new, deleted, fmt, *, now=None) -> HttpResponse:
        """The file of `new` records then delete records (leader status d) of `deleted`,
        stamped (005) with `now` (the moment they were read; default: now)."""
        body, content_type = marc.file_body(new, deleted, fmt, now=now or timezone.localtime())
        response = HttpResponse(body, content_type=content_type)
        response["X-Record-Count"] = str(len(new) + len(deleted))
        response["X-Deleted-Record-Count"] = str(len(deleted))
        return response


def _attachment(institution, kind: str, day, request) -> str:
    name = marc.file_name(institution.code, request.accepted_renderer.format, kind, day)
    return f'attachment; filename="{name}"'


class RecordUpdateFileApi(RecordsApi):
    """The update file of one day (`YYYY-MM-DD`): new records of the films the library
    may stream from that day, then delete records (leader status `d`, same 001) of the
    films it no longer may. Files are computed each morning and kept as delivered."""

    @extend_schema(
        parameters=[
            RecordsQuerySerializer,
            OpenApiParameter("format", str, enum=list(FORMATS), description="File format."),
        ],
        responses={
            (200, "application/marc"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/marcxml+xml"): OpenApiResponse(OpenApiTypes.STR),
        },
    )
    def get(self, request, day):
        institution = self._institution(request)
        try:
            on = datetime.date.fromisoformat(day)
        except ValueError:
            raise ApplicationError(
                RecordsErrorCode.INVALID_DAY, _("Give the day as YYYY-MM-DD."), field="day"
            ) from None
        new, deleted = selectors.update_file_films(institution, day=on)
        new = selectors.film_records(new, institution=institution)
        deleted = selectors.film_records(deleted, institution=institution)
        if not new and not deleted:
            raise NotFoundError("not_found", _("No update file for this day."))
        response = self._file(new, deleted, request.accepted_renderer.format)
        response["Content-Disposition"] = _attachment(institution, "update", on, request)
        return response


class UpdateFileSerializer(serializers.Serializer):
    day = serializers.DateField()
    new = serializers.IntegerField()
    deleted = serializers.IntegerField()


class RecordUpdateListApi(GenericAPIView):
    """The library's dated update files, newest first (download each from
    `records/updates/{day}/?format=…`)."""

    permission_classes = [IsAuthenticated]
    serializer_class = UpdateFileSerializer
    filter_backends = []

    @extend_schema(
        parameters=[RecordsQuerySerializer],
        responses=UpdateFileSerializer(many=True),
        operation_id="records_updates_list",
    )
    def get(self, request):
        institution = RecordsApi._institution(self, request)
        page = self.paginate_queryset(selectors.update_files(institution))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RecordSettingsSerializer(serializers.Serializer):
    proxy_prefix = serializers.URLField(
        max_length=300,
        allow_blank=True,
        help_text=_("Put before the playback link, e.g. https://proxy.example/login?url="),
    )


class RecordSettingsApi(APIView):
    """A library's settings for its catalogue records: the proxy prefix of the playback
    link. Its staff and the cinema staff read them; its administrators change them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RecordSettingsSerializer)
    def get(self, request, pk):
        institution = institution_private_get_for(request.user, pk)
        return Response({"proxy_prefix": selectors.proxy_prefix_of(institution)})

    @extend_schema(request=RecordSettingsSerializer, responses=RecordSettingsSerializer)
    def put(self, request, pk):
        institution = institution_private_get_for(request.user, pk)
        selectors.record_settings_manager_required(request.user)
        data = RecordSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.record_settings_set(
            institution=institution, proxy_prefix=data.validated_data["proxy_prefix"]
        )
        return Response({"proxy_prefix": found.proxy_prefix})
