"""No API route is shadowed by another: URL resolution tries the patterns in order, so a
path like `patrons/login/` placed after the router would be taken by its
`patrons/<pk>/` detail route. Every named route, reversed with sample arguments,
resolves back to itself."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

SAMPLE_VALUES = ("1", "2026-01-31", "ir_m1", "x")


def _named_routes(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _arguments(pattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return list(converters)
    return list(re.compile(str(pattern.pattern)).groupindex)


def _api_routes():
    routes = []
    for name, pattern in _named_routes(get_resolver().url_patterns):
        arguments = [a for a in _arguments(pattern) if a != "format"]
        for value in SAMPLE_VALUES:
            try:
                path = reverse(name, kwargs=dict.fromkeys(arguments, value))
            except NoReverseMatch:
                continue
            if path.startswith("/api/v1/"):
                routes.append((name, path))
            break
    return routes


ROUTES = _api_routes()


def test_the_api_has_routes_to_check():
    assert len(ROUTES) > 50
    assert ("patron-login", "/api/v1/patrons/login/") in ROUTES


@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
def test_each_route_resolves_to_itself(name, path):
    match = resolve(path)
    assert match.view_name == name, f"{path} is taken by {match.view_name}"
