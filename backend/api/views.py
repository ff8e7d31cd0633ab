"""Cross-cutting endpoints: a trivial ping (the benchmarks' baseline) and the health check."""

from django.db import connection
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


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
