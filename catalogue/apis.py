"""Catalogue API: `/api/v1/films/`, `/api/v1/people/`, `/api/v1/themes/`.

Readable without logging in, like a public catalogue search site; the cinema staff edit.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from backend.api.fields import SlugRelatedField, WholeItemsField
from backend.api.permissions import IsCinemaStaff, IsCinemaStaffOrReadOnly
from catalogue import cache as page_cache
from catalogue import selectors, services
from catalogue.filters import FilmFilter, PersonFilter
from catalogue.models import Country, FestivalSelection, Film, Language, Person, Theme
from rights.decisions import decide_many
from rights.models import Medium


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]


class ThemeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "name", "slug"]


class FestivalSelectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FestivalSelection
        fields = ["festival", "year", "award"]


class MediumRightsSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reason = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)


class FilmRightsSummarySerializer(serializers.Serializer):
    dvd = MediumRightsSerializer()
    stream_onsite = MediumRightsSerializer()
    stream_home = MediumRightsSerializer()
    public_screening = MediumRightsSerializer()


def rights_summaries(user, films) -> dict | None:
    """Per film and medium, what the caller's institution may do today and until when:
    decided for the whole page at once by the rights engine (constant queries). `None`
    for callers without an institution (anonymous visitors, the cinema staff)."""
    if not user.is_authenticated or user.institution_id is None:
        return None
    decisions = decide_many(user.institution, films, Medium.values, on=timezone.localdate())
    return {
        film_id: {
            medium: {
                "allowed": d.allowed,
                "reason": d.reason,
                "valid_until": d.valid_until,
            }
            for medium, d in by_medium.items()
        }
        for film_id, by_medium in decisions.items()
    }


class FilmListSerializer(serializers.ModelSerializer):
    """A film of a list page: its relations come from `film_list_relations` (plain values
    read for the whole page), the rights summary from the view's context."""

    rights = serializers.SerializerMethodField()
    directors = PersonRefSerializer(many=True, read_only=True, source="list_relations.directors")
    themes = ThemeRefSerializer(many=True, read_only=True, source="list_relations.themes")
    countries = serializers.ListField(
        child=serializers.CharField(), read_only=True, source="list_relations.countries"
    )
    original_languages = serializers.ListField(
        child=serializers.CharField(), read_only=True, source="list_relations.original_languages"
    )

    class Meta:
        model = Film
        fields = [
            "id",
            "reference",
            "title",
            "original_title",
            "directors",
            "year",
            "runtime_minutes",
            "countries",
            "original_languages",
            "has_french_subtitles",
            "themes",
            "is_animated",
            "status",
            "added_on",
            "withdrawn_on",
            "rights",
        ]

    @extend_schema_field(FilmRightsSummarySerializer(allow_null=True))
    def get_rights(self, film):
        summaries = self.context.get("rights")
        return None if summaries is None else summaries.get(film.pk)


class FilmDetailSerializer(FilmListSerializer):
    """One film with its relations read from the model (prefetched), the synopsis and the
    festival selections."""

    directors = PersonRefSerializer(many=True, read_only=True)
    themes = ThemeRefSerializer(many=True, read_only=True)
    countries = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    original_languages = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    festival_selections = FestivalSelectionSerializer(many=True, read_only=True)

    class Meta(FilmListSerializer.Meta):
        fields = [
            *FilmListSerializer.Meta.fields,
            "synopsis",
            "withdrawal_reason",
            "festival_selections",
        ]


class FilmInputSerializer(serializers.ModelSerializer):
    """What the cinema staff send to create or edit a film."""

    reference = serializers.CharField(max_length=20, required=False)
    directors = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Person.objects.all(), required=False
    )
    themes = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Theme.objects.all(), required=False
    )
    countries = SlugRelatedField(
        many=True, slug_field="code", queryset=Country.objects.all(), required=False
    )
    original_languages = SlugRelatedField(
        many=True, slug_field="code", queryset=Language.objects.all(), required=False
    )
    festival_selections = WholeItemsField(child=FestivalSelectionSerializer(), required=False)
    status = serializers.ChoiceField(
        choices=[
            Film.Status.PROPOSED,
            Film.Status.IN_ACQUISITION,
            Film.Status.IN_CATALOGUE,
        ],
        required=False,
    )

    class Meta:
        model = Film
        fields = [
            "reference",
            "title",
            "original_title",
            "directors",
            "year",
            "runtime_minutes",
            "countries",
            "original_languages",
            "has_french_subtitles",
            "synopsis",
            "themes",
            "is_animated",
            "status",
            "added_on",
            "festival_selections",
        ]
        # the reference's uniqueness is the database's: its refusal becomes the 400
        extra_kwargs = {"reference": {"validators": []}}


class FilmStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Film.Status.choices)
    on = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


