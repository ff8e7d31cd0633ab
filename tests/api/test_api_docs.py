"""The API's documentation comes from our own static files (no CDN: on a machine without
internet it used to be a blank page), and every answer carries a Content-Security-Policy
that lets the web client's player work: scripts and styles from 'self' only, MediaSource
blobs and the object store for media."""

import re
from importlib.metadata import version

import pytest
from django.contrib.staticfiles import finders

from backend.api import docs

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def _local_assets(html: str) -> list[str]:
    """Every script and stylesheet the page loads; all must be ours."""
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_only_our_own_files(api, path):
    response = api.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assets = _local_assets(html)
    assert assets, html
    for asset in assets:
        assert asset.startswith(("/static/", "/api/docs/?")), asset
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), f"{asset} is not in our files"
    assert "<script>" not in html and "<style>" not in html  # nothing inline
    assert "cdn" not in html.lower() and "googleapis" not in html


def test_swagger_ui_set_up_script_is_a_file(api):
    response = api.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/api/docs/", "/api/v1/ping/", "/api/v1/nothing/", "/admin/login/", "/healthz/"]
)
def test_every_answer_carries_the_policy(api, path):
    policy = _policy(api.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # what hls.js needs: MediaSource blobs, its worker, segments fetched by the page
    assert policy["media-src"] == ["'self'", "blob:", "data:"]
    assert policy["worker-src"] == ["'self'", "blob:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_the_object_store_origin_is_allowed_for_media(api, settings):
    settings.OBJECT_STORE_BUCKET = "films"
    settings.OBJECT_STORE_ENDPOINT_URL = "https://objects.example.org:9000/some/path"
    policy = _policy(api.get("/api/v1/ping/"))
    store = "https://objects.example.org:9000"
    assert policy["media-src"] == ["'self'", "blob:", "data:", store]
    assert policy["connect-src"] == ["'self'", store]
    assert policy["img-src"] == ["'self'", "data:", store]
    assert policy["script-src"] == ["'self'"]

    settings.OBJECT_STORE_ENDPOINT_URL = None  # AWS itself, path-style addressing
    settings.OBJECT_STORE_REGION = "eu-west-3"
    policy = _policy(api.get("/api/v1/ping/"))
    assert policy["connect-src"] == ["'self'", "https://s3.eu-west-3.amazonaws.com"]


def test_redoc_allows_only_its_two_stylesheets(api):
    policy = _policy(api.get("/api/redoc/"))
    assert policy["style-src"] == ["'self'", *docs.REDOC_STYLE_HASHES]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in str(policy)


def test_redoc_hashes_belong_to_the_installed_redoc():
    """The two hashes were read from Chromium's console with this release of the sidecar:
    an upgrade must record them again (see backend/api/docs.py)."""
    assert version("drf-spectacular-sidecar") == docs.REDOC_HASHES_RECORDED_WITH
