"""A COUNTER-style title report (simplified, in the spirit of COUNTER 5's TR_B1 "Book
Requests"): for an institution and a span of months, each film's title requests (views)
and unique title requests (distinct viewers in the month) month by month.

`title_requests` is the aggregation, reusable by a later full COUNTER 5.1 / SUSHI
service; `counter_title_report` shapes it as a report.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from stats.selectors.scope import Period, StatsScope
from stats.selectors.usage import VIEWS, usage_table

METRICS = ("Total_Item_Requests", "Unique_Title_Requests")


def title_requests(*, scope: StatsScope, period: Period) -> list[dict]:
    """Rows (film, month) with `views` and `viewers` — one aggregate query."""
    return usage_table(VIEWS, scope=scope, period=period, group_by=["film", "month"])


def month_period(begin: datetime.date, end: datetime.date) -> Period:
    """Whole months: from the first day of `begin`'s month to the last day of `end`'s."""
    after = (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return Period(begin.replace(day=1), after - datetime.timedelta(days=1))


def counter_title_report(*, scope: StatsScope, period: Period) -> dict:
    """The report: a header, then one item per film with its monthly performance."""
    months = [month.strftime("%Y-%m") for month in period.months()]
    items: dict[int, dict] = {}
    for row in title_requests(scope=scope, period=period):  # aggregated (film, month) rows
        item = items.setdefault(
            row["film_pk"],
            {
                "title": row["film_title"],
                "item_id": row["film_reference"],
                "performance": {m: dict.fromkeys(METRICS, 0) for m in months},
            },
        )
        cell = item["performance"][row["month"]]
        cell["Total_Item_Requests"] = row["views"]
        cell["Unique_Title_Requests"] = row["viewers"]
    report_items = []
    for item in sorted(items.values(), key=lambda i: (i["title"], i["item_id"])):
        totals = {
            metric: sum(cell[metric] for cell in item["performance"].values()) for metric in METRICS
        }
        report_items.append(
            {
                "title": item["title"],
                "item_id": item["item_id"],
                "totals": totals,
                "performance": [{"month": month, **item["performance"][month]} for month in months],
            }
        )
    institution = scope.institution
    return {
        "report_header": {
            "report_name": "Title Report (title requests)",
            "report_id": "TR_B1",
            "release": "5-simplified",
            "institution_name": institution.name if institution else "",
            "institution_id": institution.code if institution else "",
            "metric_types": list(METRICS),
            "begin_date": period.start,
            "end_date": period.end,
            "created": timezone.now(),
        },
        "report_items": report_items,
    }


def counter_csv_rows(report: dict) -> tuple[list[str], list[list]]:
    """COUNTER's tabular layout: one line per title and metric, a column per month."""
    header_info = report["report_header"]
    period = Period(header_info["begin_date"], header_info["end_date"])
    months = [month.strftime("%Y-%m") for month in period.months()]
    header = ["Title", "Item_ID", "Metric_Type", "Reporting_Period_Total", *months]
    rows = []
    for item in report["report_items"]:
        for metric in METRICS:
            rows.append(
                [
                    item["title"],
                    item["item_id"],
                    metric,
                    item["totals"][metric],
                    *(cell[metric] for cell in item["performance"]),
                ]
            )
    return header, rows