@extend_schema_view(
    create=extend_schema(request=FilmInputSerializer, responses={201: FilmDetailSerializer}),
    update=extend_schema(request=FilmInputSerializer, responses=FilmDetailSerializer),
    partial_update=extend_schema(request=FilmInputSerializer, responses=FilmDetailSerializer),
)
class FilmViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Films of the catalogue. Search with `q` (accent- and case-insensitive, French full
    text on PostgreSQL); without an explicit `ordering`, search results come best first."""

    permission_classes = [IsCinemaStaffOrReadOnly]
    filterset_class = FilmFilter
    ordering_fields = ["title", "year", "added_on", "runtime_minutes", "withdrawn_on"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.film_list_queryset(self.request.user)
        return selectors.film_detail_queryset(self.request.user)

    def list(self, request, *args, **kwargs):
        """A page of films with the rights summary; JSON pages come from the response
        cache while the catalogue's revision, the day and the caller's institution are
        the same (catalogue/cache.py); `Cache-Control: no-cache` asks for a fresh one."""
        key = self._page_cache_key(request)
        fresh = "no-cache" in request.headers.get("Cache-Control", "")
        if key is not None and not fresh and (body := page_cache.get(key)) is not None:
            return self._json_page(body)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        films = list(page if page is not None else queryset)
        selectors.film_list_relations(films)
        context = {**self.get_serializer_context(), "rights": rights_summaries(request.user, films)}
        data = FilmListSerializer(films, many=True, context=context).data
        response = self.get_paginated_response(data) if page is not None else Response(data)
        if key is None:
            return response
        body = JSONRenderer().render(response.data)
        page_cache.put(key, body)
        return self._json_page(body)

    def _page_cache_key(self, request) -> str | None:
        if not settings.CATALOGUE_PAGE_CACHE_SECONDS or request.accepted_renderer.format != "json":
            return None
        user = request.user
        return page_cache.page_key(
            request,
            sees_everything=user.is_authenticated and user.is_cinema_staff,
            institution_id=user.institution_id if user.is_authenticated else None,
        )

    @staticmethod
    def _json_page(body: bytes) -> HttpResponse:
        response = HttpResponse(body, content_type="application/json")
        patch_vary_headers(response, ["Accept", "Accept-Language", "Authorization", "Cookie"])
        return response

    def retrieve(self, request, *args, **kwargs):
        film = self.get_object()
        return Response(self._detail(request, film))

    def _detail(self, request, film):
        context = {"request": request, "rights": rights_summaries(request.user, [film])}
        return FilmDetailSerializer(film, context=context).data

    def get_serializer_class(self):
        if self.action in {"create", "update", "partial_update"}:
            return FilmInputSerializer
        if self.action == "list":
            return FilmListSerializer
        return FilmDetailSerializer

    def create(self, request, *args, **kwargs):
        data = FilmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        film = services.film_create(**data.validated_data)
        film = selectors.film_detail_queryset(request.user).get(pk=film.pk)
        return Response(self._detail(request, film), status=201)

    def update(self, request, *args, **kwargs):
        film = self.get_object()
        data = FilmInputSerializer(film, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("status", None)
        fields.pop("added_on", None)
        services.film_update(film=film, **fields)
        film = selectors.film_detail_queryset(request.user).get(pk=film.pk)
        return Response(self._detail(request, film))

    @extend_schema(request=FilmStatusSerializer, responses=FilmDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsCinemaStaff])
    def status(self, request, pk=None):
        """Move the film to another catalogue status (withdrawal keeps date and reason)."""
        film = self.get_object()
        data = FilmStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.film_status_change(film=film, **data.validated_data)
        film = selectors.film_detail_queryset(request.user).get(pk=film.pk)
        return Response(self._detail(request, film))


class PersonSerializer(serializers.ModelSerializer):
    film_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "sort_name", "birth_year", "nationality", "portrait", "film_count"]
        extra_kwargs = {"sort_name": {"required": False}}


class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Directors and other authors, with the portrait used by director portraits."""

    permission_classes = [IsCinemaStaffOrReadOnly]
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["sort_name", "birth_year", "film_count"]

    def get_queryset(self):
        return selectors.people_queryset()

    def perform_create(self, serializer):
        person = services.person_create(**serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=person.pk)  # with its film count


class ThemeSerializer(serializers.ModelSerializer):
    film_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "name", "slug", "description", "film_count"]


class ThemeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsCinemaStaffOrReadOnly]
    serializer_class = ThemeSerializer
    ordering_fields = ["name", "film_count"]

    def get_queryset(self):
        return selectors.themes_queryset()

    def perform_create(self, serializer):
        theme = serializer.save()
        serializer.instance = self.get_queryset().get(pk=theme.pk)  # with its film count
