"""Institutions API: `/api/v1/institutions/`.

Anyone logged in reads the institutions they may see (their own, its networks, its
members); the cinema staff read and edit all. An institution's users (staff and patrons)
are private to it.
"""

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from backend.api.fields import WholeItemsField
from backend.api.filters import StrictBooleanFilter
from backend.api.pagination import PageNumberPagination
from backend.api.permissions import IsCinemaStaff
from institutions import selectors, services
from institutions.models import Institution, OnSiteIPRange


class IPRangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OnSiteIPRange
        fields = ["cidr", "label"]


class InstitutionSerializer(serializers.ModelSerializer):
    """An institution. The private details (`PRIVATE_FIELDS`) are shown only to a reader
    who may see them: the context's `private_ids`, from
    `selectors.institution_ids_private_to` (`None`: every institution, the cinema staff).
    It fails closed: without `private_ids` in the context they are left out, so a new
    view or a nested use that forgets the reader's scope shows the public details only."""

    PRIVATE_FIELDS = ("email", "dvd_authorised_since", "dvd_suspended", "dvd_suspension_reason")

    ip_ranges = WholeItemsField(child=IPRangeSerializer(), required=False)
    is_dvd_authorised = serializers.BooleanField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        private_ids = self.context.get("private_ids", frozenset())
        if private_ids is not None and instance.pk not in private_ids:
            for name in (*self.PRIVATE_FIELDS, "ip_ranges"):
                data.pop(name, None)
        return data

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "is_network",
            "commune",
            "department_code",
            "region_code",
            "population_served",
            "email",
            "dvd_authorised_since",
            "dvd_suspended",
            "dvd_suspension_reason",
            "is_dvd_authorised",
            "ip_ranges",
        ]
        extra_kwargs = {"region_code": {"required": False}}


class MembershipInputSerializer(serializers.Serializer):
    library = serializers.IntegerField(min_value=1)
    joined_on = serializers.DateField(required=False)


class MembershipEndSerializer(serializers.Serializer):
    library = serializers.IntegerField(min_value=1)
    left_on = serializers.DateField(required=False)


class InstitutionUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "role", "is_active", "date_joined", "last_login"]


class InstitutionFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Institution.Kind.choices)
    department = filters.CharFilter(field_name="department_code")
    region = filters.CharFilter(field_name="region_code")
    is_network = StrictBooleanFilter()
    dvd_authorised = StrictBooleanFilter(method="filter_dvd_authorised")
    q = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Institution
        fields = []

    def filter_dvd_authorised(self, queryset, name, value):
        authorised = {"dvd_authorised_since__isnull": False, "dvd_suspended": False}
        return queryset.filter(**authorised) if value else queryset.exclude(**authorised)


class InstitutionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    ordering_fields = ["name", "code", "population_served", "department_code"]
    ordering = ["name"]

    def get_permissions(self):
        if self.action in {"create", "update", "partial_update", "members_add", "members_end"}:
            return [IsCinemaStaff()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.institutions_visible_to(self.request.user).prefetch_related("ip_ranges")

    def get_object(self):
        return selectors.institution_get_for(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["private_ids"] = selectors.institution_ids_private_to(self.request.user)
        return context

    def perform_create(self, serializer):
        serializer.instance = services.institution_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.institution_update(
            institution=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses=InstitutionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        """The libraries of a network today."""
        network = self.get_object()
        qs = selectors.network_members(network=network).prefetch_related("ip_ranges")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs.order_by("name", "pk"), request, view=self)
        return paginator.get_paginated_response(
            InstitutionSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(request=MembershipInputSerializer, responses={201: None})
    @members.mapping.post
    def members_add(self, request, pk=None):
        """Add a library to the network (from today, or from `joined_on`)."""
        network = self.get_object()
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        library = selectors.institution_get_for(request.user, data.validated_data["library"])
        services.network_member_add(
            network=network,
            library=library,
            joined_on=data.validated_data.get("joined_on") or timezone.localdate(),
        )
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipEndSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="members/end")
    def members_end(self, request, pk=None):
        """A library leaves the network (today, or on `left_on`)."""
        network = self.get_object()
        data = MembershipEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        library = selectors.institution_get_for(request.user, data.validated_data["library"])
        services.network_member_remove(
            network=network,
            library=library,
            left_on=data.validated_data.get("left_on") or timezone.localdate(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=InstitutionUserSerializer(many=True))
    @action(detail=True, methods=["get"])
    def users(self, request, pk=None):
        """The institution's accounts (staff and pseudonymous patrons): private."""
        institution = selectors.institution_private_get_for(request.user, pk)
        qs = User.objects.filter(institution=institution).order_by("username")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(InstitutionUserSerializer(page, many=True).data)
