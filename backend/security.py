"""The Content-Security-Policy of every answer (django-csp, configured in settings), with
the object store's origin where the browser fetches stored files from."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings

#: the directives that load stored files: posters, HLS segments, subtitles, downloads
STORE_DIRECTIVES = ("img-src", "media-src", "connect-src")


def object_store_origin() -> str | None:
    """Where presigned URLs point (path-style addressing, see media/objectstore.py); None
    for the local store, whose URLs are the backend's own."""
    if not settings.OBJECT_STORE_BUCKET:
        return None
    url = urlsplit(
        settings.OBJECT_STORE_ENDPOINT_URL
        or f"https://s3.{settings.OBJECT_STORE_REGION}.amazonaws.com"
    )
    return f"{url.scheme}://{url.netloc}"


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        origin = object_store_origin()
        if origin and not report_only:
            update = dict(parts.update or {})
            for directive in STORE_DIRECTIVES:
                update[directive] = [*update.get(directive, []), origin]
            parts.update = update
        return parts
