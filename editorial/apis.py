"""Editorial API: `/api/v1/collections/` (published collections with the films the caller's
institution may use; the cinema staff create and edit them, with history), the computed
collections under `/api/v1/editorial/`, the newsletter preview for the cinema staff, and
`/api/v1/library-selections/` (a library's own selections, see `library_selections`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.fields import BoundedDateField, WholeItemsField
from backend.api.permissions import IsCinemaStaff
from backend.errors import NotFoundError
from editorial import newsletter, selectors, services
from editorial.models import Collection
from institutions.selectors import institution_get_for
from rights.models import Medium
from rights.selectors import history_entries

MAX_ID = 2**63 - 1


# --- output -----------------------------------------------------------------------------


class EditorialPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EditorialFilmSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    year = serializers.IntegerField()
    runtime_minutes = serializers.IntegerField()
    status = serializers.CharField()
    directors = EditorialPersonSerializer(many=True)
    media = serializers.ListField(
        child=serializers.ChoiceField(choices=Medium.choices),
        allow_null=True,
        help_text=_("Media the caller's institution may use the film on today (null: staff)."),
    )


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    note = serializers.CharField()
    film = EditorialFilmSerializer()


class CollectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="collection.pk")
    kind = serializers.ChoiceField(choices=Collection.Kind.choices, source="collection.kind")
    title = serializers.CharField(source="collection.title")
    description = serializers.CharField(source="collection.description")
    theme = serializers.IntegerField(source="collection.theme_id", allow_null=True)
    person = serializers.IntegerField(source="collection.person_id", allow_null=True)
    published_from = serializers.DateField(source="collection.published_from", allow_null=True)
    published_until = serializers.DateField(source="collection.published_until", allow_null=True)
    items = ItemSerializer(many=True)


# --- input ------------------------------------------------------------------------------


class ItemInputSerializer(serializers.Serializer):
    film = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CollectionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Collection.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    theme = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    published_from = serializers.DateField(required=False, allow_null=True)
    published_until = serializers.DateField(required=False, allow_null=True)
    items = WholeItemsField(
        child=ItemInputSerializer(),
        required=False,
        help_text=_("The films in order (replaces the list)."),
    )


class ItemAddSerializer(ItemInputSerializer):
    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)


class AudienceQuerySerializer(serializers.Serializer):
    institution = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("Cinema staff: show what this institution sees."),
    )


class CollectionListQuerySerializer(AudienceQuerySerializer):
    kind = serializers.ChoiceField(
        choices=Collection.Kind.choices, required=False, help_text=_("Only this kind.")
    )


class CollectionHistoryEntrySerializer(serializers.Serializer):
    object = serializers.CharField()
    object_id = serializers.IntegerField()
    when = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True)
    change = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    changes = serializers.ListField(child=serializers.DictField())


def audience_of(request, institution_id=None) -> selectors.Audience:
    """The caller's audience; the cinema staff may name an institution to see what it
    sees. Anyone else naming another institution than their own gets a 404."""
    user = request.user
    if institution_id is None:
        return selectors.audience_for(user)
    if user.is_cinema_staff:
        return selectors.audience_for(user, institution_get_for(user, institution_id))
    if str(institution_id) != str(user.institution_id):
        raise NotFoundError("not_found", _("No such institution."))
    return selectors.audience_for(user)


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class CollectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Editorial collections: new films, favourites of the week, acquisitions in progress,
    themes, director portraits. Libraries and patrons see the collections published today
    and, in them, only the films their institution may use (acquisitions in progress also
    announce films still being acquired); the cinema staff see and edit every collection."""

    serializer_class = CollectionSerializer
    filter_backends = []

    def get_permissions(self):
        if self.action in {"list", "retrieve"}:
            return [IsAuthenticated()]
        return [IsCinemaStaff()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Collection.objects.none()
        return selectors.collections_visible_to(self.request.user)

    def get_object(self):
        return selectors.collection_get_for(self.request.user, self.kwargs["pk"])

    def _answer(self, collection, audience, status=200):
        block = selectors.collections_with_items([collection], audience)[0]
        return Response(CollectionSerializer(block).data, status=status)

    @extend_schema(parameters=[CollectionListQuerySerializer])
    def list(self, request, *args, **kwargs):
        params = _query(CollectionListQuerySerializer, request)
        audience = audience_of(request, params.get("institution"))
        queryset = self.get_queryset()
        if "kind" in params:
            queryset = queryset.filter(kind=params["kind"])
        page = self.paginate_queryset(queryset)
        blocks = selectors.collections_with_items(page, audience)
        return self.get_paginated_response(CollectionSerializer(blocks, many=True).data)

    @extend_schema(parameters=[AudienceQuerySerializer])
    def retrieve(self, request, *args, **kwargs):
        audience = audience_of(request, _query(AudienceQuerySerializer, request).get("institution"))
        return self._answer(self.get_object(), audience)

    @extend_schema(request=CollectionInputSerializer, responses={201: CollectionSerializer})
    def create(self, request):
        data = CollectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collection = services.collection_create(**data.validated_data, created_by=request.user)
        return self._answer(collection, selectors.audience_for(request.user), status=201)

    @extend_schema(request=CollectionInputSerializer, responses=CollectionSerializer)
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=CollectionInputSerializer, responses=CollectionSerializer)
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def _update(self, request, *, partial):
        collection = self.get_object()
        data = CollectionInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        collection = services.collection_update(collection=collection, **data.validated_data)
        return self._answer(collection, selectors.audience_for(request.user))

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.collection_delete(collection=self.get_object())
        return Response(status=204)

    @extend_schema(request=ItemAddSerializer, responses={201: CollectionSerializer})
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request, pk=None):
        """Put a film in the collection (at the end, or at `position`)."""
        collection = self.get_object()
        data = ItemAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.collection_item_add(collection=collection, **data.validated_data)
        return self._answer(collection, selectors.audience_for(request.user), status=201)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_id>\d+)")
    def remove_item(self, request, pk=None, item_id=None):
        """Take an item out of the collection; the films after it move up."""
        services.collection_item_remove(collection=self.get_object(), item_id=int(item_id))
        return Response(status=204)

    @extend_schema(responses=CollectionHistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """Every recorded change to the collection and its items: who, when, before/after."""
        collection = self.get_object()
        entries = history_entries(
            "collection",
            Collection.history.filter(id=collection.pk).select_related("history_user"),
        ) + history_entries(
            "item",
            collection.items.model.history.filter(collection_id=collection.pk).select_related(
                "history_user"
            ),
        )
        entries.sort(key=lambda entry: (entry["when"], entry["object"], entry["object_id"]))
        return Response(CollectionHistoryEntrySerializer(entries, many=True).data)


# --- computed collections ------------------------------------------------------------------


class RankedQuerySerializer(AudienceQuerySerializer):
    start = BoundedDateField(required=False, help_text=_("First day (default: 30 days ago)."))
    end = BoundedDateField(required=False, help_text=_("Last day, included (default: today)."))
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)


