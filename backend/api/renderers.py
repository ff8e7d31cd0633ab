"""CSV exports: `?format=csv` selects `CSVRenderer`; the view builds the file with
`csv_attachment` (a list endpoint exports every row matching its filters, unpaginated)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """`?format=csv`: the view writes the CSV itself; anything else that reaches this
    renderer (an error body) is written as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str | bytes):
            return data
        return json.dumps(data, default=str)


def csv_attachment(rows: Iterable[Mapping], columns: Sequence[str], filename: str) -> HttpResponse:
    """A CSV file download: a header of `columns`, one line per row (lists joined by
    spaces, empty cells for None)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: " ".join(map(str, value)) if isinstance(value, list | tuple) else value
                for key, value in row.items()
            }
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
