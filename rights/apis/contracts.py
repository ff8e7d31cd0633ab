"""Rights API. Cinema staff: `/api/v1/rights-holders/`, `/api/v1/contracts/`,
`/api/v1/grants/`, `/api/v1/films/{id}/rights-timeline/`. Any authenticated user:
`/api/v1/films/{id}/availability/` (the rights decision for their institution)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.access import get_or_not_found
from backend.api.fields import WholeItemsField
from backend.api.filters import IdFilter
from backend.api.parsers import JSONParser
from backend.api.permissions import IsCinemaStaff
from backend.errors import ApplicationError
from catalogue.selectors import films_visible_to
from institutions.geography import TERRITORIES
from institutions.models import Institution
from institutions.selectors import institution_get_for
from rights import selectors, services
from rights.decisions import decide
from rights.errors import DecisionReason, RightsErrorCode
from rights.models import Contract, Medium, RightsGrant, RightsHolder, RightsHolderContact


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    object = serializers.ChoiceField(choices=["grant", "contract", "negotiation"])
    object_id = serializers.IntegerField()
    when = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True)
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changed_fields = serializers.ListField(child=serializers.CharField())
    changes = FieldChangeSerializer(many=True)


class RightsHolderContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = RightsHolderContact
        fields = ["name", "role", "email", "phone"]


class RightsHolderSerializer(serializers.ModelSerializer):
    contacts = WholeItemsField(child=RightsHolderContactSerializer(), required=False)

    class Meta:
        model = RightsHolder
        fields = [
            "id",
            "name",
            "kind",
            "siret",
            "country",
            "address",
            "website",
            "notes",
            "contacts",
        ]


class RightsHolderFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)
    kind = filters.ChoiceFilter(choices=RightsHolder.Kind.choices)

    class Meta:
        model = RightsHolder
        fields = []


class RightsHolderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsCinemaStaff]
    serializer_class = RightsHolderSerializer
    filterset_class = RightsHolderFilter
    ordering_fields = ["name"]
    queryset = RightsHolder.objects.prefetch_related("contacts")

    def perform_create(self, serializer):
        serializer.instance = services.rights_holder_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.rights_holder_update(
            rights_holder=serializer.instance, **serializer.validated_data
        )


# --- contracts and grants (cinema staff) -------------------------------------------------


class GrantSerializer(serializers.ModelSerializer):
    # codes are checked by the model's validators (unknown_territory, unknown_institution_kind)
    territories = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, help_text=", ".join(TERRITORIES)
    )
    eligible_kinds = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        help_text=", ".join(Institution.Kind.values),
    )

    class Meta:
        model = RightsGrant
        fields = [
            "id",
            "contract",
            "film",
            "medium",
            "starts_on",
            "ends_on",
            "territories",
            "eligible_kinds",
            "screening_quality",
            "max_screenings_per_year",
            "max_concurrent_streams",
            "holdback_until",
        ]
        extra_kwargs = {
            "max_screenings_per_year": {"min_value": 1},
            "max_concurrent_streams": {"min_value": 1},
        }


class ContractGrantSerializer(GrantSerializer):
    class Meta(GrantSerializer.Meta):
        fields = [f for f in GrantSerializer.Meta.fields if f != "contract"]


class ContractSerializer(serializers.ModelSerializer):
    grants = ContractGrantSerializer(many=True, read_only=True)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "rights_holder",
            "status",
            "signed_on",
            "terminated_on",
            "termination_reason",
            "fee",
            "document",
            "notes",
            "in_charge",
            "grants",
        ]
        read_only_fields = ["terminated_on", "termination_reason"]
        # the reference's uniqueness is the database's: its refusal becomes the 400
        extra_kwargs = {"reference": {"validators": []}}


class ContractSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField(required=False, help_text="today by default")


class ContractTerminateSerializer(serializers.Serializer):
    terminated_on = serializers.DateField(
        help_text="the first day without rights: the contract gives them until the day before"
    )
    reason = serializers.CharField(max_length=2000, allow_blank=True, trim_whitespace=True)


class ContractFilter(filters.FilterSet):
    rights_holder = IdFilter(field_name="rights_holder")
    status = filters.ChoiceFilter(choices=Contract.Status.choices)

    class Meta:
        model = Contract
        fields = []


class ContractViewSet(viewsets.ModelViewSet):
    """Contracts with rights holders, with their grants. Only a signed contract takes
    grants and gives rights. A contract is recorded as a draft, in negotiation or signed;
    its status then moves through the actions `negotiate`, `return-to-draft`, `sign` and
    `terminate` (an edit with another status is refused: 409 `status_through_action`).
    Deleting a contract that still has grants in force (or to come) is refused (409
    `contract_has_grants_in_force`)."""

    permission_classes = [IsCinemaStaff]
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    ordering_fields = ["reference", "signed_on", "created_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.contracts_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contract_update(
            contract=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.contract_delete(contract=instance)

    def _answer(self, contract):
        contract = selectors.contracts_queryset().get(pk=contract.pk)
        return Response(ContractSerializer(contract, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def negotiate(self, request, pk=None):
        """A draft goes to the rights holder: in negotiation."""
        return self._answer(services.contract_negotiate(contract=self.get_object()))

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="return-to-draft", filterset_class=None)
    def return_to_draft(self, request, pk=None):
        """A contract in negotiation goes back to a draft."""
        return self._answer(services.contract_return_to_draft(contract=self.get_object()))

    @extend_schema(request=ContractSignSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def sign(self, request, pk=None):
        """The contract is signed (on `signed_on`, today by default): its grants give
        rights from then on, on their own dates."""
        data = ContractSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_sign(contract=self.get_object(), **data.validated_data)
        return self._answer(contract)

    @extend_schema(request=ContractTerminateSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def terminate(self, request, pk=None):
        """Terminate a signed contract from `terminated_on`, for `reason` (both kept): its
        grants give rights until the day before; the libraries using its films are told
        and a film left without any right is withdrawn, as when a grant ends."""
        data = ContractTerminateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_terminate(contract=self.get_object(), **data.validated_data)
        return self._answer(contract)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """Every recorded change to this contract and to its grants, oldest first."""
        contract = self.get_object()
        entries = selectors.contract_history(contract=contract)
        return Response(HistoryEntrySerializer(entries, many=True).data)


class GrantFilter(filters.FilterSet):
    film = IdFilter(field_name="film")
    contract = IdFilter(field_name="contract")
    medium = filters.ChoiceFilter(choices=Medium.choices)
    expiring_within = filters.NumberFilter(
        method="filter_expiring_within", min_value=0, max_value=3650, label="Days"
    )

    class Meta:
        model = RightsGrant
        fields = []

    def filter_expiring_within(self, queryset, name, value):
        return selectors.grants_expiring_within(queryset, days=int(value))


class GrantViewSet(viewsets.ModelViewSet):
    """Rights grants: one film × one medium × one window, under a contract."""

    permission_classes = [IsCinemaStaff]
    serializer_class = GrantSerializer
    filterset_class = GrantFilter
    ordering_fields = ["starts_on", "ends_on"]

    def get_queryset(self):
        return selectors.grants_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.grant_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.grant_update(
            grant=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.grant_delete(grant=instance)


# --- availability (any authenticated user) -----------------------------------------------


class AvailabilityQuerySerializer(serializers.Serializer):
    medium = serializers.ChoiceField(choices=Medium.choices)
    on = serializers.DateField(required=False)
    institution = serializers.IntegerField(min_value=1, required=False)


class DecisionSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=DecisionReason.choices)
    valid_until = serializers.DateField(allow_null=True)
    grant_id = serializers.IntegerField(allow_null=True)


class AvailabilitySerializer(DecisionSerializer):
    film = serializers.IntegerField()
    institution = serializers.IntegerField()
    medium = serializers.CharField()
    on = serializers.DateField()


class FilmAvailabilityApi(APIView):
    """May the caller's institution use this film on this medium on that day (today by
    default)? The cinema staff name the institution with `institution=`; anyone else may
    name only an institution they can see (else 404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[AvailabilityQuerySerializer], responses=AvailabilitySerializer)
    def get(self, request, pk):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        film = get_or_not_found(films_visible_to(request.user), pk, _("No such film."))
        institution = _institution_for(request.user, params.get("institution"))
        on = params.get("on") or timezone.localdate()
        decision = decide(institution, film, params["medium"], on=on)
        body = {
            **decision.as_dict(),
            "film": film.pk,
            "institution": institution.pk,
            "medium": params["medium"],
            "on": on,
        }
        return Response(AvailabilitySerializer(body).data)


