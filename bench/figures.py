"""The registry of benchmark figures: add one `Figure(...)` to `FIGURES` to get a new line.

Each figure is measured right after a fresh measurement of `BASELINE` (the trivial
`/api/v1/ping/`, same server, same settings), and reported as requests per second and as
the ratio to that baseline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# A check of one sample response body: returns an error message, or None when it is fine.
Check = Callable[[bytes], "str | None"]


@dataclass(frozen=True)
class Figure:
    name: str  # the line's name, e.g. "catalogue_list_50"
    path: str  # GET path on the server, query string included
    description: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    # Demo (username, password): the harness obtains a token with
    # POST /api/v1/auth/token/ and sends `Authorization: Token <key>`.
    login: tuple[str, str] | None = None
    # Run once on a sample response before measuring (e.g. "the page really holds 50 films").
    check: Check | None = None


def page_of(n: int) -> Check:
    """The response is a paginated list whose page holds exactly `n` results."""

    def check(body: bytes) -> str | None:
        data = json.loads(body)
        got = len(data.get("results", []))
        if got != n:
            return f"expected a page of {n} results, got {got} (count={data.get('count')})"
        return None

    return check


BASELINE = Figure(
    "baseline_ping",
    "/api/v1/ping/",
    "Smallest DRF endpoint: same middleware and renderer, no authentication, no database.",
)

FIGURES: list[Figure] = [
    Figure(
        "catalogue_list_50",
        "/api/v1/films/?page_size=50",
        "Public catalogue list, one page of 50 films with directors, themes, countries and "
        "languages (anonymous).",
        check=page_of(50),
    ),
    # An authenticated figure (demo accounts: accounts/demo.py), e.g. once the catalogue
    # page carries the rights summary of the caller's library:
    # Figure(
    #     "catalogue_list_50_rights",
    #     "/api/v1/films/?page_size=50",
    #     "Catalogue page of 50 films with the rights summary of one library.",
    #     login=("library-admin", "demo-catalogue-2017"),
    #     check=page_of(50),
    # ),
]
