"""Staff reports on rights (cinema staff), each as JSON (paginated) or as a CSV file of
every row (`?format=csv`): grants expiring soon, films about to lose their last medium,
films withdrawn in a period."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from backend.api.permissions import IsCinemaStaff
from backend.api.renderers import CSVRenderer, csv_attachment
from backend.errors import ApplicationError
from rights import selectors
from rights.errors import RightsErrorCode
from rights.models import Medium


class HorizonQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=0, max_value=3650, default=180)
    format = serializers.ChoiceField(choices=["json", "csv"], required=False)


class LastMediumQuerySerializer(HorizonQuerySerializer):
    scope = serializers.ChoiceField(
        choices=[("all", _("every medium")), ("platform", _("the platform's media"))],
        default="all",
    )


class PeriodQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text=_("Default: 1 January this year."))
    end = serializers.DateField(required=False, help_text=_("Default: today."))
    format = serializers.ChoiceField(choices=["json", "csv"], required=False)

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("start", datetime.date(today.year, 1, 1))
        attrs.setdefault("end", today)
        if attrs["end"] < attrs["start"]:
            raise ApplicationError(
                RightsErrorCode.PERIOD_REVERSED,
                _("The period ends before it starts."),
                field="end",
            )
        return attrs


class ExpiringGrantRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    film_id = serializers.IntegerField()
    film_reference = serializers.CharField()
    film_title = serializers.CharField()
    medium = serializers.ChoiceField(choices=Medium.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    days_left = serializers.IntegerField()
    contract_reference = serializers.CharField()
    rights_holder = serializers.CharField()
    in_charge = serializers.CharField(allow_null=True)
    renegotiating = serializers.BooleanField()


class LosingLastMediumRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    last_day = serializers.DateField()
    media = serializers.ListField(child=serializers.ChoiceField(choices=Medium.choices))
    renegotiating = serializers.BooleanField()


class WithdrawnFilmRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    added_on = serializers.DateField(allow_null=True)
    withdrawn_on = serializers.DateField()
    withdrawal_reason = serializers.CharField()


class _Report(GenericAPIView):
    permission_classes = [IsCinemaStaff]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    query_serializer_class: type[serializers.Serializer]
    filename: str
    filter_backends = []

    def rows(self, query: dict):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.rows(query.validated_data)
        if request.accepted_renderer.format == "csv":
            columns = list(self.get_serializer_class()().fields)
            stamp = timezone.localdate().isoformat()
            return csv_attachment(rows, columns, f"{self.filename}-{stamp}.csv")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _report_schema(query, row):
    return extend_schema(
        parameters=[query],
        responses={
            200: row(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        },
    )


class ExpiringGrantsReportApi(_Report):
    """Grants of films in the catalogue ending within `days` days (default 180), soonest
    first, with the contract, the rights holder, the staff member in charge and whether
    a renegotiation is under way."""

    serializer_class = ExpiringGrantRowSerializer
    query_serializer_class = HorizonQuerySerializer
    filename = "droits-expirant"

    def rows(self, query):
        today = timezone.localdate()
        rows = list(selectors.report_expiring_grants(days=query["days"], today=today))
        for row in rows:
            row["days_left"] = (row["ends_on"] - today).days
        return rows

    @_report_schema(HorizonQuerySerializer, ExpiringGrantRowSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FilmsLosingLastMediumReportApi(_Report):
    """Films whose every right in force or to come (`scope=platform`: every platform
    right) ends within `days` days: they leave the catalogue (or the platform) the day
    after `last_day` unless renegotiated."""

    serializer_class = LosingLastMediumRowSerializer
    query_serializer_class = LastMediumQuerySerializer
    filename = "films-perdant-dernier-support"

    def rows(self, query):
        return selectors.report_films_losing_last_medium(days=query["days"], scope=query["scope"])

    @_report_schema(LastMediumQuerySerializer, LosingLastMediumRowSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WithdrawnFilmsReportApi(_Report):
    """Films withdrawn from the catalogue between `start` and `end` (inclusive; default
    this year so far), with the reason recorded."""

    serializer_class = WithdrawnFilmRowSerializer
    query_serializer_class = PeriodQuerySerializer
    filename = "films-retires"

    def rows(self, query):
        return list(selectors.report_withdrawn_films(start=query["start"], end=query["end"]))

    @_report_schema(PeriodQuerySerializer, WithdrawnFilmRowSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
