"""Streaming capacity (`make bench`): what a viewer costs the backend, and how many viewers
one 2-worker node holds.

- `playback_heartbeat`: concurrent `POST /api/v1/playback/{id}/heartbeat/` (position and
  time watched) on distinct open sessions, heartbeats/s against the ping baseline
  measured the same way (fresh connection per request, as `playback_authorization`).
- `playback_segment_link`: concurrent `GET` of segment links (the token checked, the
  session's row read, a store URL presigned: 302), links/s against the same baseline.
- `playback_concurrent_viewers`: the most concurrent viewers the node holds with the p95
  of every kind of request under 300 ms, found by open-loop trials (requests sent at
  their scheduled times, Poisson arrivals, whatever the answers' delays; a request's
  latency counts from its scheduled time, so a late client counts against the figure).
  Each viewer sends a heartbeat every 30 s and follows a segment link every
  MEDIA_HLS_SEGMENT_SECONDS (6 s); for every 100 viewers a viewer starts a film each
  minute (3 catalogue pages, the start, the master and a rendition playlist). The
  baseline is the viewers the node would hold if each of these requests cost a ping
  (the ping's throughput over the requests one viewer makes per second); the ratio is
  the figure over it. A `#` line gives the same search without segment links (the
  issue's mix: heartbeats, starts, catalogue) and what limited each search.

The sessions, viewers (bench patrons with tokens) and renditions are made by
PREPARE_SNIPPET on the bench database (fair-use caps lifted, the stream cap out of reach,
sessions started two hours ago and the heartbeat timeout of the server raised so that no
session goes silent between trials). The store is the moto_server `bench/run.py` starts:
presigning is the production code path (boto3, SigV4), and nothing is downloaded.
Environment: BENCH_VIEWERS_MAX (16000), BENCH_TRIAL_SECONDS (6), BENCH_LOAD_THREADS (96).
"""

from __future__ import annotations

import json
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.bookings import _load
from bench.http_load import request

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("playback_heartbeat", "playback_segment_link", "playback_concurrent_viewers")
SLO_SECONDS = 0.300
HEARTBEAT_EVERY = 30.0
PAGES_PER_START = 3
VIEWERS_MAX = int(os.environ.get("BENCH_VIEWERS_MAX", "16000"))
TRIAL_SECONDS = float(os.environ.get("BENCH_TRIAL_SECONDS", "6"))
LOAD_THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "96"))

