"""The SUSHI API (COUNTER_SUSHI5, Release 5.1) under /api/v1/sushi/, harvested without
logging in (requestor_id + api_key), and the endpoints with which an institution's
staff manage their SUSHI credentials (logged in, the key shown once)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from institutions.selectors import institution_private_get_for
from stats.models import SushiCredential
from stats.selectors.counter51 import IR_M1_METRICS, PR_P1_METRICS, ir_m1_items, pr_p1_items
from stats.selectors.sushi import (
    RELEASE,
    ReportRequest,
    SushiError,
    credential_authenticate,
    customer_get,
    customers_for,
    platform_name,
    report_request,
    service_check,
    sushi_exception,
    sushi_manager_required,
)
from stats.services import sushi_credential_create, sushi_credential_revoke

# --- the SUSHI API ------------------------------------------------------------------------
CREDENTIAL_PARAMETERS = [
    OpenApiParameter("requestor_id", str, description="The requestor id of a SUSHI credential."),
    OpenApiParameter("api_key", str, description="The API key of that credential."),
    OpenApiParameter("customer_id", str, description="An institution's code."),
]
PERIOD_PARAMETERS = [
    OpenApiParameter("begin_date", str, description="First month: YYYY-MM or YYYY-MM-DD."),
    OpenApiParameter("end_date", str, description="Last month: YYYY-MM or YYYY-MM-DD."),
]


# COUNTER 5.1's JSON layouts, so that a harvester generated from the schema reads them.
class SushiExceptionSerializer(serializers.Serializer):
    Code = serializers.IntegerField()
    Message = serializers.CharField()
    Data = serializers.CharField(required=False)


class SushiStatusSerializer(serializers.Serializer):
    Description = serializers.CharField()
    Service_Active = serializers.BooleanField()
    Registry_URL = serializers.CharField(allow_blank=True)
    Note = serializers.CharField(allow_blank=True)
    Alerts = serializers.ListField(child=serializers.DictField())


class SushiInstitutionIdSerializer(serializers.Serializer):
    Proprietary = serializers.ListField(child=serializers.CharField())


class SushiMemberSerializer(serializers.Serializer):
    Customer_ID = serializers.CharField()
    Requestor_ID = serializers.CharField()
    Name = serializers.CharField()
    Notes = serializers.CharField(allow_blank=True)
    Institution_ID = SushiInstitutionIdSerializer()


class SushiReportDescriptionSerializer(serializers.Serializer):
    Report_Name = serializers.CharField()
    Report_ID = serializers.CharField()
    Release = serializers.CharField()
    Report_Description = serializers.CharField()
    Path = serializers.CharField()


class SushiReportHeaderSerializer(serializers.Serializer):
    Created = serializers.DateTimeField()
    Created_By = serializers.CharField()
    Customer_ID = serializers.CharField()
    Report_ID = serializers.CharField()
    Release = serializers.CharField()
    Report_Name = serializers.CharField()
    Institution_Name = serializers.CharField()
    Institution_ID = SushiInstitutionIdSerializer()
    Report_Filters = serializers.DictField(
        help_text="Begin_Date, End_Date and the report's fixed filters."
    )
    Exceptions = SushiExceptionSerializer(many=True)


class SushiPerformanceSerializer(serializers.Serializer):
    Data_Type = serializers.CharField(required=False)
    Access_Method = serializers.CharField(required=False)
    Performance = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per metric, the count of each month (YYYY-MM) with use.",
    )


class SushiReportItemSerializer(serializers.Serializer):
    Item = serializers.CharField(required=False)
    Item_ID = serializers.DictField(child=serializers.CharField(), required=False)
    Platform = serializers.CharField()
    Attribute_Performance = SushiPerformanceSerializer(many=True)


class SushiReportSerializer(serializers.Serializer):
    Report_Header = SushiReportHeaderSerializer()
    Report_Items = SushiReportItemSerializer(many=True)


def _exception(description: str) -> OpenApiResponse:
    return OpenApiResponse(
        SushiExceptionSerializer, description=f"A COUNTER exception: {description}."
    )


# What each refusal answers (sushi.EXCEPTIONS): only those an endpoint can give are listed.
HARVEST_REFUSALS = {
    401: _exception("2000 unknown or revoked requestor_id, 2020 wrong api_key"),
    403: _exception("2010 not authorised for this customer_id"),
    503: _exception("1000 the service is switched off"),
}
REPORT_REFUSALS = {
    **HARVEST_REFUSALS,
    400: _exception("1030 missing customer_id or dates, 3020 invalid dates"),
}


REPORTS = {
    "ir_m1": {
        "Report_Name": "Multimedia Item Requests",
        "Report_ID": "IR_M1",
        "Report_Description": "Total and unique requests of each film, month by month.",
        "metrics": IR_M1_METRICS,
        "items": ir_m1_items,
        "filters": {"Data_Type": ["Multimedia"], "Access_Method": ["Regular"]},
    },
    "pr_p1": {
        "Report_Name": "Platform Usage",
        "Report_ID": "PR_P1",
        "Report_Description": "Requests on the whole platform, month by month.",
        "metrics": PR_P1_METRICS,
        "items": pr_p1_items,
        "filters": {"Access_Method": ["Regular"]},
    },
}


def _created() -> str:
    return timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _institution_id(institution) -> dict:
    return {"Proprietary": [f"{platform_name()}:{institution.code}"]}


class SushiApi(APIView):
    """Base of the SUSHI endpoints: no login (the credential is in the query), every
    refusal a COUNTER exception with its HTTP status."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def handle_exception(self, exc):
        if isinstance(exc, SushiError):
            return Response(exc.body(), status=exc.status)
        return super().handle_exception(exc)