class LeavingQuerySerializer(AudienceQuerySerializer):
    days = serializers.IntegerField(min_value=1, max_value=365, default=30)


class WatchedSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    views = serializers.IntegerField()
    film = EditorialFilmSerializer()


class ScreenedSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    screenings = serializers.IntegerField()
    film = EditorialFilmSerializer()


class LeavingSerializer(serializers.Serializer):
    last_day = serializers.DateField()
    media = serializers.ListField(child=serializers.ChoiceField(choices=Medium.choices))
    film = EditorialFilmSerializer()


class MostWatchedApi(APIView):
    """The films most viewed on the platform over a period (every library's views),
    among those the caller's institution may use today."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RankedQuerySerializer], responses=WatchedSerializer(many=True))
    def get(self, request):
        params = _query(RankedQuerySerializer, request)
        audience = audience_of(request, params.get("institution"))
        period = selectors.period_from(params.get("start"), params.get("end"))
        rows = selectors.most_watched(audience, period=period, limit=params["limit"])
        return Response(WatchedSerializer(rows, many=True).data)


class MostScreenedApi(APIView):
    """The films with the most public screenings over a period (booked or held), among
    those the caller's institution may use today."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RankedQuerySerializer], responses=ScreenedSerializer(many=True))
    def get(self, request):
        params = _query(RankedQuerySerializer, request)
        audience = audience_of(request, params.get("institution"))
        period = selectors.period_from(params.get("start"), params.get("end"))
        rows = selectors.most_screened(audience, period=period, limit=params["limit"])
        return Response(ScreenedSerializer(rows, many=True).data)


class LeavingSoonCollectionApi(APIView):
    """Films leaving soon: those the caller's institution may use today and no longer
    within `days` days, as the rights engine decides (for the cinema staff: films whose
    every platform right ends within `days` days)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[LeavingQuerySerializer], responses=LeavingSerializer(many=True))
    def get(self, request):
        params = _query(LeavingQuerySerializer, request)
        audience = audience_of(request, params.get("institution"))
        rows = selectors.leaving_soon(audience, days=params["days"])
        return Response(LeavingSerializer(rows, many=True).data)


# --- newsletter preview ------------------------------------------------------------------------


class NewsletterPreviewQuerySerializer(serializers.Serializer):
    institution = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$", required=False, help_text=_("YYYY-MM (default: last month).")
    )

    def validate_month(self, value):
        try:
            return newsletter.month_of(value)
        except ValueError:
            raise serializers.ValidationError(
                _("Write the month as YYYY-MM."), code="invalid_month"
            ) from None


class NewsletterPreviewApi(APIView):
    """The HTML of a library's newsletter for a month, as it would be sent (cinema staff)."""

    permission_classes = [IsCinemaStaff]

    @extend_schema(
        parameters=[NewsletterPreviewQuerySerializer],
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def get(self, request):
        params = _query(NewsletterPreviewQuerySerializer, request)
        library = institution_get_for(request.user, params["institution"])
        month = params.get("month") or newsletter.previous_month(timezone.localdate())
        message = newsletter.newsletter_render(library, month)
        return HttpResponse(message["html"], content_type="text/html; charset=utf-8")
