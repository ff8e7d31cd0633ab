"""The one application error every domain raises.

Each app lists its reason codes in its own `errors.py`; a code is a stable machine word
that clients may branch on, the message is translated per request (Accept-Language).
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refusal the domain decided on purpose: stable `code`, translated `message`,
    HTTP `status` (4xx), optional `field` at fault and `extra` details."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        status: int | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        if status is not None:
            self.status_code = status
        self.field = field
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    status_code = 404


class ConflictError(ApplicationError):
    status_code = 409
