"""Statistics benchmarks (`make bench`, or on their own:
`scripts/with_postgres.py .venv/bin/python bench/stats.py`), PostgreSQL only.

1. Fills `media_viewevent` up to $BENCH_VIEW_EVENTS (10 million) view events with one
   `INSERT … SELECT generate_series` (no ORM): films and libraries of the demo data, two
   years (2017–2018), 2 million pseudonymous viewers, 1 % of the views at the demo library
   BIB-00001; then VACUUM ANALYZE. A second run finds them there and skips this.
2. Times, each against one hand-written SQL query computing the same figures, run in the
   same process alternately ($BENCH_STATS_REPEAT times each, median):
   - `stats_annual_report`: `stats.selectors.annual.annual_report(2017)` (the endpoint's
     and the command's code: catalogue by media through the rights engine, orders,
     subscribers, coverage, and the year's views: about 5 million rows);
   - `stats_library_monthly`: `GET /api/v1/stats/views/?group_by=month` for the demo
     library over 2017 through Django's test client (auth, scope, query, JSON).
   - `stats_sushi_ir_m1`: `GET /api/v1/sushi/reports/ir_m1` (COUNTER 5.1 IR_M1) for the
     demo library over 2017 with a SUSHI credential, through Django's test client.
   - `rights_holder_statements`: `royalties.services.statements_draft_period` for 2017,
     every contract's statement drafted for the first time (the period's drafts deleted
     before each timed run, untimed: what they are computed from read at once for every
     contract, then each statement computed and written: its usage rows, its lines, its
     fees) against one hand-written SQL query giving every usage figure a statement holds
     (`ALL_FIGURES_SQL`, written from the rules, not from `royalties.usage`: per contract,
     film and medium, over the year, by month and by department, views, seconds, distinct
     viewers, screenings held, attendance, DVD copies shipped; and the quantities per
     terms version that the lines price; the grants' territories and institution kinds
     checked as the rights engine checks them), which writes nothing; checked against the
     stored usage rows and lines. Then, on `#` lines, the drafting's read alone
     (`royalties.usage.usage_of_every_contract`) against that query, so that the read's
     ratio and the cost of writing show apart, and the drafting against a query giving
     the year's figures per contract, film and medium only (`STATEMENTS_SQL`).
   Prints `name: value ms (ratio vs baseline: r)`, the ratio being ORM / SQL (aim ≤ 1.5),
   after checking that both give the same figures.

Environment: BENCH_VIEW_EVENTS (10000000), BENCH_STATS_REPEAT (3 for the report, 3×
that for the library), BENCH_SCALE (10, used only when the database is empty),
BENCH_ONLY (`stats`: the first three; `stats_sushi_ir_m1`: the SUSHI report alone;
`rights_holder_statements`: the statements alone).
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2017
DEMO_LIBRARY = "BIB-00001"

GENERATE_SQL = """
WITH films AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM catalogue_film WHERE added_on IS NOT NULL
), libraries AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM institutions_institution WHERE NOT is_network
)
INSERT INTO media_viewevent
    (film_id, institution_id, viewer_pseudonym, medium, seconds_watched, started_at, recorded_at)
SELECT
    films.ids[1 + floor(random() * cardinality(films.ids))::int],
    CASE WHEN g %% 100 = 0 THEN %(demo)s
         ELSE libraries.ids[1 + floor(random() * cardinality(libraries.ids))::int] END,
    md5(floor(random() * 2000000)::text),
    CASE WHEN random() < 0.3 THEN 'stream_onsite' ELSE 'stream_home' END,
    floor(random() * 5400)::int,
    %(start)s::timestamptz + (g::float8 / %(count)s) * interval '730 days',
    now()
