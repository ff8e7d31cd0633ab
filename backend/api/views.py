"""Cross-cutting endpoints: a trivial ping (the benchmarks' baseline) and the health check;
and the answers Django itself gives under /api/ (no route, a method a plain view does not
take, a crash) in the API's error shape instead of HTML pages."""

from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

API_PREFIX = "/api/"


class PingApi(APIView):
    """The smallest DRF endpoint: same stack, no database. Benchmarks divide by it."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=inline_serializer("Ping", {"pong": serializers.BooleanField()}))
    def get(self, request):
        return Response({"pong": True})


def healthz(request):
    """Liveness and database reachability for the container orchestrator."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_answer(code: str, detail: str, status: int) -> JsonResponse:
    """The error contract's shape (backend/api/exceptions.py) outside DRF's views."""
    return JsonResponse({"code": code, "detail": detail}, status=status)


def page_not_found(request, exception):
    """`handler404`: no route matched, or a plain view raised Http404."""
    if request.path.startswith(API_PREFIX):
        return error_answer("not_found", _("Not found."), 404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """`handler400`: a request Django itself refuses (a body over DATA_UPLOAD_MAX_MEMORY_SIZE,
    too many fields, a suspicious header)."""
    if request.path.startswith(API_PREFIX):
        return error_answer("bad_request", _("The request cannot be read."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """`handler403`: refused by Django itself (its CSRF check) or a PermissionDenied raised
    outside DRF."""
    if request.path.startswith(API_PREFIX):
        return error_answer(
            "permission_denied", _("You do not have permission to perform this action."), 403
        )
    return defaults.permission_denied(request, exception)


def server_error(request):
    """`handler500`: the crash is logged by Django; the client gets the error shape."""
    if request.path.startswith(API_PREFIX):
        return error_answer("server_error", _("A server error occurred."), 500)
    return defaults.server_error(request)


class JsonMethodNotAllowedMixin:
    """For plain Django views under /api/ (DRF's answer 405 in the error shape already)."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error_answer(
            "method_not_allowed",
            _('Method "{method}" not allowed.').format(method=request.method),  # DRF's words
            405,
        )
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response