#: Bench viewers (patrons of the demo library with tokens), films with a ready rendition
#: (its playlist in the store), and one open session per (viewer, film) — as many as
#: VIEWERS_MAX — with its heartbeat URL and a segment link; a separate set of viewers
#: for the starts. Written to the file named by BENCH_PLAYBACK_OUT.
PREPARE_SNIPPET = r"""
import datetime, json, os
from django.conf import settings
from django.utils import timezone
from accounts.models import User
from catalogue.models import Film
from institutions.models import Institution
from media.models import Asset, EncodingProfile, PlaybackSession
from media.objectstore import get_store
from media.services import streams
from rights.decisions import decide_many
from rights.models import RightsGrant
from subscriptions.models import Plan, Subscription
from subscriptions.selectors import subscriptions_covering

VIEWERS_MAX = int(os.environ["BENCH_VIEWERS_MAX"])
FILMS = 40
library = Institution.objects.get(code="BIB-00001")
today = timezone.localdate()
subscription = next(s for s in subscriptions_covering(library=library, on=today)
                    if s.plan.includes_streaming)
Plan.objects.filter(pk=subscription.plan_id).update(max_concurrent_streams=32000)
Subscription.objects.filter(pk=subscription.pk).update(
    patron_monthly_films=None, library_daily_films=None, library_annual_films=None)
films = list(Film.objects.filter(status="in_catalogue").order_by("pk")[:600])
decisions = decide_many(library, films, ["stream_home"], on=today)
film_ids = [f.pk for f in films if decisions[f.pk]["stream_home"].allowed][:FILMS]
# the grants' own stream caps (the stricter of plan and grant applies) lifted as the plan's
RightsGrant.objects.filter(film_id__in=film_ids).update(max_concurrent_streams=None)
store = get_store()
try:
    store.client.create_bucket(Bucket=store.bucket)
except store.client.exceptions.BucketAlreadyOwnedByYou:
    pass
playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
playlist += "".join(f"#EXTINF:6.000,\nseg_{i:05d}.ts\n" for i in range(900)) + "#EXT-X-ENDLIST\n"
profile = EncodingProfile.objects.get(name="720p")
renditions = {}
for film_id in film_ids:
    master, _ = Asset.objects.get_or_create(
        storage_key=f"bench/{film_id}/master.mov",
        defaults={"film_id": film_id, "kind": "master", "status": "ready"})
    key = f"bench/{film_id}/720p/index.m3u8"
    renditions[film_id], _ = Asset.objects.update_or_create(
        storage_key=key,
        defaults={"film_id": film_id, "kind": "hls_rendition", "status": "ready",
                  "source": master, "profile": profile, "width": 1280, "height": 720,
                  "duration_seconds": 5400.0, "codecs": "avc1.4d401f,mp4a.40.2",
                  "frame_rate": 25.0, "peak_bitrate": 3_300_000,
                  "average_bitrate": 2_900_000, "start_pts": 133200})
    store.write_bytes(key, playlist.encode(), "application/vnd.apple.mpegurl")

try:  # per-device expiring tokens (django-rest-knox, accounts.ApiToken) where installed
    from accounts.models import ApiToken
    def token_for(user):
        return ApiToken.objects.create(user=user)[1]
except ImportError:  # DRF's one token per user
    from rest_framework.authtoken.models import Token
    def token_for(user):
        return Token.objects.get_or_create(user=user)[0].key

def viewers(prefix, count):
    existing = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
    User.objects.bulk_create([
        User(username=f"{prefix}{i:05d}", role=User.Role.PATRON, institution=library)
        for i in range(count) if f"{prefix}{i:05d}" not in existing])
    users = list(User.objects.filter(username__startswith=prefix).order_by("username")[:count])
    return [(u, token_for(u)) for u in users]

watchers = viewers("bench-viewer-", max(1, VIEWERS_MAX // FILMS + 1))
starters = viewers("bench-starter-", 200)
now = timezone.now()
PlaybackSession.objects.filter(ended_at__isnull=True).update(ended_at=now)
started = now - datetime.timedelta(hours=2)
sessions = PlaybackSession.objects.bulk_create([
    PlaybackSession(film_id=film_id, user=user, institution=library, subscription=subscription,
                    medium="stream_home", started_at=started, last_heartbeat_at=now,
                    duration_seconds=5400.0)
    for user, _ in watchers for film_id in film_ids][:VIEWERS_MAX])
token_of = dict((u.pk, t) for u, t in watchers)
out = {
    "films": film_ids,
    "starters": [t for _, t in starters],
    "viewers": [
        {"token": token_of[s.user_id],
         "heartbeat": f"/api/v1/playback/{s.pk}/heartbeat/",
         "segments": "/api/v1/playback/{}/{}/".format(
             s.pk, streams.track_path_token(s, renditions[s.film_id]))}
        for s in sessions],
}
with open(os.environ["BENCH_PLAYBACK_OUT"], "w") as handle:
    json.dump(out, handle)
print("PREPARED", len(sessions))
"""


def prepare(env: dict[str, str], out: Path, viewers_max: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PREPARE_SNIPPET],
        cwd=ROOT,
        env={**env, "BENCH_PLAYBACK_OUT": str(out), "BENCH_VIEWERS_MAX": str(viewers_max)},
        capture_output=True,
        text=True,
        check=False,
    )
    if "PREPARED" not in proc.stdout:
        raise RuntimeError(f"bench playback: preparation failed: {proc.stderr[-2000:]}")
    return json.loads(out.read_text())


def _json_headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


HEARTBEAT_BODY = json.dumps({"seconds_watched": 60, "position": 61.5}).encode()


def _heartbeat(port, viewer) -> int:
    return request(
        port,
        "POST",
        viewer["heartbeat"],
        headers=_json_headers(viewer["token"]),
        body=HEARTBEAT_BODY,
    )[0]


