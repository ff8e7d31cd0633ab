"""A statement's usage tables as its pages show them (the cinema staff's and the rights
holder's): the period's figures per film and medium whole, the tables by month and by
department a page at a time (a busy contract's year holds hundreds of department rows;
the CSV holds them all)."""

from __future__ import annotations

from django.core.paginator import Paginator

from royalties import selectors

USAGE_PAGE_SIZE = 100
#: each paginated table's page parameter and the id of its heading
PAGED = {
    "month": ("mois", "usage-month-title"),
    "department": ("departement", "usage-department-title"),
    "cell": ("cellules", "usage-cell-title"),
}


def usage_tables(request, statement) -> dict:
    """{"period": rows, "month": {...}, "department": {...}}: a paged table is its page of
    rows, its page parameter, the query without it and the heading to come back to."""
    tables = selectors.statement_usage_tables(statement)
    result: dict = {"period": tables["period"]}
    for breakdown, (param, anchor) in PAGED.items():
        query = request.GET.copy()
        query.pop(param, None)
        result[breakdown] = {
            "rows": tables[breakdown],
            "page": Paginator(tables[breakdown], USAGE_PAGE_SIZE).get_page(request.GET.get(param)),
            "param": param,
            "query": query.urlencode(),
            "anchor": anchor,
        }
    return result
