"""The JSON parser of the API: DRF's, refusing with a 400 the bodies that would crash
further on instead of answering 500.

- Nesting: Python's JSON decoder recurses once per level; `[[[…]]]` 20,000 deep raises
  `RecursionError`. No request of this API nests more than a few levels, so anything
  deeper than `MAX_DEPTH` is refused (`json_too_deep`).
- Lone surrogates: JSON may spell `"\\ud800"`, a half of a UTF-16 pair that is no
  character at all; such a string can be neither stored nor written back in an error
  message (UTF-8 refuses to encode it), so the body is refused (`invalid_unicode`).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        _check(data)
        return data


def _too_deep() -> ParseError:
    return ParseError(
        _("The JSON body is nested more than %(max)d levels deep.") % {"max": MAX_DEPTH},
        code="json_too_deep",
    )


def _check(data) -> None:
    """Walk the parsed body without recursion: depth, and every string (keys too)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ParseError(
                    _(
                        "The body holds a lone surrogate (\\ud800-\\udfff), which is not a character."
                    ),
                    code="invalid_unicode",
                )
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        else:
            pending.extend((item, depth + 1) for item in value)
