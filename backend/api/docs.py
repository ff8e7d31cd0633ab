"""The API's documentation pages: Swagger UI (`/api/docs/`) and ReDoc (`/api/redoc/`),
served from our own static files (drf-spectacular-sidecar, pinned in the lock file), no
CDN, under the site's Content-Security-Policy (scripts and styles from 'self').

Swagger UI runs as is: the split view serves its set-up script as a file. ReDoc injects
two stylesheets while it loads — its bundled CSS and empty `<style>` elements that
styled-components fills through the CSSOM — so its page allows those two by their hashes,
nothing else inline. The hashes belong to the ReDoc of the sidecar release below: on an
upgrade, open /api/redoc/ in Chromium, read the hashes the console asks for, and record
them with the new release (tests/api/test_api_docs.py holds the two together).
"""

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_HASHES_RECORDED_WITH = "2026.10.1"  # drf-spectacular-sidecar
REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty <style>
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # ReDoc's bundled CSS
]

swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="schema")
redoc = csp_update({"style-src": REDOC_STYLE_HASHES})(
    SpectacularRedocView.as_view(url_name="schema")
)
