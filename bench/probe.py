"""In-process context for the benchmark report (run by bench/run.py in a subprocess with
the same environment as the server): database vendor and size, and for each figure the
number of SQL queries and the in-process time of one request (Django test client, no
HTTP). Reads a JSON list of {"name", "path", "headers"} on stdin, writes JSON on stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.production")


def main() -> None:
    import django

    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import Film

    figures = json.load(sys.stdin)
    with connection.cursor():
        pass
    out = {
        "vendor": connection.vendor,
        "version": connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else getattr(connection, "pg_version", None),
        "films": Film.objects.count(),
        "figures": {},
    }
    if connection.vendor == "postgresql" and out["version"]:
        v = out["version"]
        out["version"] = f"{v // 10000}.{v % 10000}"

    client = Client(HTTP_HOST="127.0.0.1")
    for fig in figures:
        headers = {"Accept": "application/json", **fig.get("headers", {})}
        client.get(fig["path"], headers=headers)  # warm caches / imports
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(fig["path"], headers=headers)
        # Read now: the next requests reset the connection's query log.
        queries = list(ctx.captured_queries)
        times = []
        for _ in range(int(os.environ.get("BENCH_PROBE_REPEAT", "10"))):
            t0 = time.perf_counter()
            client.get(fig["path"], headers=headers)
            times.append(time.perf_counter() - t0)
        out["figures"][fig["name"]] = {
            "status": resp.status_code,
            "queries": len(queries),
            "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
            "median_ms": statistics.median(times) * 1000,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
