"""Failed-login counting and temporary lockout (django-axes, on the shared cache).

Every login goes through `django.contrib.auth.authenticate`, where axes' backend comes
first: the API token's username and password, a patron's library card and PIN, the
admin's and the browsable API's login forms. Failures are counted per *account*: per
username, and per library card (the library's code and the card number, as a keyed digest:
the number itself is never a cache key nor logged). Once `LOGIN_FAILURE_LIMIT` failures are
reached, the account is refused — even with the right secret — until it has been left
alone for its cool-off: `LOGIN_LOCKOUT_MINUTES` for passwords, `CARD_LOCKOUT_HOURS` for
cards; every attempt during a lockout starts the cool-off again. A success resets the
count.

Addresses are not locked out here: a library's patrons share its public address. They are
rate-limited instead (`backend.api.throttling.LoginRateThrottle`, the trusted proxy count's
client address).

With the defaults, a card's 6-to-8-digit PIN (of which the obvious ones are refused, see
`subscriptions.pins`) can be tried at most 5 times a day: 1,825 guesses a year among
912,004 allowed 6-digit PINs — 0.2 % a year, for an attacker who already knows the
card number and its library.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import math

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

from backend.api.client import client_ip

#: Set on a request whose login is by library card: its cool-off is the card's.
CARD_LOGIN_FLAG = "login_with_card"


class LoginLocked(exceptions.Throttled):
    """429 `login_locked`, with `Retry-After`: too many failures for this account."""

    default_code = "login_locked"
    default_detail = gettext_lazy("Too many failed logins: this account is locked for now.")
    extra_detail_singular = gettext_lazy("Try again in {wait} second.")
    extra_detail_plural = gettext_lazy("Try again in {wait} seconds.")


def card_lockout_key(*, institution_code: str, card: str) -> str:
    """The account name a library card's failures are counted under: a keyed digest of the
    library's code and the card number (normalised as the card digest normalises it)."""
    message = f"lockout\n{institution_code}\n{card.strip().upper()}".encode()
    digest = hmac.new(settings.PATRON_CARD_PEPPER.encode(), message, hashlib.sha256)
    return "card:" + digest.hexdigest()[:40]


def lockout_username(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account an attempt is counted against."""
    credentials = credentials or {}
    if credentials.get("card") is not None:
        return card_lockout_key(
            institution_code=str(credentials.get("institution_code") or ""),
            card=str(credentials["card"]),
        )
    username = credentials.get("username")
    return None if username is None else str(username)


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address the throttles and on-site streaming use."""
    address = client_ip(request)
    return None if address is None else str(address)


def cool_off(request) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long an account stays locked after its last failure."""
    if getattr(request, CARD_LOGIN_FLAG, False):
        return datetime.timedelta(hours=settings.CARD_LOCKOUT_HOURS)
    return datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def login_attempt(request, *, card_login: bool = False, **credentials):
    """`authenticate()` under the lockout: the user, None for wrong credentials, or
    `LoginLocked` when the account is locked (this attempt included)."""
    if card_login:
        setattr(request, CARD_LOGIN_FLAG, True)
    user = authenticate(request, **credentials)
    if user is None and getattr(request, "axes_locked_out", False):
        raise LoginLocked(wait=cool_off(request).total_seconds())
    return user


def card_lockout_reset(*, institution_code: str, card: str) -> int:
    """Lift a card's lockout (its library's staff, for a patron who is locked out)."""
    return AxesProxyHandler.reset_attempts(
        username=card_lockout_key(institution_code=institution_code, card=card)
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: what AxesMiddleware answers a locked-out login form (the
    admin's, the browsable API's) — a page, or the error shape under /api/. A view that
    answered the lockout itself (a 429: the web client's sign-in page, in its design)
    keeps its answer."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    seconds = int(cool_off(request).total_seconds())
    if request.path.startswith("/api/"):
        exc = LoginLocked(wait=seconds)
        response = JsonResponse({"code": exc.default_code, "detail": str(exc.detail)}, status=429)
    else:
        response = render(
            request,
            "login_refused.html",
            {
                "title": _("Account locked"),
                "message": _("Too many failed logins: this account is locked for now."),
                "retry_after_minutes": math.ceil(seconds / 60),
            },
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response
