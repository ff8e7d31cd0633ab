"""Booking throughput under concurrency (`make bench`): concurrent `POST /api/v1/screenings/`
by the demo library's staff, each booking taking the subscription's row lock and its
credit ledger, against the trivial endpoint measured the same way in the same run."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.http_load import request

ROOT = Path(__file__).resolve().parent.parent

#: Gives the demo library's covering subscription enough credits for the run, and lists
#: films the rights engine lets it screen today, counting the screenings already booked
#: this year (a reused bench database has used up the yearly cap of some films: they are
#: left out, and the remaining caps are spread over up to 1,000 films).
PREPARE_SNIPPET = """
import json
from django.utils import timezone
from catalogue.models import Film
from institutions.models import Institution
from rights.decisions import decide_many
from subscriptions.models import ScreeningCreditEntry
from subscriptions.selectors import subscriptions_covering
library = Institution.objects.get(code="BIB-00001")
today = timezone.localdate()
subscription = next(s for s in subscriptions_covering(library=library, on=today)
                    if s.plan.screenings_per_year)
ScreeningCreditEntry.objects.create(subscription=subscription, kind="adjustment",
                                    quantity=30000, note="bench")
films = list(Film.objects.filter(status="in_catalogue").order_by("pk")[:3000])
decisions = decide_many(library, films, ["public_screening"], on=today)
ids = [fid for fid, d in decisions.items() if d["public_screening"].allowed]
print("FILMS=" + json.dumps(ids[:1000]))
"""


def prepare(env: dict[str, str]) -> list[int]:
    proc = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PREPARE_SNIPPET],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("FILMS="):
            return json.loads(line[6:])
    raise RuntimeError(f"bench bookings: preparation failed: {proc.stderr[-2000:]}")


def _load(port, seconds, concurrency, make_request) -> tuple[int, int, float]:
    ok = refused = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(n):
        nonlocal ok, refused
        i = 0
        while time.perf_counter() < stop:
            status = make_request(n, i)
            i += 1
            with lock:
                if status in (200, 201):
                    ok += 1
                else:
                    refused += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok, refused, time.perf_counter() - started


def measure(
    port: int, token: str, films: list[int], *, seconds: float, concurrency: int
) -> list[str]:
    if not films:
        return ["# booking_throughput: no screenable film for the demo library"]
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    refusals: Counter[str] = Counter()
    refusals_lock = threading.Lock()
    # A week from now, each client a few hours apart: inside the current subscription period.
    base_day = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7)

    def book(n, i):
        starts_at = base_day + datetime.timedelta(minutes=n * 1_000 + i)
        body = {
            "film": films[(n * 7919 + i) % len(films)],
            "starts_at": starts_at.isoformat(),
            "venue": "Auditorium",
            "expected_audience": 40,
        }
        status, answer = request(
            port, "POST", "/api/v1/screenings/", headers=headers, body=json.dumps(body).encode()
        )
        if status not in (200, 201):
            with refusals_lock:
                refusals[_reason(status, answer)] += 1
        return status

    def ping(n, i):
        return request(port, "GET", "/api/v1/ping/", headers={"Accept": "application/json"})[0]

    ping_ok, _, ping_s = _load(port, seconds, concurrency, ping)
    ok, refused, book_s = _load(port, seconds, concurrency, book)
    ping_rps = ping_ok / ping_s
    book_rps = ok / book_s
    return [
        f"booking_throughput: {book_rps:.1f} bookings/s (ratio vs baseline: {book_rps / ping_rps:.2f})",
        f"#   {concurrency} concurrent clients, fresh connection per request, {ok} bookings accepted,"
        f" {refused} refused; baseline ping measured the same way: {ping_rps:.1f} req/s",
        *(
            [f"#   refusals: {', '.join(f'{code} {n}' for code, n in refusals.most_common())}"]
            if refusals
            else []
        ),
    ]


def _reason(status: int, answer: bytes) -> str:
    """A refusal's reason code (the error body's `code`), else its HTTP status."""
    try:
        return str(json.loads(answer)["code"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {status}"