FROM generate_series(1, %(count)s) AS g, films, libraries
"""

#: the annual report in one statement; the rights condition is that of
#: rights.selectors.films_available for "some library": a grant of the medium in force
#: that day, not held back, for some territory and kind, the film not withdrawn by then
ANNUAL_SQL = """
WITH cat AS (
    SELECT f.id,
        EXISTS (SELECT 1 FROM rights_rightsgrant g WHERE g.film_id = f.id
            AND g.medium IN ('stream_onsite', 'stream_home') AND g.starts_on <= %(ye)s
            AND (g.ends_on IS NULL OR g.ends_on >= %(ye)s)
            AND (g.holdback_until IS NULL OR g.holdback_until <= %(ye)s)
            AND jsonb_array_length(g.territories) > 0
            AND jsonb_array_length(g.eligible_kinds) > 0) AS platform,
        EXISTS (SELECT 1 FROM rights_rightsgrant g WHERE g.film_id = f.id
            AND g.medium = 'dvd' AND g.starts_on <= %(ye)s
            AND (g.ends_on IS NULL OR g.ends_on >= %(ye)s)
            AND (g.holdback_until IS NULL OR g.holdback_until <= %(ye)s)
            AND jsonb_array_length(g.territories) > 0
            AND jsonb_array_length(g.eligible_kinds) > 0) AS dvd,
        (NOT (f.status = 'withdrawn' AND f.withdrawn_on <= %(pe)s) AND EXISTS (
            SELECT 1 FROM rights_rightsgrant g WHERE g.film_id = f.id
            AND g.medium IN ('stream_onsite', 'stream_home') AND g.starts_on <= %(pe)s
            AND (g.ends_on IS NULL OR g.ends_on >= %(pe)s)
            AND (g.holdback_until IS NULL OR g.holdback_until <= %(pe)s)
            AND jsonb_array_length(g.territories) > 0
            AND jsonb_array_length(g.eligible_kinds) > 0)) AS platform_before
    FROM catalogue_film f
    WHERE f.added_on <= %(ye)s AND (f.withdrawn_on IS NULL OR f.withdrawn_on > %(ye)s)
), lines AS (
    SELECT o.library_id, l.quantity, e.film_id
    FROM orders_orderline l
    JOIN orders_order o ON o.id = l.order_id
    JOIN orders_dvdedition e ON e.id = l.edition_id
    WHERE l.status = 'accepted' AND o.status IN ('validated', 'shipped', 'delivered')
      AND o.submitted_at >= %(t0)s AND o.submitted_at < %(t1)s
), per_library AS (
    SELECT library_id, sum(quantity) AS copies FROM lines GROUP BY library_id
), subs AS (
    SELECT s.subscriber_id FROM subscriptions_subscription s
    JOIN subscriptions_plan p ON p.id = s.plan_id
    WHERE p.kind = 'platform' AND s.status IN ('active', 'expired')
      AND s.starts_on <= %(ye)s AND s.ends_on >= %(ye)s
), views AS (
    SELECT count(*) AS n, coalesce(sum(seconds_watched), 0) AS seconds,
           count(DISTINCT viewer_pseudonym) AS viewers
    FROM media_viewevent WHERE started_at >= %(t0)s AND started_at < %(t1)s
), screenings AS (
    SELECT count(*) FILTER (WHERE status = 'held') AS held,
           coalesce(sum(actual_attendance), 0) AS attendance
    FROM subscriptions_screeningbooking
    WHERE status <> 'cancelled' AND starts_at >= %(t0)s AND starts_at < %(t1)s
)
SELECT
    (SELECT count(*) FROM cat),
    (SELECT count(*) FROM cat WHERE platform AND NOT dvd),
    (SELECT count(*) FROM cat WHERE platform AND dvd),
    (SELECT count(*) FROM cat WHERE dvd AND NOT platform),
    (SELECT count(*) FROM catalogue_film WHERE withdrawn_on BETWEEN %(ys)s AND %(ye)s),
    (SELECT count(*) FROM cat WHERE platform AND NOT platform_before),
    (SELECT coalesce(sum(quantity), 0) FROM lines),
    (SELECT count(DISTINCT film_id) FROM lines),
    (SELECT count(*) FROM per_library),
    (SELECT min(copies) FROM per_library),
    (SELECT max(copies) FROM per_library),
    (SELECT count(*) FROM institutions_institution WHERE NOT is_network
        AND dvd_authorised_since <= %(ye)s AND NOT dvd_suspended),
    (SELECT count(DISTINCT subscriber_id) FROM subs),
    (SELECT count(*) FROM institutions_institution i
        WHERE (NOT i.is_network AND i.id IN (SELECT subscriber_id FROM subs))
           OR i.id IN (SELECT m.library_id FROM institutions_networkmembership m
                       WHERE m.network_id IN (SELECT subscriber_id FROM subs)
                         AND m.joined_on <= %(ye)s
                         AND (m.left_on IS NULL OR m.left_on > %(ye)s))),
    views.n, views.seconds, views.viewers, screenings.held, screenings.attendance
