"""CSV exports: `?format=csv` selects `CSVRenderer`; the view builds the file with
`csv_attachment` (a list endpoint exports every row matching its filters, unpaginated).

Every CSV we write goes through `csv_writer` / `csv_dict_writer`: a cell that a
spreadsheet would read as a formula (`=1+1`, `+…`, `-…`, `@…`, or after a tab or a
carriage return) is written with a leading apostrophe, so it shows as the text it is —
free text such as a patron's declared home area or a library's name reaches the cinema
staff's spreadsheets (OWASP, "CSV injection"). Numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


def neutralise(value):
    """The cell as a spreadsheet should show it: text that would start a formula gets a
    leading apostrophe; numbers (even as text, "-12.50") and other values are kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


class _Writer:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _DictWriter(csv.DictWriter):
    def writerow(self, rowdict):
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)


def csv_writer(file, **options) -> _Writer:
    """`csv.writer` whose cells cannot start a formula."""
    return _Writer(csv.writer(file, **options))


def csv_dict_writer(file, fieldnames, **options) -> csv.DictWriter:
    """`csv.DictWriter` whose cells cannot start a formula."""
    return _DictWriter(file, fieldnames=fieldnames, **options)


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
    writer = csv_dict_writer(buffer, list(columns), extrasaction="ignore")
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
