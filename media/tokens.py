"""Short-lived HMAC tokens the backend signs itself (Django's signing, SECRET_KEY): the
URLs of a playback session (playlists and segment links, bound to the session; see
media.services.streams), and, on the embedded local store, the URLs that stand in for
presigned part uploads and downloads.

Each token carries its own expiry (`exp`, a Unix time) and a purpose (the salt), so a
token made for one use is refused for another."""

from __future__ import annotations

import time

from django.core import signing
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from media.errors import MediaErrorCode


def token_make(
    purpose: str, payload: dict, *, seconds: int | None = None, until: float | None = None
) -> str:
    """A token valid for `seconds` from now, or `until` a Unix time."""
    expires = int(until) if until is not None else int(time.time()) + int(seconds or 0)
    return signing.dumps({**payload, "exp": expires}, salt=f"media:{purpose}")


def token_read(purpose: str, token: str) -> dict:
    """The payload of a valid, unexpired token of this purpose; 403 otherwise."""
    try:
        payload = signing.loads(token, salt=f"media:{purpose}")
    except signing.BadSignature:
        raise ApplicationError(
            MediaErrorCode.INVALID_TOKEN, _("This link is not valid."), status=403
        ) from None
    if not isinstance(payload, dict) or payload.get("exp", 0) < time.time():
        raise ApplicationError(
            MediaErrorCode.TOKEN_EXPIRED, _("This link has expired."), status=403
        )
    return payload
