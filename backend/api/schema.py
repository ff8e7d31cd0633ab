"""The OpenAPI schema tells every answer an operation can give, its errors included.

drf-spectacular documents the successful answer of each operation; this `AutoSchema` adds
the error contract (`backend/api/exceptions.py`) under each 4xx status the operation can
answer, derived from what the view really does:

- 400 when it reads a body or query parameters (a field at fault, a malformed body);
- 401 when it authenticates (no credentials where they are needed, or a wrong token);
- 403 when a role check or CSRF (session logins) can refuse it;
- 404 when it names objects — a path parameter, a query parameter or a body (an unknown
  id, another library's object), or a page past the end of a list;
- 409 when it writes (the domain refuses a change the current state forbids);
- 415 when it reads a body (another content type than the documented ones);
- 429 when it is throttled.

A view states other statuses, or other shapes (COUNTER exceptions), in its own
`extend_schema(responses=...)`; those are kept as they are.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class FieldErrorSerializer(serializers.Serializer):
    """One problem of a field. A nested field (an item of a list, a nested object) holds
    the same structure one level down instead: `{"<subfield>": [{"code", "message"}]}`."""

    code = serializers.CharField(required=False)
    message = serializers.CharField(required=False)


class ErrorSerializer(serializers.Serializer):
    """The one shape of every 4xx answer: a stable reason code, a message in the caller's
    language (Accept-Language) and, when fields are at fault, their problems. A domain
    refusal may add details of its own (for instance the day a quota resets)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=FieldErrorSerializer()), required=False
    )


ERROR_DESCRIPTIONS = {
    "400": "The request is malformed or a field is at fault (`validation_error`, a reason code).",
    "401": "No credentials, or wrong ones.",
    "403": "The caller's role may not do this (or the CSRF check of a session login failed).",
    "404": "No such object for this caller (another library's objects are not found), or no such page.",
    "409": "The current state of the object forbids this change (a reason code says why).",
    "415": "The body is not in a documented content type.",
    "429": "Too many attempts: try again later (`Retry-After`).",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self.error_statuses():
            if status not in responses:
                responses[status] = self._error_response(status)
        return dict(sorted(responses.items()))

    def _error_response(self, status: str) -> dict:
        response = self._get_response_for_code(ErrorSerializer, status, ["application/json"])
        response["description"] = ERROR_DESCRIPTIONS[status]
        return response

    def error_statuses(self) -> list[str]:
        view = self.view
        reads_body = self.method in {"POST", "PUT", "PATCH"}
        authenticators = list(getattr(view, "authentication_classes", []))
        permissions = [type(permission) for permission in view.get_permissions()]
        statuses = []
        if reads_body or self._has_query_parameters():
            statuses.append("400")
        if authenticators:
            statuses.append("401")
        guarded = any(p is not AllowAny for p in permissions)
        csrf = self.method in UNSAFE_METHODS and any(
            issubclass(a, SessionAuthentication) for a in authenticators
        )
        if guarded or csrf:
            statuses.append("403")
        if reads_body or self._has_path_parameters() or self._has_query_parameters():
            statuses.append("404")
        if self.method in UNSAFE_METHODS:
            statuses.append("409")
        if reads_body:
            statuses.append("415")
        if getattr(view, "throttle_classes", None):
            statuses.append("429")
        return statuses

    def _has_path_parameters(self) -> bool:
        return "{" in self.path

    def _has_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())
