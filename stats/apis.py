"""Thin views of the stats app: read the query, ask the scope helper whose figures the
caller may read, call one selector, answer JSON, CSV (`?format=csv`) or SVG."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.permissions import IsCinemaStaff
from backend.errors import ApplicationError
from stats.charts import bar_chart_svg
from stats.errors import StatsErrorCode
from stats.exports import CSVRenderer, SVGRenderer, csv_response, svg_response, table_csv_response
from stats.selectors.annual import FIGURE_LABELS, annual_report, annual_report_rows
from stats.selectors.counter import counter_csv_rows, counter_title_report, month_period
from stats.selectors.scope import (
    EARLIEST,
    LATEST,
    library_scope_required,
    period_from,
    stats_scope_get_for,
)
from stats.selectors.territory import home_area_summary, home_areas
from stats.selectors.usage import (
    GROUPINGS,
    MEASURE_LABELS,
    SOURCES,
    monthly_series,
    usage_table,
    usage_table_size,
)

MAX_ID = 2**31 - 1


class PeriodQuerySerializer(serializers.Serializer):
    institution = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("An institution; by default the caller's (every one for the cinema staff)."),
    )
    start = serializers.DateField(
        required=False,
        help_text=_("First day (default: 1 January of the current year)."),
    )
    end = serializers.DateField(required=False, help_text=_("Last day, included (default: today)."))

    def _in_range(self, value):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(
                _("Choose a day between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            )
        return value

    validate_start = _in_range
    validate_end = _in_range


class TableQuerySerializer(PeriodQuerySerializer):
    group_by = serializers.ChoiceField(choices=list(GROUPINGS), default="month")


class MonthlyChartQuerySerializer(PeriodQuerySerializer):
    source = serializers.ChoiceField(choices=list(SOURCES), default="views")
    measure = serializers.ChoiceField(
        choices=sorted({c for s in SOURCES.values() for c in s.columns}), required=False
    )

    def validate(self, attrs):
        source = SOURCES[attrs["source"]]
        measure = attrs.setdefault("measure", source.columns[0])
        if measure not in source.columns:
            raise serializers.ValidationError(
                {"measure": _("This measure does not belong to this source.")}
            )
        return attrs


class HomeAreaChartQuerySerializer(PeriodQuerySerializer):
    measure = serializers.ChoiceField(choices=["views", "patrons"], default="views")


FORMAT_PARAMETER = OpenApiParameter("format", str, enum=["json", "csv"])


def _read(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _scope_and_period(request, data):
    period = period_from(data.get("start"), data.get("end"))
    scope = stats_scope_get_for(request.user, data.get("institution"))
    return scope, period


def _stem(scope, period) -> str:
    who = scope.institution.code if scope.institution else "national"
    return f"{who}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def _rows_response(request, name, scope, period, rows, extra=None):
    if request.accepted_renderer.format == "csv":
        columns = list(rows[0]) if rows else []
        return table_csv_response(f"{name}-{_stem(scope, period)}", rows, columns)
    return Response(
        {
            "institution": scope.institution.pk if scope.institution else None,
            "start": period.start,
            "end": period.end,
            **(extra or {}),
            "rows": rows,
        }
    )


TABLE_RESPONSE = {
    200: OpenApiResponse(OpenApiTypes.OBJECT),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
}


def csv_too_long(rows: int) -> ApplicationError:
    """The refusal of a CSV longer than `STATS_EXPORT_BACKGROUND_ROWS` asked for at once."""
    limit = settings.STATS_EXPORT_BACKGROUND_ROWS
    return ApplicationError(
        StatsErrorCode.TABLE_TOO_LONG,
        _(
            "This table has %(rows)s rows, more than the %(limit)s a CSV is written with at "
            "once: ask for its CSV to be prepared on the statistics page, or choose a "
            "shorter period or a coarser grouping."
        )
        % {"rows": rows, "limit": limit},
        extra={"rows": rows, "limit": limit},
    )


class UsageTableApi(APIView):
    """A statistics table of the caller's scope over a period, grouped by month, film,
    library, network, department or region (one aggregate query). A library reads its
    own; a network its own and its members'; the cinema staff everyone's. Its CSV is
    written at once up to `STATS_EXPORT_BACKGROUND_ROWS` rows (the groups counted first,
    by the database); a longer one is refused, 400 `table_too_long` with `rows` and
    `limit`, before the table is built."""

    permission_classes = [IsAuthenticated]  # the scope helper answers 404 to the others
    renderer_classes = [JSONRenderer, CSVRenderer]
    source = ""

    @extend_schema(parameters=[TableQuerySerializer, FORMAT_PARAMETER], responses=TABLE_RESPONSE)
    def get(self, request):
        data = _read(TableQuerySerializer, request)
        scope, period = _scope_and_period(request, data)
        source = SOURCES[self.source]
        group_by = [data["group_by"]]
        if request.accepted_renderer.format == "csv":
            size = usage_table_size(source, scope=scope, period=period, group_by=group_by)
            if size > settings.STATS_EXPORT_BACKGROUND_ROWS:
                raise csv_too_long(size)
        rows = usage_table(source, scope=scope, period=period, group_by=group_by)
        return _rows_response(
            request, self.source, scope, period, rows, {"group_by": data["group_by"]}
        )


class ViewStatsApi(UsageTableApi):
    __doc__ = UsageTableApi.__doc__ + "\n\nViews: count, minutes, distinct (pseudonymous) viewers."
    source = "views"


class ScreeningStatsApi(UsageTableApi):
    __doc__ = UsageTableApi.__doc__ + "\n\nPublic screenings: booked, held, attendance."
    source = "screenings"


class OrderStatsApi(UsageTableApi):
    __doc__ = UsageTableApi.__doc__ + "\n\nDVD orders: copies, titles, orders (accepted lines)."
    source = "orders"


class HomeAreaStatsApi(APIView):
    """Where an institution's patrons live (their coarse home department) against where
    the institution is: registered patrons, and the period's views, minutes and viewers."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(parameters=[PeriodQuerySerializer, FORMAT_PARAMETER], responses=TABLE_RESPONSE)
    def get(self, request):
        data = _read(PeriodQuerySerializer, request)
        scope, period = _scope_and_period(request, data)
        library = library_scope_required(scope)
        rows = home_areas(library=library, period=period)
        return _rows_response(
            request,
            "home-areas",
            scope,
            period,
            rows,
            {"library_department": library.department_code, "summary": home_area_summary(rows)},
        )


