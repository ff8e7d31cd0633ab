"""COUNTER Release 5.1 reports for audiovisual content, aggregated by the database.

- IR_M1 (Multimedia Item Requests): per film and month, Total_Item_Requests and
  Unique_Item_Requests.
- PR_P1 (Platform Usage): per month, Total_Item_Requests, Unique_Item_Requests and
  Unique_Title_Requests.

Counting rules (what we take COUNTER's definitions to mean here):
- an item request is a view event (a playback recorded for statistics); COUNTER's
  double-click filter (two requests of one item by one user within 30 seconds count once)
  is not applied: a view event is recorded once per playback session, not per click;
- a user-session is one viewer (the keyed pseudonym of the view event) on one calendar
  day in Europe/Paris — we have no session id shared across films, so COUNTER's fallback
  of a user identifier plus a time slot applies, with the day as the slot;
- Unique_Item_Requests counts, per film, the distinct (viewer, day) pairs: a film watched
  three times by one viewer in a day is 3 total requests and 1 unique request;
- a film is both the item and the title, so Unique_Title_Requests equals
  Unique_Item_Requests at every level (it differs only on platforms where one title has
  several items, e.g. chapters);
- summed over a month, unique requests add up per film: the platform's
  Unique_Item_Requests of a month is the sum of its films' (a viewer who watched two films
  on one day made two unique item requests).

Scope: an institution's own views, and for a network its members' while they were
members (`StatsScope`). Each report is one aggregate query.
"""

from __future__ import annotations

from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Cast, Concat, Substr, TruncDate, TruncMonth

from stats.selectors.scope import Period, StatsScope
from stats.selectors.usage import VIEWS

IR_M1_METRICS = ("Total_Item_Requests", "Unique_Item_Requests")
PR_P1_METRICS = ("Total_Item_Requests", "Unique_Item_Requests", "Unique_Title_Requests")


def _user_session():
    """The user-session key of a view: its day in Europe/Paris and its viewer."""
    day = Cast(TruncDate("started_at"), output_field=CharField())
    return Concat(day, Value("|"), F("viewer_pseudonym"), output_field=CharField())


def _month():
    """The view's month in Europe/Paris as "YYYY-MM", written by the database (turning
    thousands of aware datetimes back into text in Python costs more than the query)."""
    return Substr(Cast(TruncMonth("started_at"), output_field=CharField()), 1, 7)


def multimedia_item_requests(*, scope: StatsScope, period: Period) -> list[dict]:
    """Rows (film, month) with `total` and `unique` — one aggregate query."""
    rows = (
        VIEWS.queryset(scope, period)
        .order_by()
        .values(
            film_pk=F("film_id"),
            film_reference=F("film__reference"),
            film_title=F("film__title"),
            month=_month(),
        )
        .annotate(total=Count("pk"), unique=Count(_user_session(), distinct=True))
        .order_by("film_pk", "month")  # not by title: a collated sort costs as much as the rest
    )
    return list(rows)


def platform_requests(*, scope: StatsScope, period: Period) -> list[dict]:
    """Rows per month with `total`, `unique_items` and `unique_titles` — one query: the
    distinct (film, viewer, day) triples of each month."""
    film_session = Concat(
        Cast("film_id", output_field=CharField()),
        Value("|"),
        _user_session(),
        output_field=CharField(),
    )
    rows = (
        VIEWS.queryset(scope, period)
        .order_by()
        .values(month=_month())
        .annotate(total=Count("pk"), unique=Count(film_session, distinct=True))
        .order_by("month")
    )
    return [
        {
            "month": row["month"],
            "total": row["total"],
            "unique_items": row["unique"],
            "unique_titles": row["unique"],
        }
        for row in rows
    ]


def ir_m1_items(*, scope: StatsScope, period: Period, platform: str) -> list[dict]:
    """IR_M1's Report_Items in COUNTER 5.1's JSON layout (months without use omitted)."""
    items: dict[int, dict] = {}
    for row in multimedia_item_requests(scope=scope, period=period):  # aggregated rows
        item = items.get(row["film_pk"])
        if item is None:
            item = items[row["film_pk"]] = {
                "Item": row["film_title"],
                "Item_ID": {"Proprietary": f"{platform}:{row['film_reference']}"},
                "Platform": platform,
                "Attribute_Performance": [
                    {
                        "Data_Type": "Multimedia",
                        "Access_Method": "Regular",
                        "Performance": {metric: {} for metric in IR_M1_METRICS},
                    }
                ],
            }
        performance = item["Attribute_Performance"][0]["Performance"]
        performance["Total_Item_Requests"][row["month"]] = row["total"]
        performance["Unique_Item_Requests"][row["month"]] = row["unique"]
    return list(items.values())


def pr_p1_items(*, scope: StatsScope, period: Period, platform: str) -> list[dict]:
    """PR_P1's Report_Items: one item, the platform (empty when nothing was used)."""
    rows = platform_requests(scope=scope, period=period)
    if not rows:
        return []
    performance = {
        "Total_Item_Requests": {row["month"]: row["total"] for row in rows},
        "Unique_Item_Requests": {row["month"]: row["unique_items"] for row in rows},
        "Unique_Title_Requests": {row["month"]: row["unique_titles"] for row in rows},
    }
    return [{"Platform": platform, "Attribute_Performance": [{"Performance": performance}]}]