def _institution_for(user, institution_id):
    if institution_id is not None:
        return institution_get_for(user, institution_id)
    if user.institution_id is None:
        raise ApplicationError(
            RightsErrorCode.INSTITUTION_REQUIRED,
            _("Name the institution the answer is for."),
            field="institution",
        )
    return user.institution


# --- a film's rights timeline (cinema staff) ---------------------------------------------


class TimelineNegotiationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rights_holder = serializers.CharField(source="rights_holder.name")
    media = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    contract = serializers.IntegerField(source="contract_id", allow_null=True)


class RightsTimelineSerializer(serializers.Serializer):
    film = serializers.IntegerField()
    grants = GrantSerializer(many=True)
    negotiations = TimelineNegotiationSerializer(many=True)
    history = HistoryEntrySerializer(many=True)


class FilmRightsTimelineApi(APIView):
    """A film's grants and negotiations, and every recorded change to them and to the
    contracts its grants are under (who, when, each field before and after), oldest
    first."""

    permission_classes = [IsCinemaStaff]

    @extend_schema(responses=RightsTimelineSerializer)
    def get(self, request, pk):
        film = get_or_not_found(films_visible_to(request.user), pk, _("No such film."))
        timeline = selectors.film_rights_timeline(film=film)
        return Response(RightsTimelineSerializer({"film": film.pk, **timeline}).data)
