"""Rights API (cinema staff only): `/api/v1/rights-holders/`."""

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from backend.api.permissions import IsCinemaStaff
from rights import services
from rights.models import RightsHolder, RightsHolderContact


class RightsHolderContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = RightsHolderContact
        fields = ["name", "role", "email", "phone"]


class RightsHolderSerializer(serializers.ModelSerializer):
    contacts = RightsHolderContactSerializer(many=True, required=False)

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
