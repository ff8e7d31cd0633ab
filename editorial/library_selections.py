"""`/api/v1/library-selections/`: a library's own selections of films. Its staff (admins
and members) keep them; its patrons read them; the cinema staff read every library's
(`?institution=` for one). Anyone else's selection is a 404, like an unknown id. Each
film is shown with the media the library may use it on today, as the rights engine
decides (`editorial.selectors.library_selections_with_items`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from backend.api.permissions import IsInstitutionStaff
from editorial import selectors, services
from editorial.apis import MAX_ID, ItemSerializer, audience_of
from editorial.models import LibrarySelection

# --- output -----------------------------------------------------------------------------


class LibrarySelectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="selection.pk")
    institution = serializers.IntegerField(source="selection.institution_id")
    title = serializers.CharField(source="selection.title")
    description = serializers.CharField(source="selection.description")
    created_at = serializers.DateTimeField(source="selection.created_at")
    updated_at = serializers.DateTimeField(source="selection.updated_at")
    items = ItemSerializer(
        many=True,
        help_text=_(
            "Every film of the selection in order, with the media the library may use it on "
            "today (empty: none; null: the cinema staff listing every library)."
        ),
    )


# --- input ------------------------------------------------------------------------------


class LibrarySelectionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class LibrarySelectionItemAddSerializer(serializers.Serializer):
    film = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    position = serializers.IntegerField(
        min_value=0,
        max_value=10_000,
        required=False,
        help_text=_("Where to put the film (default: at the end)."),
    )


class LibrarySelectionItemMoveSerializer(serializers.Serializer):
    position = serializers.IntegerField(
        min_value=0,
        max_value=10_000,
        help_text=_(
            "The item's new place: 0 is the first; past the end, the last. The films in "
            "between shift by one place."
        ),
    )


class LibrarySelectionListQuerySerializer(serializers.Serializer):
    institution = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("Cinema staff: only this library's selections, with its rights."),
    )


class LibrarySelectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A library's own selections of films: its staff create, edit and delete them and
    add or remove films; its patrons read them; the cinema staff read every library's."""

    serializer_class = LibrarySelectionSerializer
    filter_backends = []

    def get_permissions(self):
        if self.action in {"list", "retrieve"}:
            return [IsAuthenticated()]
        return [IsInstitutionStaff()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LibrarySelection.objects.none()
        return selectors.library_selections_visible_to(self.request.user)

    def get_object(self):
        return selectors.library_selection_get_for(
            self.request.user, self.kwargs["pk"], to_edit=self.action not in {"retrieve"}
        )

    def _answer(self, selection, status=200):
        """The selection with its films as its own library sees them (staff: every medium;
        patrons: streaming)."""
        user = self.request.user
        institution = selection.institution if user.is_cinema_staff else None
        audience = selectors.audience_for(user, institution)
        block = selectors.library_selections_with_items([selection], audience)[0]
        return Response(LibrarySelectionSerializer(block).data, status=status)

    @extend_schema(parameters=[LibrarySelectionListQuerySerializer])
    def list(self, request, *args, **kwargs):
        """The selections of the caller's library (the cinema staff: every library's, or
        the one named by `institution`)."""
        query = LibrarySelectionListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        audience = audience_of(request, query.validated_data.get("institution"))
        queryset = self.get_queryset()
        if audience.institution is not None:
            queryset = queryset.filter(institution=audience.institution)
        page = self.paginate_queryset(queryset)
        blocks = selectors.library_selections_with_items(page, audience)
        return self.get_paginated_response(LibrarySelectionSerializer(blocks, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(
        request=LibrarySelectionInputSerializer, responses={201: LibrarySelectionSerializer}
    )
    def create(self, request):
        """A new, empty selection of the caller's library."""
        data = LibrarySelectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        selection = services.library_selection_create(
            institution=request.user.institution, created_by=request.user, **data.validated_data
        )
        return self._answer(selection, status=201)

    @extend_schema(request=LibrarySelectionInputSerializer, responses=LibrarySelectionSerializer)
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=LibrarySelectionInputSerializer, responses=LibrarySelectionSerializer)
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def _update(self, request, *, partial):
        selection = self.get_object()
        data = LibrarySelectionInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        selection = services.library_selection_update(selection=selection, **data.validated_data)
        return self._answer(selection)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.library_selection_delete(selection=self.get_object())
        return Response(status=204)

    @extend_schema(
        request=LibrarySelectionItemAddSerializer, responses={201: LibrarySelectionSerializer}
    )
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request, pk=None):
        """Put a film of the catalogue in the selection (at the end, or at `position`)."""
        selection = self.get_object()
        data = LibrarySelectionItemAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.library_selection_item_add(selection=selection, **data.validated_data)
        return self._answer(selection, status=201)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_id>\d+)")
    def remove_item(self, request, pk=None, item_id=None):
        """Take a film out of the selection; the films after it move up."""
        services.library_selection_item_remove(selection=self.get_object(), item_id=int(item_id))
        return Response(status=204)

    @extend_schema(
        request=LibrarySelectionItemMoveSerializer, responses={200: LibrarySelectionSerializer}
    )
    @remove_item.mapping.patch
    def move_item(self, request, pk=None, item_id=None):
        """Move a film of the selection to another place (`position`, 0 the first); the
        answer is the selection in its new order."""
        selection = self.get_object()
        data = LibrarySelectionItemMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.library_selection_item_move(
            selection=selection, item_id=int(item_id), **data.validated_data
        )
        return self._answer(selection)