FROM views, screenings
"""
ANNUAL_KEYS = [
    "films_in_catalogue",
    "films_platform_only",
    "films_all_media",
    "films_dvd_only",
    "films_withdrawn",
    "films_new_on_platform",
    "dvd_copies_ordered",
    "dvd_titles_ordered",
    "ordering_libraries",
    "copies_per_library_min",
    "copies_per_library_max",
    "authorised_libraries",
    "platform_subscribers",
    "libraries_covered",
    "views",
    "seconds",
    "viewers",
    "screenings_held",
    "screening_attendance",
]

MONTHLY_SQL = """
SELECT to_char(date_trunc('month', started_at AT TIME ZONE 'Europe/Paris'), 'YYYY-MM'),
       count(*), count(DISTINCT viewer_pseudonym), coalesce(sum(seconds_watched), 0)
FROM media_viewevent
WHERE institution_id = %(library)s AND started_at >= %(t0)s AND started_at < %(t1)s
GROUP BY 1 ORDER BY 1
"""

#: IR_M1: per film and month, requests and unique (viewer, Paris day) user-sessions
IR_M1_SQL = """
SELECT f.reference,
       to_char(date_trunc('month', v.started_at AT TIME ZONE 'Europe/Paris'), 'YYYY-MM'),
       count(*),
       count(DISTINCT (v.viewer_pseudonym, (v.started_at AT TIME ZONE 'Europe/Paris')::date))
FROM media_viewevent v JOIN catalogue_film f ON f.id = v.film_id
WHERE v.institution_id = %(library)s AND v.started_at >= %(t0)s AND v.started_at < %(t1)s
GROUP BY 1, 2 ORDER BY 1, 2
"""


#: every contract's usage of 2017, per film and medium, as the statements count it: the
#: records of each kind of use joined to the grant (of a contract that gave rights that
#: day) covering their film, medium and Paris day, for their institution's territory and
#: kind (as the rights engine judges them: `rights.decisions.institution_profile`). Run
#: with nested loops and merge joins off, as the statements' query is: the planner cannot
#: estimate the JSON `?` tests and would otherwise loop over the contracts for every use
STATEMENTS_SQL = """
WITH places AS (
    SELECT id, kind,
           CASE WHEN department_code = ANY(%(overseas)s) THEN 'FR-DOM' ELSE 'FR-MET' END
               AS territory
    FROM institutions_institution
), uses AS (
    SELECT v.film_id, v.medium, (v.started_at AT TIME ZONE 'Europe/Paris')::date AS day,
           v.institution_id AS place,
           1 AS views, v.seconds_watched AS seconds, v.viewer_pseudonym AS viewer,
           0 AS screenings, 0 AS attendance, 0 AS copies
    FROM media_viewevent v
    WHERE v.started_at >= %(t0)s AND v.started_at < %(t1)s
    UNION ALL
    SELECT b.film_id, 'public_screening', (b.starts_at AT TIME ZONE 'Europe/Paris')::date,
           b.library_id, 0, 0, NULL, 1, coalesce(b.actual_attendance, 0), 0
    FROM subscriptions_screeningbooking b
    WHERE b.status = 'held' AND b.starts_at >= %(t0)s AND b.starts_at < %(t1)s
    UNION ALL
    SELECT e.film_id, 'dvd', (o.shipped_at AT TIME ZONE 'Europe/Paris')::date, o.library_id,
           0, 0, NULL, 0, 0, l.quantity
    FROM orders_orderline l
    JOIN orders_order o ON o.id = l.order_id
    JOIN orders_dvdedition e ON e.id = l.edition_id
    WHERE l.status = 'accepted' AND o.status IN ('shipped', 'delivered')
      AND o.shipped_at >= %(t0)s AND o.shipped_at < %(t1)s
)
SELECT g.contract_id, u.film_id, u.medium, sum(u.views), sum(u.seconds),
       count(DISTINCT u.viewer), sum(u.screenings), sum(u.attendance), sum(u.copies)
FROM uses u
JOIN places p ON p.id = u.place
JOIN rights_rightsgrant g
  ON g.film_id = u.film_id AND g.medium = u.medium AND g.starts_on <= u.day
 AND (g.ends_on IS NULL OR g.ends_on >= u.day)
 AND jsonb_exists(g.territories, p.territory) AND jsonb_exists(g.eligible_kinds, p.kind)