def _segment(port, viewer, index: int) -> int:
    status, _ = request(port, "GET", f"{viewer['segments']}seg_{index % 900:05d}.ts")
    return 200 if status == 302 else status


def _ping(port) -> int:
    return request(port, "GET", "/api/v1/ping/", headers={"Accept": "application/json"})[0]


def measure_rates(port: int, data: dict, *, seconds: float, concurrency: int) -> list[str]:
    viewers = data["viewers"]

    def ping(n, i):
        return _ping(port)

    def beat(n, i):
        return _heartbeat(port, viewers[(n * 7919 + i) % len(viewers)])

    def link(n, i):
        return _segment(port, viewers[(n * 104729 + i) % len(viewers)], i)

    ping_ok, _, ping_s = _load(port, seconds, concurrency, ping)
    beat_ok, beat_bad, beat_s = _load(port, seconds, concurrency, beat)
    link_ok, link_bad, link_s = _load(port, seconds, concurrency, link)
    ping_rps, beat_rps, link_rps = ping_ok / ping_s, beat_ok / beat_s, link_ok / link_s
    if beat_bad or link_bad:
        return [f"# playback figures: {beat_bad} heartbeats and {link_bad} segment links refused"]
    return [
        f"playback_heartbeat: {beat_rps:.1f} heartbeats/s (ratio vs baseline: {beat_rps / ping_rps:.2f})",
        f"#   {concurrency} concurrent clients, fresh connection per request, {beat_ok} heartbeats"
        f" on {len(viewers)} open sessions (the token's query and one UPDATE each); baseline"
        f" ping measured the same way: {ping_rps:.1f} req/s; at one heartbeat per viewer every"
        f" {HEARTBEAT_EVERY:.0f} s that is {beat_rps * HEARTBEAT_EVERY:,.0f} viewers' heartbeats",
        f"playback_segment_link: {link_rps:.1f} links/s (ratio vs baseline: {link_rps / ping_rps:.2f})",
        f"#   {link_ok} redirects (token checked, the session's row read, a store URL presigned"
        f" by boto3); at one link per viewer every 6 s that is {link_rps * 6:,.0f} viewers' segments",
    ]


