"""Plans and quotes (public): the tariff grid of a year, a quote for a population."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from backend.errors import ApplicationError
from institutions.selectors import institution_get_for
from subscriptions import selectors
from subscriptions.models import (
    Plan,
    PriceTier,
)


class PriceTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceTier
        fields = ["id", "population_from", "population_to", "price_excl_vat"]


class PlanSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="grid.year", read_only=True)
    vat_rate = serializers.DecimalField(
        source="grid.vat_rate", max_digits=5, decimal_places=4, read_only=True
    )
    tiers = PriceTierSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "year",
            "code",
            "name",
            "kind",
            "screenings_per_year",
            "includes_streaming",
            "max_concurrent_streams",
            "vat_rate",
            "tiers",
        ]


class QuoteInputSerializer(serializers.Serializer):
    population = serializers.IntegerField(min_value=0, required=False)
    institution = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs):
        if ("population" in attrs) == ("institution" in attrs):
            raise serializers.ValidationError(
                _("Give either a population served or an institution."), code="required"
            )
        return attrs


class QuoteSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    population_served = serializers.IntegerField()
    tier = PriceTierSerializer()
    price_excl_vat = serializers.DecimalField(max_digits=10, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    vat_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    price_incl_vat = serializers.DecimalField(max_digits=10, decimal_places=2)


class PlanFilter(filters.FilterSet):
    year = filters.NumberFilter(method="filter_year")
    kind = filters.ChoiceFilter(choices=Plan.Kind.choices)

    class Meta:
        model = Plan
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.filter(grid__year=value)


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """The tariff grid, public: plans of a year (`?year=`, this year's by default) with
    their price tiers by population served."""

    permission_classes = [AllowAny]
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["screenings_per_year", "code"]

    def get_queryset(self):
        qs = (
            Plan.objects.select_related("grid")
            .prefetch_related("tiers")
            .order_by("-grid__year", "kind", "screenings_per_year", "pk")
        )
        if self.action == "list" and "year" not in self.request.query_params:
            qs = qs.filter(grid__year=selectors.grid_year_in_force(timezone.localdate()))
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("population", int, description="population served"),
            OpenApiParameter("institution", int, description="an institution you may see"),
        ],
        responses=QuoteSerializer,
    )
    @action(detail=True, methods=["get"])
    def quote(self, request, pk=None):
        """The price of this plan, before and after VAT, with the tier that applied."""
        plan = self.get_object()
        data = QuoteInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        if "institution" in data.validated_data:
            if not request.user.is_authenticated:
                raise ApplicationError(
                    "not_authenticated", _("Log in to quote for an institution."), status=401
                )
            institution = institution_get_for(request.user, data.validated_data["institution"])
            population = institution.population_served
        else:
            population = data.validated_data["population"]
        quote = selectors.plan_quote(plan=plan, population_served=population)
        return Response(QuoteSerializer(quote).data)