JOIN rights_contract c
  ON c.id = g.contract_id AND c.signed_on <= %(last)s
 AND (c.status = 'signed' OR (c.status = 'terminated' AND c.terminated_on > u.day))
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""

#: every usage figure a statement stores, in one statement written from the rules (not
#: from `royalties.usage`): each use (view event, screening held, DVD copies shipped) goes
#: to the grant covering its film, medium and Paris day, for its institution's territory
#: (overseas departments or metropolitan) and kind, of a contract signed or terminated
#: after that day, the first-created grant when several cover it (`NOT EXISTS` an earlier
#: one); it is priced by its contract's terms version in force that day, the latest
#: `valid_from` (a calendar of the period's days: one row per contract and day). Grouping
#: sets give, per contract, film and medium, the period's figures (views, seconds, distinct
#: viewers...), those by month, by department (with its region), and the quantities per
#: terms version; `GROUPING(month, department_code, terms_id)` tells them apart
#: (`ALL_FIGURES_SETS`). `live` is inlined (a materialized CTE cannot be scanned in parallel), and the
#: territory and kind are tested with `jsonb_exists` (what `?` calls): the planner gives a
#: function's test a neutral estimate where it gives `?` a tiny one, which made it hash the
#: 1.2 million attributed views instead of the 29,200 (contract, day) prices (8.7 s against
#: 9.0 to 9.4 s at 10 million events). Planner settings of STATEMENTS_SQL, and no JIT: the calendar's join has no
#: equality, so its disabled nested loop's penalty makes the plan look costly enough to be
#: compiled (1.4 s at 300,000 events), which the drafting's own query also avoids
ALL_FIGURES_SQL = """
WITH priced AS (
    SELECT DISTINCT ON (t.contract_id, d.day) t.contract_id, d.day, t.id AS terms_id
    FROM royalties_paymentterms t
    JOIN (SELECT generate_series(%(first)s::date, %(last)s::date, interval '1 day')::date
          AS day) d
      ON t.valid_from <= d.day AND (t.valid_to IS NULL OR t.valid_to >= d.day)
    ORDER BY t.contract_id, d.day, t.valid_from DESC
), places AS (
    SELECT id, kind, coalesce(department_code, '') AS department_code,
           coalesce(region_code, '') AS region_code,
           CASE WHEN department_code = ANY(%(overseas)s) THEN 'FR-DOM' ELSE 'FR-MET' END
               AS territory
    FROM institutions_institution
), live AS NOT MATERIALIZED (
    SELECT g.id, g.film_id, g.medium, g.starts_on, g.ends_on, g.territories,
           g.eligible_kinds, g.contract_id, c.status, c.terminated_on
    FROM rights_rightsgrant g JOIN rights_contract c ON c.id = g.contract_id
    WHERE c.status IN ('signed', 'terminated')
), uses AS (
    SELECT v.film_id, v.medium, (v.started_at AT TIME ZONE 'Europe/Paris')::date AS day,
           v.institution_id AS place,
           1 AS views, v.seconds_watched AS seconds, v.viewer_pseudonym AS viewer,
           0 AS screenings, 0 AS attendance, 0 AS copies
    FROM media_viewevent v
    WHERE v.started_at >= %(t0)s AND v.started_at < %(t1)s
    UNION ALL
    SELECT b.film_id, 'public_screening', (b.starts_at AT TIME ZONE 'Europe/Paris')::date,
           b.library_id, 0, 0, NULL, 1, coalesce(b.actual_attendance, 0), 0
    FROM subscriptions_screeningbooking b
    WHERE b.status = 'held' AND b.starts_at >= %(t0)s AND b.starts_at < %(t1)s
    UNION ALL
    SELECT e.film_id, 'dvd', (o.shipped_at AT TIME ZONE 'Europe/Paris')::date, o.library_id,
           0, 0, NULL, 0, 0, l.quantity
    FROM orders_orderline l
    JOIN orders_order o ON o.id = l.order_id
    JOIN orders_dvdedition e ON e.id = l.edition_id
    WHERE l.status = 'accepted' AND o.status IN ('shipped', 'delivered')
      AND o.shipped_at >= %(t0)s AND o.shipped_at < %(t1)s
), attributed AS (
    SELECT g.contract_id, u.film_id, u.medium,
           date_trunc('month', u.day)::date AS month, p.department_code, p.region_code,
           pr.terms_id, u.views, u.seconds, u.viewer, u.screenings, u.attendance, u.copies
    FROM uses u
    JOIN places p ON p.id = u.place
    JOIN live g
      ON g.film_id = u.film_id AND g.medium = u.medium AND g.starts_on <= u.day
     AND (g.ends_on IS NULL OR g.ends_on >= u.day)
     AND (g.status = 'signed' OR g.terminated_on > u.day)
     AND jsonb_exists(g.territories, p.territory) AND jsonb_exists(g.eligible_kinds, p.kind)
    LEFT JOIN priced pr ON pr.contract_id = g.contract_id AND pr.day = u.day
    WHERE NOT EXISTS (
        SELECT 1 FROM live e
        WHERE e.film_id = u.film_id AND e.medium = u.medium AND e.id < g.id
          AND e.starts_on <= u.day AND (e.ends_on IS NULL OR e.ends_on >= u.day)
          AND (e.status = 'signed' OR e.terminated_on > u.day)
          AND jsonb_exists(e.territories, p.territory) AND jsonb_exists(e.eligible_kinds, p.kind)
    )
)
SELECT GROUPING(month, department_code, terms_id), contract_id, film_id, medium, month,
       department_code, region_code, terms_id, sum(views), coalesce(sum(seconds), 0),
       count(DISTINCT viewer), sum(screenings), sum(attendance), sum(copies)
FROM attributed
WHERE contract_id IN (SELECT id FROM rights_contract WHERE signed_on <= %(last)s)
GROUP BY GROUPING SETS (
    (contract_id, film_id, medium),
    (contract_id, film_id, medium, month),
    (contract_id, film_id, medium, department_code, region_code),
    (contract_id, film_id, medium, terms_id)
)
"""


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def _alternate(orm, sql, repeat: int, before_orm=None) -> tuple[float, float, object, object]:
    """Median ms of each, run alternately after one untimed run of each; `before_orm`, if
    given, runs untimed before each run of `orm`."""
    if before_orm is not None:
        before_orm()
    orm_result, sql_result = orm(), sql()
    orm_ms, sql_ms = [], []
    for _ in range(repeat):
        if before_orm is not None:
            before_orm()
        ms, orm_result = _timed(orm)
        orm_ms.append(ms)
        ms, sql_result = _timed(sql)
        sql_ms.append(ms)
    return statistics.median(orm_ms), statistics.median(sql_ms), orm_result, sql_result


