"""One JSON shape for every 4xx answer:

    {"code": "<stable reason code>", "detail": "<translated message>",
     "fields": {"<field>": [{"code": "...", "message": "..."}]}}   # fields only when a field is at fault

Domain refusals (`ApplicationError`), DRF's exceptions and Django's Http404 /
PermissionDenied / ValidationError all come out in this shape.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from backend.errors import ApplicationError


def _full_details(detail):
    if isinstance(detail, dict):
        return {key: _full_details(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_full_details(item) for item in detail]
    return {"code": getattr(detail, "code", "invalid"), "message": str(detail)}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _answer_in_json(request) -> None:
    """An error is JSON even where the answer would have been a file (`?format=csv`, a
    PDF, a playlist, a MARC record), and when negotiation itself failed: the client reads
    the error contract, and the schema documents errors as JSON. The browsable API keeps
    its HTML page."""
    if request is None:
        return
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format in {"json", "api"}:
        return
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = JSONRenderer.media_type


def exception_handler(exc, context):
    _answer_in_json(context.get("request"))
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.field:
            body["fields"] = {exc.field: [{"code": exc.code, "message": str(exc.message)}]}
        body.update(exc.extra)
        return Response(body, status=exc.status_code)

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {key: _as_list(_full_details(value)) for key, value in details.items()}
        response.data = {
            "code": "validation_error",
            "detail": _("The request has invalid fields."),
            "fields": fields,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response

    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "error"
    response.data = {"code": code, "detail": str(getattr(exc, "detail", exc))}
    return response