SVG_RESPONSE = {(200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR)}


class MonthlyChartApi(APIView):
    """The monthly series of one measure as an SVG bar chart (every month of the period)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [SVGRenderer, JSONRenderer]

    @extend_schema(parameters=[MonthlyChartQuerySerializer], responses=SVG_RESPONSE)
    def get(self, request):
        data = _read(MonthlyChartQuerySerializer, request)
        scope, period = _scope_and_period(request, data)
        source = SOURCES[data["source"]]
        rows = monthly_series(source, scope=scope, period=period)
        who = scope.institution.name if scope.institution else _("all institutions")
        label = MEASURE_LABELS[data["measure"]]
        title = f"{who} — {label} ({period.start:%m/%Y}–{period.end:%m/%Y})"
        return svg_response(
            bar_chart_svg(
                title=title,
                labels=[row["month"] for row in rows],
                values=[row[data["measure"]] for row in rows],
            )
        )


class HomeAreaChartApi(APIView):
    """Where the institution's patrons live, against where it is, as an SVG bar chart:
    its department, the rest of its region, elsewhere, unknown."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [SVGRenderer, JSONRenderer]

    @extend_schema(parameters=[HomeAreaChartQuerySerializer], responses=SVG_RESPONSE)
    def get(self, request):
        data = _read(HomeAreaChartQuerySerializer, request)
        scope, period = _scope_and_period(request, data)
        library = library_scope_required(scope)
        summary = home_area_summary(home_areas(library=library, period=period))
        measure = data["measure"]
        return svg_response(
            bar_chart_svg(
                title=f"{library.name} — {MEASURE_LABELS[measure]}",
                labels=[row["label"] for row in summary],
                values=[row[measure] for row in summary],
            )
        )


class AnnualReportApi(APIView):
    """The annual activity report of a year (cinema staff only), computed from the
    records: catalogue, withdrawals, new films, DVD orders, authorised libraries,
    subscribers and the libraries they cover, platform use."""

    permission_classes = [IsCinemaStaff]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        },
    )
    def get(self, request, year: int):
        report = annual_report(year)
        if request.accepted_renderer.format == "csv":
            return csv_response(
                f"rapport-annuel-{year}", ["figure", "label", "value"], annual_report_rows(report)
            )
        return Response(
            {"figures": report, "labels": {k: str(v) for k, v in FIGURE_LABELS.items()}}
        )


class CounterTitleReportApi(APIView):
    """A COUNTER-style title report (title requests and unique title requests by film and
    month) for an institution, over whole months; JSON or CSV."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(parameters=[PeriodQuerySerializer, FORMAT_PARAMETER], responses=TABLE_RESPONSE)
    def get(self, request):
        data = _read(PeriodQuerySerializer, request)
        scope, period = _scope_and_period(request, data)
        period = month_period(period.start, period.end)
        report = counter_title_report(scope=scope, period=period)
        if request.accepted_renderer.format == "csv":
            header, rows = counter_csv_rows(report)
            return csv_response(f"counter-tr-{_stem(scope, period)}", header, rows)
        return Response(report)