def ensure_view_events(target: int) -> None:
    from django.db import connection

    from institutions.models import Institution
    from media.models import ViewEvent

    present = ViewEvent.objects.count()
    if present >= target:
        log(f"view events: {present} already there")
        return
    demo = Institution.objects.get(code=DEMO_LIBRARY).pk
    start = datetime.datetime(YEAR, 1, 1, tzinfo=datetime.UTC)
    missing = target - present
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # a bulk load: drop the secondary indexes (not those of constraints), insert,
        # build them again (bench database only)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'media_viewevent'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(GENERATE_SQL, {"demo": demo, "start": start, "count": missing})
        inserted = time.perf_counter() - started
        for _name, definition in indexes:
            cursor.execute(definition)
        indexed = time.perf_counter() - started - inserted
        cursor.execute("VACUUM ANALYZE media_viewevent")
    log(
        f"view events: {missing} inserted in {inserted:.0f} s, {len(indexes)} indexes rebuilt"
        f" in {indexed:.0f} s, VACUUM ANALYZE {time.perf_counter() - started - inserted - indexed:.0f} s"
    )


def annual_figures(repeat: int) -> list[str]:
    from django.db import connection

    from stats.selectors.annual import annual_report

    year_end = datetime.date(YEAR, 12, 31)
    paris = datetime.timezone(datetime.timedelta(hours=1))  # Paris in winter (1 Jan)
    params = {
        "ye": year_end,
        "pe": datetime.date(YEAR - 1, 12, 31),
        "ys": datetime.date(YEAR, 1, 1),
        "t0": datetime.datetime(YEAR, 1, 1, tzinfo=paris),
        "t1": datetime.datetime(YEAR + 1, 1, 1, tzinfo=paris),
    }

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(ANNUAL_SQL, params)
            return dict(zip(ANNUAL_KEYS, cursor.fetchone(), strict=True))

    orm_ms, sql_ms, report, hand = _alternate(lambda: annual_report(YEAR), sql, repeat)
    report = {**report, "seconds": None}
    differences = {
        key: (report[key], hand[key])
        for key in ANNUAL_KEYS
        if key != "seconds" and report[key] != hand[key]
    }
    check = "same figures" if not differences else f"DIFFERENT figures: {differences}"
    return [
        f"stats_annual_report: {orm_ms:.1f} ms (ratio vs baseline: {orm_ms / sql_ms:.2f})",
        f"#   annual_report({YEAR}) vs one hand-written SQL query ({sql_ms:.1f} ms), median of"
        f" {repeat}; {hand['views']} views in the year; {check}",
    ]