# --- the mixed load -----------------------------------------------------------------------
class Trial:
    """One open-loop trial: Poisson arrivals of each kind of request for `viewers`
    viewers during `seconds` (after a warm-up of one second that is not counted)."""

    def __init__(self, port, data, viewers: int, *, segments: bool, seconds: float):
        self.port, self.data, self.viewers = port, data, viewers
        self.seconds = seconds
        per_second = {
            "heartbeat": viewers / HEARTBEAT_EVERY,
            "start": viewers / 100 / 60,
        }
        if segments:
            per_second["segment_link"] = viewers / 6
        per_second["catalogue_page"] = per_second["start"] * PAGES_PER_START
        # each start is followed by its master and rendition playlists
        per_second["playlist"] = per_second["start"] * 2
        self.per_second = per_second

    def schedule(self, rng) -> list[tuple[float, str]]:
        arrivals = []
        total = self.seconds + 1.0
        for kind, rate in self.per_second.items():
            if kind == "playlist" or rate <= 0:
                continue
            t = rng.expovariate(rate)
            while t < total:
                arrivals.append((t, kind))
                t += rng.expovariate(rate)
        return sorted(arrivals)

    def run(self) -> dict:
        rng = random.Random(self.viewers)
        arrivals = self.schedule(rng)
        viewers = self.data["viewers"][: self.viewers]
        starters, films = self.data["starters"], self.data["films"]
        results: dict[str, list[float]] = {}
        failures: list[str] = []
        lock = threading.Lock()
        jobs: queue.Queue = queue.Queue()
        begin = time.perf_counter() + 0.2
        counted_from = begin + 1.0

        def record(kind, sent, status, ok=(200, 201)):
            """A response: its latency counts from `sent`, the time it was due."""
            done = time.perf_counter()
            with lock:
                if status not in ok:
                    failures.append(f"{kind}: HTTP {status}")
                elif sent >= counted_from:
                    results.setdefault(kind, []).append(done - sent)

        def do(kind, scheduled, n):
            if kind == "heartbeat":
                record(kind, scheduled, _heartbeat(self.port, viewers[n % len(viewers)]))
            elif kind == "segment_link":
                viewer = viewers[(n * 7919) % len(viewers)]
                record(kind, scheduled, _segment(self.port, viewer, n))
            elif kind == "catalogue_page":
                token = starters[n % len(starters)]
                path = f"/api/v1/films/?page_size=50&page={1 + n % 5}"
                status, _ = request(self.port, "GET", path, headers=_json_headers(token))
                record(kind, scheduled, status)
            elif kind == "start":
                token = starters[n % len(starters)]
                film = films[(n * 31) % len(films)]
                status, body = request(
                    self.port,
                    "POST",
                    f"/api/v1/films/{film}/playback/",
                    headers=_json_headers(token),
                )
                record(kind, scheduled, status)
                if status == 201:
                    master = _path(json.loads(body)["master_playlist_url"])
                    sent = time.perf_counter()
                    status, text = request(self.port, "GET", master)
                    record("playlist", sent, status)
                    rendition = next(
                        line for line in text.decode().splitlines() if line and line[0] != "#"
                    )
                    sent = time.perf_counter()
                    record("playlist", sent, request(self.port, "GET", _path(rendition))[0])

        def worker():
            while True:
                job = jobs.get()
                if job is None:
                    return
                scheduled, kind, n = job
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                try:
                    do(kind, scheduled, n)
                except OSError as exc:
                    with lock:
                        failures.append(f"{kind}: {type(exc).__name__}")

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(LOAD_THREADS)]
        for thread in threads:
            thread.start()
        cpu_before = _cpu_seconds()
        for n, (t, kind) in enumerate(arrivals):
            # hand each request to the pool a little before its time
            wait = begin + t - 0.05 - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            jobs.put((begin + t, kind, n))
        for _ in threads:
            jobs.put(None)
        for thread in threads:
            thread.join(timeout=120)
        cpu_after = _cpu_seconds()
        elapsed = time.perf_counter() - begin
        p95 = {kind: _quantile(lat, 0.95) for kind, lat in results.items()}
        return {
            "viewers": self.viewers,
            "p95": p95,
            "count": {kind: len(lat) for kind, lat in results.items()},
            "failures": failures,
            "ok": not failures and all(v < SLO_SECONDS for v in p95.values()),
            "cpu": {k: max(0.0, cpu_after[k] - cpu_before[k]) / elapsed for k in cpu_after},
            "requests_per_second": len(arrivals) / (self.seconds + 1.0),
        }


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process: {pid: (parent pid, CPU seconds used, command line)}."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parts = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry)] = (int(parts[1]), (int(parts[11]) + int(parts[12])) / ticks, command)
    return found


