"""CSV answers of the stats endpoints (`?format=csv`), and the renderers that let DRF
negotiate them (the views write the body themselves)."""

from __future__ import annotations

import io
import json

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer

from backend.api.renderers import csv_writer


class CSVRenderer(BaseRenderer):
    """`?format=csv`: the view writes the CSV; an error body reaching it is JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str | bytes):
            return data
        return json.dumps(data, default=str)


class SVGRenderer(BaseRenderer):
    """Charts: the view returns the SVG; an error body reaching it is JSON."""

    media_type = "image/svg+xml"
    format = "svg"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str | bytes):
            return data
        return json.dumps(data, default=str)


def csv_text(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def table_csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    """A table of dicts as a CSV file's bytes (UTF-8), columns in the given order."""
    return csv_text(columns, [[row.get(c, "") for c in columns] for row in rows]).encode()


def csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def table_csv_response(filename: str, rows: list[dict], columns: list[str]) -> HttpResponse:
    """A table of dicts as CSV, columns in the given order."""
    return csv_response(filename, columns, [[row.get(c, "") for c in columns] for row in rows])


def svg_response(svg: str) -> HttpResponse:
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
