"""Negotiations and renegotiation campaigns (cinema staff): `/api/v1/negotiations/`
(with their dated log and the sign action) and `/api/v1/campaigns/` (with progress)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from backend.api.filters import IdFilter, StrictBooleanFilter
from backend.api.permissions import IsCinemaStaff
from catalogue.models import Film
from rights import selectors, services
from rights.apis.contracts import HistoryEntrySerializer
from rights.models import Contract, Medium, Negotiation, NegotiationExchange, RenegotiationCampaign


class MediaField(serializers.ListField):
    child = serializers.ChoiceField(choices=Medium.choices)

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty", False)
        kwargs.setdefault("max_length", len(Medium.values))
        super().__init__(**kwargs)


def _staff_users():
    return User.objects.filter(role__in=User.CINEMA_ROLES, is_active=True)


class NegotiationExchangeSerializer(serializers.ModelSerializer):
    author = serializers.CharField(
        source="author.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = NegotiationExchange
        fields = ["id", "occurred_on", "kind", "summary", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class NegotiationSerializer(serializers.ModelSerializer):
    media = MediaField()
    film_reference = serializers.CharField(source="film.reference", read_only=True)
    film_title = serializers.CharField(source="film.title", read_only=True)
    rights_holder_name = serializers.CharField(source="rights_holder.name", read_only=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_staff_users(), allow_null=True, required=False
    )
    exchanges = NegotiationExchangeSerializer(many=True, read_only=True)

    class Meta:
        model = Negotiation
        fields = [
            "id",
            "film",
            "film_reference",
            "film_title",
            "rights_holder",
            "rights_holder_name",
            "media",
            "status",
            "campaign",
            "assignee",
            "due_on",
            "contract",
            "closed_on",
            "notes",
            "exchanges",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["contract", "closed_on", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # the film and campaign of an existing negotiation do not change
            fields["film"].read_only = True
            fields["campaign"].read_only = True
        return fields


class NegotiationCreateSerializer(NegotiationSerializer):
    """A new negotiation starts "to contact"; its status then moves by the update and the
    log of exchanges (and `sign`), never set at creation."""

    class Meta(NegotiationSerializer.Meta):
        read_only_fields = [*NegotiationSerializer.Meta.read_only_fields, "status"]


class NegotiationSignSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), required=False, allow_null=True
    )
    contract_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    signed_on = serializers.DateField(required=False)
    territories = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    eligible_kinds = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False
    )
    max_screenings_per_year = serializers.IntegerField(min_value=1, required=False)
    max_concurrent_streams = serializers.IntegerField(min_value=1, required=False)
    holdback_until = serializers.DateField(required=False)


class NegotiationFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Negotiation.Status.choices)
    campaign = IdFilter(field_name="campaign")
    film = IdFilter(field_name="film")
    rights_holder = IdFilter(field_name="rights_holder")
    assignee = IdFilter(field_name="assignee")
    late = StrictBooleanFilter(method="filter_late", label="Late (open, past due)")

    class Meta:
        model = Negotiation
        fields = []

    def filter_late(self, queryset, name, value):
        late = selectors.late_negotiations(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


@extend_schema_view(
    create=extend_schema(
        request=NegotiationCreateSerializer, responses={201: NegotiationSerializer}
    )
)
class NegotiationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Negotiations of one film's rights with one rights holder: to contact → in
    negotiation → agreed → signed (the `sign` action, which creates or extends the
    contract and its grants) / refused / abandoned, with a dated log of exchanges."""

    permission_classes = [IsCinemaStaff]
    serializer_class = NegotiationSerializer
    filterset_class = NegotiationFilter
    ordering_fields = ["due_on", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.negotiations_queryset()

    def get_serializer_class(self):
        return NegotiationCreateSerializer if self.action == "create" else NegotiationSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.negotiation_create(**data)

    def perform_update(self, serializer):
        serializer.instance = services.negotiation_update(
            negotiation=serializer.instance, **serializer.validated_data
        )

    def _detail(self, negotiation, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=negotiation.pk)
        return Response(NegotiationSerializer(fresh).data, status=code)

    @extend_schema(request=NegotiationExchangeSerializer, responses={201: NegotiationSerializer})
    @action(detail=True, methods=["post"])
    def exchanges(self, request, pk=None):
        """Add a dated entry (e-mail, call, meeting, letter, note) to the log."""
        negotiation = self.get_object()
        entry = NegotiationExchangeSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        services.negotiation_log_exchange(
            negotiation=negotiation, author=request.user, **entry.validated_data
        )
        return self._detail(negotiation, status.HTTP_201_CREATED)

    @extend_schema(request=NegotiationSignSerializer, responses={200: NegotiationSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign: each medium requested gets a grant under the contract named (extended)
        or a new signed contract; refused with nothing written if a grant check fails."""
        negotiation = self.get_object()
        terms = NegotiationSignSerializer(data=request.data)
        terms.is_valid(raise_exception=True)
        services.negotiation_sign(
            negotiation=negotiation, in_charge=request.user, **terms.validated_data
        )
        return self._detail(negotiation)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        negotiation = self.get_object()
        records = Negotiation.history.filter(id=negotiation.pk).select_related("history_user")
        entries = selectors.history_entries("negotiation", records)
        return Response(HistoryEntrySerializer(entries, many=True).data)


# --- campaigns ------------------------------------------------------------------------------


class CampaignProgressSerializer(serializers.Serializer):
    titles = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    done = serializers.IntegerField()
    late = serializers.IntegerField()
    percent_done = serializers.FloatField()


class CampaignSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = RenegotiationCampaign
        fields = ["id", "name", "description", "deadline", "created_by", "progress", "created_at"]
        read_only_fields = ["created_at"]
        # the name's uniqueness is the database's: its refusal becomes the 400
        extra_kwargs = {"name": {"validators": []}}

    @extend_schema_field(CampaignProgressSerializer(allow_null=True))
    def get_progress(self, campaign):
        if not hasattr(campaign, "titles"):
            return None
        return CampaignProgressSerializer(selectors.campaign_progress(campaign)).data


class CampaignTitlesSerializer(serializers.Serializer):
    films = serializers.PrimaryKeyRelatedField(
        queryset=Film.objects.all(), many=True, allow_empty=False
    )
    media = MediaField()
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_staff_users(), allow_null=True, required=False
    )
    due_on = serializers.DateField(required=False)

    def validate_films(self, value):
        if len(value) > 1000:
            raise serializers.ValidationError(
                _("At most 1,000 titles at a time."), code="max_length"
            )
        return value


class CampaignTitlesResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already_in_campaign = serializers.IntegerField()
    campaign = CampaignSerializer()


class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Renegotiation campaigns: a named set of titles with a deadline and its progress
    (titles per status, late ones, done). Titles are added with `POST …/titles/`; each
    becomes a negotiation (see `/api/v1/negotiations/?campaign=`)."""

    permission_classes = [IsCinemaStaff]
    serializer_class = CampaignSerializer
    ordering_fields = ["deadline", "name"]

    def get_queryset(self):
        return (
            selectors.campaigns_with_progress()
            .select_related("created_by")
            .order_by("deadline", "name")
        )

    def perform_create(self, serializer):
        serializer.instance = services.campaign_create(
            created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.campaign_update(
            campaign=serializer.instance, **serializer.validated_data
        )

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.data = self.get_serializer(self.get_queryset().get(pk=response.data["id"])).data
        return response

    @extend_schema(request=CampaignTitlesSerializer, responses=CampaignTitlesResultSerializer)
    @action(detail=True, methods=["post"])
    def titles(self, request, pk=None):
        """Add titles: one negotiation each with the rights holder of the film's current
        contract (refused, nothing added, when a film has none); titles already in the
        campaign are left as they are."""
        campaign = self.get_object()
        body = CampaignTitlesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.campaign_add_titles(campaign=campaign, **body.validated_data)
        fresh = self.get_queryset().get(pk=campaign.pk)
        return Response(CampaignTitlesResultSerializer({**result, "campaign": fresh}).data)
