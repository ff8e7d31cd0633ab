"""Rate limits keyed on the client's address as the trusted proxy count gives it.

DRF's own throttles identify a client by the raw `X-Forwarded-For` header unless told how
many proxies to believe: a client writing another value on each request is a new client
each time. These read the address through `backend.api.client.client_ip` — the helper
on-site streaming uses — so a header a client writes changes nothing.

- `LoginRateThrottle` (scope `login`, `LOGIN_THROTTLE_RATE`): one bucket per address shared
  by every login route — the API token, a patron's card and PIN, a portal link, the admin's
  and the browsable API's login forms (`login_rate_limited` wraps those two Django views).
- `StripeWebhookRateThrottle` (scope `stripe_webhook`, `STRIPE_WEBHOOK_THROTTLE_RATE`).
"""

from __future__ import annotations

import functools
import math

from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from backend.api.client import client_ip


class ClientAddressRateThrottle(SimpleRateThrottle):
    """A fixed-scope throttle counting requests per client address."""

    def get_ident(self, request) -> str:
        address = client_ip(request)
        return str(address) if address is not None else "unknown"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginRateThrottle(ClientAddressRateThrottle):
    scope = "login"


class StripeWebhookRateThrottle(ClientAddressRateThrottle):
    scope = "stripe_webhook"


def login_rate_limited(view):
    """Apply the login throttle to a Django (non-DRF) login view's POSTs: the admin's and
    the browsable API's login forms. A refused attempt is a 429 page with `Retry-After`;
    the form is not processed."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = LoginRateThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, math.ceil(throttle.wait() or 1))
                response = render(
                    request,
                    "login_refused.html",
                    {
                        "title": _("Too many login attempts"),
                        "message": _("Too many login attempts from your address."),
                        "retry_after_minutes": math.ceil(wait / 60),
                    },
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped
