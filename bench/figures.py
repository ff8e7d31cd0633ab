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
    # A response that takes seconds (a whole file): measured in `rounds` long slices, each
    # after `settle` seconds in which the other target's last responses complete, so that
    # neither counts the other's time. None: the harness's defaults.
    rounds: int | None = None
    seconds: float | None = None
    settle: float | None = None
    # What the figure is compared with, when not the ping: measured the same way,
    # alternating with it, and the line's ratio is to it (say which in `description`).
    baseline: Figure | None = None


def page_of(n: int) -> Check:
    """The response is a paginated list whose page holds exactly `n` results."""

    def check(body: bytes) -> str | None:
        data = json.loads(body)
        got = len(data.get("results", []))
        if got != n:
            return f"expected a page of {n} results, got {got} (count={data.get('count')})"
        return None

    return check


#: the API's page of the films the web client's catalogue page shows first (24, anonymous)
API_FILM_PAGE = Figure(
    "api_catalogue_page_24",
    "/api/v1/films/?page_size=24",
    "The API's first page of 24 films, anonymous (the JSON the web client's page compares to).",
    check=page_of(24),
)

#: the same page computed every time (`Cache-Control: no-cache`)
API_FILM_PAGE_UNCACHED = Figure(
    "api_catalogue_page_24_uncached",
    "/api/v1/films/?page_size=24",
    "The API's first page of 24 films computed every time, anonymous.",
    headers={"Cache-Control": "no-cache"},
    check=page_of(24),
)

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
    Figure(
        "catalogue_rights_list_50",
        "/api/v1/films/?page_size=50",
        "Catalogue page of 50 films with the rights summary (4 media) of the caller's "
        "library, as its staff browse it: the response cache answers while nothing changed.",
        login=("library-admin", "demo-catalogue-2017"),
        check=page_of(50),
    ),
    Figure(
        "catalogue_rights_list_50_uncached",
        "/api/v1/films/?page_size=50",
        "The same page computed every time (`Cache-Control: no-cache`): films, relations "
        "and the rights engine's bulk decision for 50 films × 4 media.",
        headers={"Cache-Control": "no-cache"},
        login=("library-admin", "demo-catalogue-2017"),
        check=page_of(50),
    ),
    Figure(
        "editorial_collections",
        "/api/v1/collections/",
        "The editorial collections published today with, in each, the films the caller's "
        "library may use (the rights engine's bulk decision for every film of the page).",
        login=("library-admin", "demo-catalogue-2017"),
        check=lambda body: None if "results" in json.loads(body) else "not a page",
    ),
    Figure(
        "records_marc21",
        "/api/v1/records/?format=marc21",
        "The MARC21 file of every film the caller's library may stream (one record each, "
        "with its playback link), built with pymarc.",
        login=("library-admin", "demo-catalogue-2017"),
        check=lambda body: None if body[:5].isdigit() else "not an ISO 2709 file",
        # thousands of records at scale 10: seconds per response
        rounds=2,
        seconds=20.0,
        settle=8.0,
    ),
    Figure(
        "web_catalogue_page",
        "/films/",
        "The web client's catalogue page (HTML: the same 24 films with the search form and "
        "its filters, DSFR markup), anonymous; its baseline is the API's JSON page of the "
        "same films (api_catalogue_page_24), not the ping.",
        check=lambda body: None if body.count(b'class="fr-card ') == 24 else "not 24 film cards",
        baseline=API_FILM_PAGE,
    ),
    Figure(
        "web_catalogue_page_uncached",
        "/films/",
        "The same HTML page computed every time (`Cache-Control: no-cache`): films, their "
        "relations, the filters' choices and the template; its baseline is the API's page "
        "computed every time.",
        headers={"Cache-Control": "no-cache"},
        check=lambda body: None if body.count(b'class="fr-card ') == 24 else "not 24 film cards",
        baseline=API_FILM_PAGE_UNCACHED,
    ),
]
