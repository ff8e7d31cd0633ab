"""`/api/v1/leaving-soon/` (what leaves the caller's library within N days, as the rights
engine decides) and `/api/v1/withdrawal-notices/` (the notices a library received; the
cinema staff see them all, and the screenings booked after the end of the rights)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from backend.api.filters import IdFilter, StrictBooleanFilter
from backend.api.permissions import IsInstitutionStaffOrCinemaStaff
from backend.errors import ApplicationError
from institutions.selectors import institution_private_get_for
from notices import selectors
from notices.models import UseReason, WithdrawalNotice
from rights.models import Medium


class LeavingSoonQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    institution = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class LeavingSoonRowSerializer(serializers.Serializer):
    film = serializers.IntegerField(source="film.pk")
    reference = serializers.CharField(source="film.reference")
    title = serializers.CharField(source="film.title")
    medium = serializers.ChoiceField(choices=Medium.choices)
    last_day = serializers.DateField()


class LeavingSoonApi(GenericAPIView):
    """Films the caller's library may use today and no longer after `last_day`, within
    `days` days (default: the notice period, 30 days), soonest first. The cinema staff
    name the library with `institution=`."""

    # who may read which library's list: institution_private_get_for (else 404)
    permission_classes = [IsAuthenticated]
    serializer_class = LeavingSoonRowSerializer
    filter_backends = []

    @extend_schema(
        parameters=[LeavingSoonQuerySerializer], responses=LeavingSoonRowSerializer(many=True)
    )
    def get(self, request):
        query = LeavingSoonQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        institution_id = params.get("institution") or request.user.institution_id
        if institution_id is None:
            raise ApplicationError(
                "institution_required",
                _("Name the institution the answer is for."),
                field="institution",
            )
        institution = institution_private_get_for(request.user, institution_id)
        rows = selectors.leaving_soon_for(
            institution, days=params.get("days"), today=timezone.localdate()
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class WithdrawalNoticeSerializer(serializers.ModelSerializer):
    film_reference = serializers.CharField(source="film.reference", read_only=True)
    film_title = serializers.CharField(source="film.title", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    medium = serializers.ChoiceField(choices=Medium.choices)
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=UseReason.choices))
    bookings_after_end = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("[booking id, day] of screenings booked after the last day"),
    )

    class Meta:
        model = WithdrawalNotice
        fields = [
            "id",
            "institution",
            "institution_name",
            "film",
            "film_reference",
            "film_title",
            "medium",
            "last_day",
            "reasons",
            "bookings_after_end",
            "notified_on",
        ]


class WithdrawalNoticeFilter(filters.FilterSet):
    institution = IdFilter(field_name="institution")
    film = IdFilter(field_name="film")
    at_risk = StrictBooleanFilter(
        method="filter_at_risk", label="With screenings booked after the end of the rights"
    )
    upcoming = StrictBooleanFilter(method="filter_upcoming", label="Last day today or later")

    class Meta:
        model = WithdrawalNotice
        fields = []

    def filter_at_risk(self, queryset, name, value):
        empty = Q(bookings_after_end=[])
        return queryset.exclude(empty) if value else queryset.filter(empty)

    def filter_upcoming(self, queryset, name, value):
        today = timezone.localdate()
        return (
            queryset.filter(last_day__gte=today) if value else queryset.filter(last_day__lt=today)
        )


class WithdrawalNoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Notices of films leaving a medium: a library sees its own, the cinema staff all."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = WithdrawalNoticeSerializer
    filterset_class = WithdrawalNoticeFilter
    ordering_fields = ["last_day", "notified_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WithdrawalNotice.objects.none()
        return selectors.notices_visible_to(self.request.user)