def library_monthly_figures(repeat: int) -> list[str]:
    from django.conf import settings
    from django.db import connection
    from rest_framework.test import APIClient

    from accounts.models import User
    from institutions.models import Institution
    from stats.selectors.scope import Period

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    library = Institution.objects.get(code=DEMO_LIBRARY)
    user = User.objects.filter(institution=library, role=User.Role.INSTITUTION_ADMIN).first()
    client = APIClient()
    client.force_authenticate(user)
    first, after = Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)).bounds()
    query = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31", "group_by": "month"}

    def api():
        response = client.get("/api/v1/stats/views/", query, secure=True)
        assert response.status_code == 200, response.content[:300]
        return [(r["month"], r["views"], r["viewers"]) for r in response.json()["rows"]]

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(MONTHLY_SQL, {"library": library.pk, "t0": first, "t1": after})
            return [(month, views, viewers) for month, views, viewers, _ in cursor.fetchall()]

    api_ms, sql_ms, rows, hand = _alternate(api, sql, repeat)
    check = "same figures" if rows == hand else "DIFFERENT figures"
    return [
        f"stats_library_monthly: {api_ms:.1f} ms (ratio vs baseline: {api_ms / sql_ms:.2f})",
        f"#   GET /api/v1/stats/views/?group_by=month for {DEMO_LIBRARY} over {YEAR}"
        f" (in-process) vs one hand-written SQL query ({sql_ms:.1f} ms), median of {repeat};"
        f" {sum(r[1] for r in hand)} views; {check}",
    ]


def sushi_ir_m1_figures(repeat: int) -> list[str]:
    from django.conf import settings
    from django.db import connection
    from rest_framework.test import APIClient

    from institutions.models import Institution
    from stats.selectors.scope import Period
    from stats.selectors.sushi import platform_name
    from stats.services import sushi_credential_create

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    library = Institution.objects.get(code=DEMO_LIBRARY)
    new = sushi_credential_create(institution=library, label="bench")
    first, after = Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)).bounds()
    query = {
        "requestor_id": new.credential.requestor_id,
        "api_key": new.api_key,
        "customer_id": library.code,
        "begin_date": f"{YEAR}-01",
        "end_date": f"{YEAR}-12",
    }
    prefix = f"{platform_name()}:"
    client = APIClient()

    def api():
        response = client.get("/api/v1/sushi/reports/ir_m1", query, secure=True)
        assert response.status_code == 200, response.content[:300]
        rows = []
        for item in response.json()["Report_Items"]:
            performance = item["Attribute_Performance"][0]["Performance"]
            reference = item["Item_ID"]["Proprietary"].removeprefix(prefix)
            for month, total in performance["Total_Item_Requests"].items():
                rows.append((reference, month, total, performance["Unique_Item_Requests"][month]))
        return sorted(rows)

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(IR_M1_SQL, {"library": library.pk, "t0": first, "t1": after})
            return sorted(cursor.fetchall())

    try:
        api_ms, sql_ms, rows, hand = _alternate(api, sql, repeat)
    finally:
        new.credential.delete()
    check = "same figures" if rows == hand else "DIFFERENT figures"
    return [
        f"stats_sushi_ir_m1: {api_ms:.1f} ms (ratio vs baseline: {api_ms / sql_ms:.2f})",
        f"#   GET /api/v1/sushi/reports/ir_m1 for {DEMO_LIBRARY} over {YEAR} (in-process) vs"
        f" one hand-written SQL query ({sql_ms:.1f} ms), median of {repeat}; {len(hand)}"
        f" (film, month) rows, {sum(r[2] for r in hand)} requests; {check}",
    ]


