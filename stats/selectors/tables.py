"""The statistics page's tables by name — the same rows whether the page shows them, the
CSV link writes them at once or a worker prepares the CSV (`stats.tasks`): views,
public screenings and DVD orders (by month with every month of the period, or by the
grouping chosen), the most watched films, and where a library's patrons live."""

from __future__ import annotations

from stats.selectors.scope import Period, StatsScope, library_scope_required
from stats.selectors.territory import home_areas
from stats.selectors.usage import SOURCES, monthly_series, usage_table, usage_table_size

TOP_FILMS = 10
#: the tables the page shows, in its order
TABLES = (*SOURCES, "top_films", "home_areas")
GROUPINGS = ("month", "film", "library", "network", "department", "region")


def top_films(*, scope: StatsScope, period: Period) -> list[dict]:
    rows = usage_table(SOURCES["views"], scope=scope, period=period, group_by=["film"])
    return sorted(rows, key=lambda row: (-row["views"], row["film_title"]))[:TOP_FILMS]


def stats_table(
    name: str,
    *,
    scope: StatsScope,
    period: Period,
    group_by: str = "month",
    series: list[dict] | None = None,
) -> list[dict]:
    """The rows of the table `name` (one of `TABLES`). `series`: the monthly series of a
    source already computed (its month table is that series)."""
    if name in SOURCES:
        if group_by == "month":
            if series is not None:
                return series
            return monthly_series(SOURCES[name], scope=scope, period=period)
        return usage_table(SOURCES[name], scope=scope, period=period, group_by=[group_by])
    if name == "top_films":
        return top_films(scope=scope, period=period)
    if name == "home_areas":
        return home_areas(library=library_scope_required(scope), period=period)
    raise ValueError(name)


def stats_table_size(
    name: str, *, scope: StatsScope, period: Period, group_by: str = "month"
) -> int:
    """How many rows `stats_table` answers for the same choices, without building a
    long table: a month table has the period's months, the others are counted by the
    database (where the patrons live is a handful of rows: built)."""
    if name in SOURCES:
        if group_by == "month":
            return len(period.months())
        return usage_table_size(SOURCES[name], scope=scope, period=period, group_by=[group_by])
    if name == "top_films":
        films = usage_table_size(SOURCES["views"], scope=scope, period=period, group_by=["film"])
        return min(films, TOP_FILMS)
    if name == "home_areas":
        return len(home_areas(library=library_scope_required(scope), period=period))
    raise ValueError(name)