def _tree(processes, root: int | None) -> float:
    if root is None or root not in processes:
        return 0.0
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += processes[pid][1]
        todo += [child for child, (parent, _, _) in processes.items() if parent == pid]
    return total


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by the gunicorn workers, PostgreSQL (the bench's cluster),
    this load client and everything else on the machine (other users' work), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as handle:
        fields = handle.readline().split()[1:]
    busy = (sum(int(v) for v in fields) - int(fields[3]) - int(fields[4])) / ticks
    processes = _processes()
    server = _tree(processes, _roots.get("gunicorn"))
    # (a backend that exited between two readings takes its CPU time with it: the
    # difference is clamped at 0 by the caller)
    database = _tree(processes, _roots.get("postgres"))
    mine = sum(os.times()[:2])
    return {
        "server": server,
        "database": database,
        "client": mine,
        "other": max(0.0, busy - server - database - mine),
    }


#: the process trees the CPU split follows: gunicorn's master, PostgreSQL's postmaster
_roots: dict[str, int] = {}


def _find_roots(server_pid: int, database_url: str) -> None:
    _roots["gunicorn"] = server_pid
    port = database_url.rsplit(":", 1)[-1].split("/", 1)[0]
    for pid, (_, _, command) in _processes().items():
        if f"port={port}" in command and " -D " in command:
            _roots["postgres"] = pid


def search(port, data, *, segments: bool, log) -> tuple[dict | None, dict | None]:
    """The most viewers that pass (doubling, then halving the gap three times) and the
    first trial that failed."""
    passed = failed = None
    viewers = 500
    while viewers <= min(VIEWERS_MAX, len(data["viewers"])):
        trial = Trial(port, data, viewers, segments=segments, seconds=TRIAL_SECONDS).run()
        log(_describe(trial))
        if not trial["ok"]:
            failed = trial
            break
        passed = trial
        viewers *= 2
    if passed is not None and failed is not None:
        low, high = passed["viewers"], failed["viewers"]
        for _ in range(3):
            middle = (low + high) // 2
            trial = Trial(port, data, middle, segments=segments, seconds=TRIAL_SECONDS).run()
            log(_describe(trial))
            if trial["ok"]:
                passed, low = trial, middle
            else:
                failed, high = trial, middle
    return passed, failed


def _describe(trial: dict) -> str:
    p95 = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in sorted(trial["p95"].items()))
    cpu = trial["cpu"]
    failures = (
        f"; {len(trial['failures'])} failed ({trial['failures'][0]})" if trial["failures"] else ""
    )
    return (
        f"{trial['viewers']} viewers: {trial['requests_per_second']:.0f} req/s, p95 {p95};"
        f" CPU cores: gunicorn {cpu['server']:.2f}, PostgreSQL {cpu['database']:.2f},"
        f" load client {cpu['client']:.2f}, the machine's other users"
        f" {cpu['other']:.2f}{failures}"
    )


def measure(
    port: int, env: dict[str, str], server_pid: int, *, seconds, concurrency, log
) -> list[str]:
    from bench.http_load import LoadError

    out = ROOT / "var" / "bench" / "playback-viewers.json"
    try:
        data = prepare(env, out, VIEWERS_MAX)
    except (RuntimeError, LoadError) as exc:
        return [f"# playback capacity: not measured: {str(exc)[-300:]}"]
    _find_roots(server_pid, env.get("DATABASE_URL", ""))
    lines = measure_rates(port, data, seconds=seconds, concurrency=concurrency)

    def ping(n, i):
        return _ping(port)

    ping_ok, _, ping_s = _load(port, seconds, concurrency, ping)
    ping_rps = ping_ok / ping_s
    log("playback_concurrent_viewers: open-loop trials with segment links")
    passed, failed = search(port, data, segments=True, log=log)
    log("playback_concurrent_viewers: the same without segment links")
    passed_plain, failed_plain = search(port, data, segments=False, log=log)
    # per viewer and second: heartbeat, segment link, and per start 3 pages + 3 requests
    per_viewer = 1 / HEARTBEAT_EVERY + 1 / 6 + (PAGES_PER_START + 3) / 100 / 60
    baseline = ping_rps / per_viewer
    if passed is None:
        lines.append("# playback_concurrent_viewers: not even 500 viewers within 300 ms")
        return lines
    viewers = passed["viewers"]
    per_core = viewers / passed["cpu"]["server"] if passed["cpu"]["server"] else 0
    lines += [
        f"playback_concurrent_viewers: {viewers} viewers (ratio vs baseline: {viewers / baseline:.2f})",
        f"#   held: {_describe(passed)}; {per_core:,.0f} viewers per core the workers used",
        f"#   limit: {_describe(failed) if failed else f'not reached at {VIEWERS_MAX} viewers'}",
        f"#   baseline: {baseline:,.0f} viewers if each of a viewer's {per_viewer:.3f} req/s cost"
        f" a ping ({ping_rps:.0f} req/s here, fresh connections)",
    ]
    if passed_plain is not None:
        lines.append(
            f"#   without segment links (heartbeats, starts, catalogue only):"
            f" {passed_plain['viewers']} viewers;"
            f" limit: {_describe(failed_plain) if failed_plain else f'not reached at {VIEWERS_MAX}'}"
        )
    return lines