def _totals_only(period, drafting_ms: float, repeat: int) -> str:
    """A `#` line: the drafting against STATEMENTS_SQL, which gives only the period's
    figures per contract, film and medium (a part of what a statement holds), checked
    against the stored rows of that breakdown."""
    from django.db import connection, transaction

    from royalties.models import Statement, StatementUsage
    from royalties.usage import OVERSEAS_DEPARTMENTS

    first, after = period.bounds()
    params = {"t0": first, "t1": after, "last": period.end, "overseas": OVERSEAS_DEPARTMENTS}

    def sql():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(STATEMENTS_SQL, params)
            return cursor.fetchall()

    times = []
    for _ in range(repeat):
        ms, hand = _timed(sql)
        times.append(ms)
    sql_ms = statistics.median(times)
    drafted = Statement.objects.filter(period_start=period.start, period_end=period.end)
    mine = sorted(
        StatementUsage.objects.over_period()
        .filter(statement__in=drafted)
        .values_list(
            "statement__contract_id", "film_id", "medium", "views", "seconds", "viewers",
            "screenings", "attendance", "copies",
        )
    )  # fmt: skip
    same = mine == sorted(tuple(int(x) if not isinstance(x, str) else x for x in r) for r in hand)
    return (
        f"#   against a query giving only the period's figures per contract, film and"
        f" medium (STATEMENTS_SQL, {sql_ms:.1f} ms, median of {repeat}): ratio"
        f" {drafting_ms / sql_ms:.2f}; {'same figures' if same else 'FIGURES DIFFER'}"
    )


#: GROUPING(month, department_code, terms_id) of each of ALL_FIGURES_SQL's sets
ALL_FIGURES_SETS = {7: "period", 3: "month", 5: "department", 6: "by_terms"}


def _all_figures_sql(period):
    """The all-figures query as a function: its rows by set ("period", "month",
    "department": (contract, film, medium, month, department, region, *figures) as a
    statement's usage rows hold them; "by_terms": (contract, film, medium, terms,
    *figures)), each a tuple of ints and strings (month a date)."""
    from django.db import connection, transaction

    from royalties.usage import OVERSEAS_DEPARTMENTS

    first, after = period.bounds()
    params = {
        "t0": first,
        "t1": after,
        "first": period.start,
        "last": period.end,
        "overseas": OVERSEAS_DEPARTMENTS,
    }

    def sql():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(ALL_FIGURES_SQL, params)
            rows = cursor.fetchall()
        result = {name: [] for name in ALL_FIGURES_SETS.values()}
        for grouping, contract, film, medium, month, dept, region, terms, *figures in rows:
            figures = tuple(int(x) for x in figures)
            name = ALL_FIGURES_SETS[grouping]
            if name == "by_terms":
                result[name].append((contract, film, medium, terms, *figures))
            else:
                result[name].append((contract, film, medium, month, dept or "", region or "",
                                     *figures))  # fmt: skip
        return result

    return sql


def _stored_figures(period) -> tuple[list, set]:
    """The drafted statements' stored usage rows and lines' quantities."""
    from royalties.models import Statement, StatementLine, StatementUsage

    drafted = Statement.objects.filter(period_start=period.start, period_end=period.end)
    figures = ("views", "seconds", "viewers", "screenings", "attendance", "copies")
    usage = sorted(
        StatementUsage.objects.filter(statement__in=drafted).values_list(
            "statement__contract_id", "film_id", "medium", "month", "department_code",
            "region_code", *figures,
        ),
        key=_row_key,
    )  # fmt: skip
    lines = set(
        StatementLine.objects.filter(statement__in=drafted).values_list(
            "statement__contract_id", "film_id", "medium", "terms_id", "unit", "quantity"
        )
    )
    return usage, lines


def _row_key(row):
    return tuple("" if value is None else str(value) for value in row)


def _expected_lines(by_terms: list) -> set:
    """The lines' quantities the hand-written quantities per terms version give: one per
    per-use rate of the version on the medium, when that quantity is not zero."""
    from royalties.models import PerUseRate

    position = {"view": 0, "minute": 1, "screening": 3, "copy": 5}  # in the figures
    rates: dict[int, list] = {}
    for terms_id, medium, unit in PerUseRate.objects.values_list("terms_id", "medium", "unit"):
        rates.setdefault(terms_id, []).append((medium, unit))
    expected = set()
    for contract, film, medium, terms, *figures in by_terms:
        for rate_medium, unit in rates.get(terms, ()):
            if rate_medium == medium and figures[position[unit]]:
                expected.add((contract, film, medium, terms, unit, figures[position[unit]]))
    return expected


