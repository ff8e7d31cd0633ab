"""Screening bookings: book, cancel, attendance; every refusal with its reason code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api.fields import BoundedDateTimeField
from backend.api.filters import IdFilter
from backend.api.permissions import IsInstitutionStaffOrCinemaStaff
from backend.errors import ApplicationError
from catalogue.selectors import films_visible_to
from institutions.selectors import institution_private_get_for
from subscriptions import selectors
from subscriptions.models import ScreeningBooking
from subscriptions.services import screenings


class BookingSerializer(serializers.ModelSerializer):
    film_title = serializers.CharField(source="film.title", read_only=True)

    class Meta:
        model = ScreeningBooking
        fields = [
            "id",
            "library",
            "subscription",
            "film",
            "film_title",
            "starts_at",
            "venue",
            "expected_audience",
            "actual_attendance",
            "status",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer):
    film = serializers.IntegerField(min_value=1)
    starts_at = BoundedDateTimeField()
    venue = serializers.CharField(max_length=200)
    expected_audience = serializers.IntegerField(min_value=1, max_value=100_000)
    library = serializers.IntegerField(
        min_value=1, required=False, help_text="cinema staff booking for a library"
    )


class AttendanceSerializer(serializers.Serializer):
    actual_attendance = serializers.IntegerField(min_value=0, max_value=100_000)


class BookingFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ScreeningBooking.Status.choices)
    film = IdFilter(field_name="film_id")
    starts_after = filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    starts_before = filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")

    class Meta:
        model = ScreeningBooking
        fields = []


class ScreeningBookingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Public screenings booked by a library (its own only)."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return selectors.bookings_visible_to(self.request.user)

    def get_object(self):
        return selectors.booking_get_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request):
        """Book: refused with a reason code when no subscription covers the library that
        day (`no_subscription`), no credit is left (`no_credit_left`), the rights do not
        allow it (the rights engine's code), or the date is past (`date_in_past`)."""
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        library_id = data.validated_data.get("library") or user.institution_id
        if not user.is_cinema_staff:
            library_id = user.institution_id
        library = institution_private_get_for(user, library_id)
        film = films_visible_to(user).filter(pk=data.validated_data["film"]).first()
        if film is None:
            raise ApplicationError("unknown_film", _("No such film."), field="film")
        booking = screenings.booking_create(
            library=library,
            film=film,
            starts_at=data.validated_data["starts_at"],
            venue=data.validated_data["venue"],
            expected_audience=data.validated_data["expected_audience"],
            booked_by=user,
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel; the credit comes back when it is before the screening."""
        booking = screenings.booking_cancel(booking=self.get_object(), by=request.user)
        return Response(BookingSerializer(booking).data)

    @extend_schema(request=AttendanceSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """After the screening: how many people came."""
        booking = self.get_object()
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = screenings.booking_report_attendance(
            booking=booking, attendance=data.validated_data["actual_attendance"]
        )
        return Response(BookingSerializer(booking).data)