class SushiStatusApi(SushiApi):
    """The service's status (no credential needed)."""

    @extend_schema(
        tags=["sushi"],
        parameters=CREDENTIAL_PARAMETERS,
        responses={200: SushiStatusSerializer(many=True)},
    )
    def get(self, request):
        active = getattr(settings, "SUSHI_ENABLED", True)
        return Response(
            [
                {
                    "Description": f"COUNTER {RELEASE} usage of {platform_name()}",
                    "Service_Active": active,
                    "Registry_URL": "",
                    "Note": "" if active else "The SUSHI service is switched off.",
                    "Alerts": [],
                }
            ]
        )


class SushiMembersApi(SushiApi):
    """The customers the credential may harvest: its institution, and a network's
    current members."""

    @extend_schema(
        tags=["sushi"],
        parameters=CREDENTIAL_PARAMETERS,
        responses={200: SushiMemberSerializer(many=True), **HARVEST_REFUSALS},
    )
    def get(self, request):
        service_check()
        credential = credential_authenticate(request.query_params)
        customer_get(credential, request.query_params, required=False)
        return Response(
            [
                {
                    "Customer_ID": institution.code,
                    "Requestor_ID": credential.requestor_id,
                    "Name": institution.name,
                    "Notes": "",
                    "Institution_ID": _institution_id(institution),
                }
                for institution in customers_for(credential)
            ]
        )


class SushiReportListApi(SushiApi):
    """The reports this platform supplies."""

    @extend_schema(
        tags=["sushi"],
        parameters=CREDENTIAL_PARAMETERS,
        responses={200: SushiReportDescriptionSerializer(many=True), **HARVEST_REFUSALS},
    )
    def get(self, request):
        service_check()
        credential = credential_authenticate(request.query_params)
        customer_get(credential, request.query_params, required=False)
        return Response(
            [
                {
                    "Report_Name": report["Report_Name"],
                    "Report_ID": report["Report_ID"],
                    "Release": RELEASE,
                    "Report_Description": report["Report_Description"],
                    "Path": f"/reports/{path}",
                }
                for path, report in REPORTS.items()
            ]
        )