def rights_holder_statements_figures(repeat: int) -> list[str]:
    from royalties.models import Statement
    from royalties.periods import year
    from royalties.services import statements_draft_period
    from royalties.usage import usage_of_every_contract

    period = year(YEAR)
    sql = _all_figures_sql(period)

    def no_drafts():
        """Each timed drafting is a first one: the period's drafts deleted beforehand
        (a draft recomputed from unchanged inputs keeps its rows: far cheaper)."""
        Statement.objects.filter(
            period_start=period.start, period_end=period.end, status=Statement.Status.DRAFT
        ).delete()

    orm_ms, sql_ms, counts, hand = _alternate(
        lambda: statements_draft_period(period=period), sql, repeat, before_orm=no_drafts
    )
    stored_usage, stored_lines = _stored_figures(period)
    hand_usage = sorted(hand["period"] + hand["month"] + hand["department"], key=_row_key)
    differ = [
        name
        for name, same in (
            ("usage rows", stored_usage == hand_usage),
            ("quantities", stored_lines == _expected_lines(hand["by_terms"])),
        )
        if not same
    ]
    check = "same figures" if not differ else f"FIGURES DIFFER ({', '.join(differ)})"
    read_ms, sql_again_ms, _, _ = _alternate(lambda: usage_of_every_contract(period), sql, repeat)
    return [
        f"rights_holder_statements: {orm_ms:.1f} ms (ratio vs baseline: {orm_ms / sql_ms:.2f})",
        f"#   every contract's {YEAR} statement drafted ({counts['drafted']} drafted,"
        f" {counts['kept']} kept) vs one hand-written SQL query giving every usage figure"
        f" a statement holds ({sql_ms:.1f} ms), median of {repeat}:"
        f" {len(hand['period'])} (contract, film, medium) rows, {len(hand['month'])} by"
        f" month, {len(hand['department'])} by department, {len(hand['by_terms'])}"
        f" quantities per terms version; {check}",
        f"#   its read alone: usage_of_every_contract({YEAR}) {read_ms:.1f} ms vs the same"
        f" SQL {sql_again_ms:.1f} ms, ratio {read_ms / sql_again_ms:.2f}; write cost"
        f" (drafting − read) {orm_ms - read_ms:.1f} ms",
        _totals_only(period, orm_ms, repeat),
    ]


def run() -> int:
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("# stats figures need PostgreSQL (DATABASE_URL=postgres://...)", flush=True)
        return 0
    target = int(os.environ.get("BENCH_VIEW_EVENTS", "10000000"))
    repeat = int(os.environ.get("BENCH_STATS_REPEAT", "3"))
    ensure_view_events(target)
    only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
    lines = []
    if not only or "stats" in only:
        lines += (
            annual_figures(repeat)
            + library_monthly_figures(repeat * 3)
            + sushi_ir_m1_figures(repeat * 3)
        )
    elif "stats_sushi_ir_m1" in only:
        lines += sushi_ir_m1_figures(repeat * 3)
    if not only or "rights_holder_statements" in only:
        lines += rights_holder_statements_figures(repeat)
    for line in lines:
        print(line, flush=True)
    return 0


def measure(env: dict[str, str]) -> list[str]:
    """Runs the figures in a subprocess with the bench environment; its output lines."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__)), "run"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    sys.stderr.write(proc.stderr[-3000:] if proc.returncode else proc.stderr)
    if proc.returncode != 0:
        return [f"# stats figures failed (exit {proc.returncode})"]
    return proc.stdout.splitlines()


def standalone() -> int:
    """`bench/stats.py` alone: prepare the database as bench/run.py does, then run."""
    import secrets

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings.production",
        DEMO_DATA_ALLOWED="true",  # a benchmark database holds the demo data
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        PATRON_CARD_PEPPER=env.get("PATRON_CARD_PEPPER") or secrets.token_urlsafe(50),
        CACHE_URL=env.get("CACHE_URL") or "locmemcache://",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
    )
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/stats.py needs PostgreSQL: scripts/with_postgres.py runs it on one")
    scale = env.get("BENCH_SCALE", "10")
    for args in (["migrate", "--noinput"], ["seed_demo", "--scale", scale, "--if-empty"]):
        started = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
        log(f"manage.py {' '.join(args)}: {time.perf_counter() - started:.0f} s")
    for line in measure(env):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["run"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.production")
        sys.exit(run())
    sys.exit(standalone())
