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

from django.db import connection
from django.db.models import CharField, Count, F, Func, Value
from django.db.models.functions import Cast, Concat, Substr, TruncDate, TruncMonth

from catalogue.models import Film
from stats.selectors.scope import Period, StatsScope
from stats.selectors.usage import VIEWS

IR_M1_METRICS = ("Total_Item_Requests", "Unique_Item_Requests")
PR_P1_METRICS = ("Total_Item_Requests", "Unique_Item_Requests", "Unique_Title_Requests")


def _session_key(*before):
    """What tells a view's user-session (and `before`, e.g. its film) apart: its viewer
    and its day in Europe/Paris. On PostgreSQL a row of the values, compared as they are;
    elsewhere the values joined as text."""
    day = TruncDate("started_at")
    if connection.vendor == "postgresql":
        return Func(*before, F("viewer_pseudonym"), day, function="ROW", output_field=CharField())
    parts = [Cast(part, output_field=CharField()) for part in (*before, day)]
    joined = []
    for part in parts:
        joined += [part, Value("|")]
    return Concat(*joined, F("viewer_pseudonym"), output_field=CharField())


def _month():
    """The view's month in Europe/Paris as "YYYY-MM", written by the database (turning
    thousands of aware datetimes back into text in Python costs more than the query)."""
    return Substr(Cast(TruncMonth("started_at"), output_field=CharField()), 1, 7)


def multimedia_item_requests(*, scope: StatsScope, period: Period) -> list[tuple]:
    """Rows (film id, month, total, unique), by film id and month — one aggregate query
    over the views alone (the films' labels are read apart: grouping by them too would
    sort the views by the titles' text)."""
    rows = (
        VIEWS.queryset(scope, period)
        .order_by()
        .annotate(month=_month())
        .values_list("film_id", "month")
        .annotate(total=Count("pk"), unique=Count(_session_key(), distinct=True))
        .order_by("film_id", "month")
    )
    return list(rows)


def platform_requests(*, scope: StatsScope, period: Period) -> list[dict]:
    """Rows per month with `total`, `unique_items` and `unique_titles` — one query: the
    distinct (film, viewer, day) triples of each month."""
    rows = (
        VIEWS.queryset(scope, period)
        .order_by()
        .values(month=_month())
        .annotate(total=Count("pk"), unique=Count(_session_key(F("film_id")), distinct=True))
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
    """IR_M1's Report_Items in COUNTER 5.1's JSON layout (months without use omitted):
    two queries, the aggregate and the films' labels."""
    rows = multimedia_item_requests(scope=scope, period=period)
    labels = {
        pk: (reference, title)
        for pk, reference, title in Film.objects.filter(pk__in={row[0] for row in rows})
        .order_by()
        .values_list("pk", "reference", "title")
    }
    items = []
    current = None
    for film, month, total, unique in rows:  # by film, then month
        if film != current:
            current = film
            reference, title = labels[film]
            totals, uniques = {}, {}
            items.append(
                {
                    "Item": title,
                    "Item_ID": {"Proprietary": f"{platform}:{reference}"},
                    "Platform": platform,
                    "Attribute_Performance": [
                        {
                            "Data_Type": "Multimedia",
                            "Access_Method": "Regular",
                            "Performance": {
                                "Total_Item_Requests": totals,
                                "Unique_Item_Requests": uniques,
                            },
                        }
                    ],
                }
            )
        totals[month] = total
        uniques[month] = unique
    return items


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