class SushiReportApi(SushiApi):
    """A COUNTER 5.1 report of the customer over whole months."""

    report = ""

    @extend_schema(
        tags=["sushi"],
        parameters=CREDENTIAL_PARAMETERS + PERIOD_PARAMETERS,
        responses={200: SushiReportSerializer, **REPORT_REFUSALS},
    )
    def get(self, request):
        definition = REPORTS[self.report]
        asked: ReportRequest = report_request(request.query_params)
        items = []
        exceptions = list(asked.exceptions)
        if asked.ready:
            items = definition["items"](
                scope=asked.scope, period=asked.period, platform=platform_name()
            )
            if not items:
                exceptions.append(sushi_exception(3030))
        customer = asked.customer
        filters = {
            "Begin_Date": asked.period.start.isoformat(),
            "End_Date": asked.period.end.isoformat(),
        }
        header = {
            "Created": _created(),
            "Created_By": platform_name(),
            "Customer_ID": customer.code,
            "Report_ID": definition["Report_ID"],
            "Release": RELEASE,
            "Report_Name": definition["Report_Name"],
            "Institution_Name": customer.name,
            "Institution_ID": _institution_id(customer),
            "Report_Filters": {
                **filters,
                **definition["filters"],
                "Metric_Type": list(definition["metrics"]),
            },
            "Exceptions": exceptions,
        }
        return Response({"Report_Header": header, "Report_Items": items})


class SushiIrM1Api(SushiReportApi):
    __doc__ = "IR_M1, Multimedia Item Requests: each film's requests, month by month."
    report = "ir_m1"


class SushiPrP1Api(SushiReportApi):
    __doc__ = "PR_P1, Platform Usage: the platform's requests, month by month."
    report = "pr_p1"


# --- credentials, managed by the institution's staff --------------------------------------
class SushiCredentialSerializer(serializers.ModelSerializer):
    customer_id = serializers.CharField(source="institution.code", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = SushiCredential
        fields = ["id", "requestor_id", "customer_id", "label", "created_at", "revoked_at"]
        fields += ["is_active"]
        read_only_fields = fields


class SushiCredentialCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SushiCredentialListApi(APIView):
    """An institution's SUSHI credentials (its staff and the cinema staff); an
    administrator creates one — the API key is in that answer only, never again."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "SushiCredentialList", {"results": SushiCredentialSerializer(many=True)}
        )
    )
    def get(self, request, pk):
        institution = institution_private_get_for(request.user, pk)
        credentials = SushiCredential.objects.filter(institution=institution).select_related(
            "institution"
        )
        return Response({"results": SushiCredentialSerializer(credentials, many=True).data})

    @extend_schema(
        request=SushiCredentialCreateSerializer,
        responses={
            201: inline_serializer(
                "NewSushiCredential",
                {
                    "credential": SushiCredentialSerializer(),
                    "requestor_id": serializers.CharField(),
                    "customer_id": serializers.CharField(),
                    "api_key": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request, pk):
        institution = institution_private_get_for(request.user, pk)
        sushi_manager_required(request.user)
        data = SushiCredentialCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = sushi_credential_create(
            institution=institution, created_by=request.user, label=data.validated_data["label"]
        )
        return Response(
            {
                "credential": SushiCredentialSerializer(new.credential).data,
                "requestor_id": new.credential.requestor_id,
                "customer_id": institution.code,
                "api_key": new.api_key,
            },
            status=status.HTTP_201_CREATED,
        )


class SushiCredentialRevokeApi(APIView):
    """An administrator revokes a credential: harvesting with it stops at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=SushiCredentialSerializer)
    def post(self, request, pk, credential_pk):
        institution = institution_private_get_for(request.user, pk)
        credential = get_object_or_404(
            SushiCredential.objects.select_related("institution"),
            institution=institution,
            pk=credential_pk,
        )
        sushi_manager_required(request.user)
        credential = sushi_credential_revoke(credential=credential)
        return Response(SushiCredentialSerializer(credential).data)
