"""The client's address, taking only the configured number of trusted proxies into account.

A client can write any `X-Forwarded-For` it likes; only the entries appended by our own
proxies (the last TRUSTED_PROXY_COUNT ones) are believed. On-site streaming depends on it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    hops = settings.TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None
