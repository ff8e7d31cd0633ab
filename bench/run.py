"""Benchmark harness (`make bench`): throughput of API endpoints relative to a trivial
endpoint served by the same server.

1. prepares the database (migrate, `seed_demo --scale $BENCH_SCALE --if-empty`) with the
   production settings; DATABASE_URL comes from the caller (scripts/with_postgres.py) or
   defaults to a SQLite file under var/bench/;
2. starts gunicorn as production does (`backend.wsgi:application`, sync workers), with 2
   workers, on a free loopback port;
3. for every figure of bench/figures.py, loads the baseline (`/api/v1/ping/`) and the
   figure alternately, in $BENCH_ROUNDS slices each, $BENCH_SECONDS in total per endpoint
   after a warm-up, from $BENCH_CONCURRENCY connections;
4. prints one line per figure: `name: value req/s (ratio vs baseline: r)`.

Environment: BENCH_SECONDS (5), BENCH_ROUNDS (5), BENCH_WARMUP (1), BENCH_CONCURRENCY (4),
BENCH_SCALE (10), BENCH_ONLY (comma-separated figure names).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bookings, media, playback, stats  # noqa: E402
from bench.figures import BASELINE, FIGURES, Figure  # noqa: E402
from bench.http_load import (  # noqa: E402
    LoadError,
    LoadResult,
    Target,
    obtain_token,
    request,
    run_interleaved,
)

BENCH_DIR = ROOT / "var" / "bench"
WORKERS = 2
VACUUM_SNIPPET = (
    "from django.db import connection\n"
    "if connection.vendor == 'postgresql':\n"
    "    with connection.cursor() as cursor:\n"
    "        cursor.execute('VACUUM ANALYZE')\n"
)


def env_number(name: str, default: float, cast=float):
    raw = os.environ.get(name, "").strip()
    try:
        value = cast(raw) if raw else default
    except ValueError:
        sys.exit(f"bench: {name}={raw!r} is not a number")
    if value <= 0:
        sys.exit(f"bench: {name} must be positive")
    return value


SECONDS = env_number("BENCH_SECONDS", 5.0)
ROUNDS = env_number("BENCH_ROUNDS", 5, int)
WARMUP = env_number("BENCH_WARMUP", 1.0)
CONCURRENCY = env_number("BENCH_CONCURRENCY", 4, int)
SCALE = env_number("BENCH_SCALE", 10, int)


def log(msg: str) -> None:
    print(f"# {msg}", file=sys.stderr, flush=True)


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings.production",
        DEMO_DATA_ALLOWED="true",  # a benchmark database holds the demo data
        SECRET_KEY=secrets.token_urlsafe(50),
        PATRON_CARD_PEPPER=secrets.token_urlsafe(50),
        # one server, a few logins: each worker's own cache is enough for the throttles
        CACHE_URL=os.environ.get("CACHE_URL", "locmemcache://"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    # the production settings serve static files from their manifest (collectstatic)
    env["STATIC_ROOT"] = str(BENCH_DIR / "static")
    if not env.get("DATABASE_URL"):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{BENCH_DIR / f'bench-scale{SCALE}.sqlite3'}"
    return env


def manage(env: dict[str, str], *args: str, label: str = "") -> None:
    label = label or f"manage.py {' '.join(args)}"
    t0 = time.perf_counter()
    cmd = [sys.executable, "manage.py", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        sys.exit(f"bench: {label} failed (exit {proc.returncode})")
    log(f"{label}: {time.perf_counter() - t0:.1f} s")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, logfile) -> subprocess.Popen:
    # Sync workers, as the Dockerfile and docker-compose run it: the requests are CPU-bound
    # (local database), and a sync worker accepts a connection only when it is idle, so
    # the load spreads evenly over the 2 workers. gthread was measured too: with
    # keep-alive, a connection stays on the worker that accepted it, the split of the
    # client's connections between the workers varies from run to run, and so did the
    # figures (up to 2x); its threads add nothing on 2 cores with a CPU-bound app.
    # 2 workers = 2 cores; the load client gets what they leave. No access log (the
    # default without --access-logfile).
    cmd = [
        sys.executable, "-m", "gunicorn", "backend.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS),
        "--worker-class", "sync",
        "--log-level", "warning",
        "--error-logfile", "-",
        "--no-control-socket",
    ]  # fmt: skip
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of master and workers
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: master and workers only
        proc.wait(timeout=5)


def wait_ready(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status, _ = request(port, "GET", BASELINE.path, timeout=2)
            if status == 200:
                return
            last = f"HTTP {status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.1)
    sys.stderr.write(log_path.read_text()[-4000:])
    sys.exit(f"bench: gunicorn did not answer {BASELINE.path} ({last or 'exited'})")


def resolve_headers(figure: Figure, port: int, tokens: dict) -> dict[str, str]:
    headers = dict(figure.headers)
    if figure.login:
        if figure.login not in tokens:
            tokens[figure.login] = obtain_token(port, *figure.login)
        headers["Authorization"] = f"Token {tokens[figure.login]}"
    return headers


def check_sample(figure: Figure, port: int, headers: dict[str, str]) -> None:
    status, body = request(
        port, "GET", figure.path, headers={"Accept": "application/json", **headers}
    )
    if status != 200:
        raise LoadError(f"{figure.name}: GET {figure.path}: HTTP {status}: {body[:300]!r}")
    if figure.check and (problem := figure.check(body)):
        raise LoadError(f"{figure.name}: GET {figure.path}: {problem}")


def probe(env: dict[str, str], figures: list[tuple[Figure, dict[str, str]]]) -> dict:
    """Database facts and per-figure query counts, from bench/probe.py (in-process)."""
    payload = json.dumps([{"name": f.name, "path": f.path, "headers": h} for f, h in figures])
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "probe.py")],
        cwd=ROOT, env=env, input=payload, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        log(f"probe failed (context lines omitted): {proc.stderr.strip()[-1500:]}")
        return {}
    return json.loads(proc.stdout)


def measure(figure: Figure, port: int, headers: dict[str, str]) -> tuple[LoadResult, LoadResult]:
    """The baseline and the figure, alternately: (baseline result, figure result)."""
    rounds = figure.rounds or ROUNDS
    seconds = max(SECONDS, figure.seconds or 0)
    slow = {"settle": figure.settle} if figure.settle is not None else {}
    reference = figure.baseline or BASELINE
    log(
        f"measuring {figure.name} ({figure.path}) against {reference.name}: "
        f"{rounds} rounds, {seconds:g} s each in total, {CONCURRENCY} connections"
    )
    base, fig = run_interleaved(
        port,
        [Target(reference.path, reference.headers), Target(figure.path, headers)],
        seconds=seconds,
        rounds=rounds,
        warmup=WARMUP,
        concurrency=CONCURRENCY,
        **slow,
    )
    return base, fig


def describe(result: LoadResult) -> str:
    return (
        f"p50 {result.latency_ms(0.5):.1f} ms, p95 {result.latency_ms(0.95):.1f} ms, "
        f"{result.bytes_per_response / 1024:.1f} KiB/response, {result.ok} responses"
    )


#: figures measured outside bench/figures.py (BENCH_ONLY may name them too)
EXTRA_FIGURES = {
    "bookings",
    *media.PLAYBACK_FIGURES,
    *playback.FIGURES,
    *media.STORE_FIGURES,
    "stats",
    "stats_sushi_ir_m1",
    "rights_holder_statements",
    "rights_holder_statements_all_figures",
}


def only_names() -> set[str]:
    return {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}


def extra_selected(name: str) -> bool:
    """An extra figure runs in a full run, or when BENCH_ONLY names it."""
    only = only_names()
    return not only or name in only


def selected_figures() -> list[Figure]:
    only = only_names()
    unknown = only - {f.name for f in FIGURES} - EXTRA_FIGURES
    if unknown:
        sys.exit(f"bench: unknown figure(s) in BENCH_ONLY: {', '.join(sorted(unknown))}")
    return [f for f in FIGURES if not only or f.name in only]


def main() -> int:
    started = time.perf_counter()
    figures = selected_figures()
    env = server_env()
    vendor_hint = env["DATABASE_URL"].split(":", 1)[0]
    source = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "SQLite file under var/bench/"
    log(f"database: {vendor_hint} ({source})")

    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed_demo", "--scale", str(SCALE), "--if-empty")
    # Freshly bulk-loaded PostgreSQL tables have no planner statistics and dead row
    # versions until autovacuum passes; measure the steady state a live database is in.
    manage(env, "shell", "-c", VACUUM_SNIPPET, label="VACUUM ANALYZE (PostgreSQL only)")

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    log_path = BENCH_DIR / "gunicorn.log"
    port = free_port()
    # The server's object store is a moto_server, as in production an S3 store: the
    # playback figures presign with boto3 (nothing is downloaded from it).
    moto, store_url = media.start_moto()
    env.update(
        OBJECT_STORE_BUCKET="bench-playback",
        OBJECT_STORE_ENDPOINT_URL=store_url,
        OBJECT_STORE_ACCESS_KEY_ID="bench",
        OBJECT_STORE_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto accepts any)
        # no bench session goes silent between the capacity trials
        MEDIA_HEARTBEAT_TIMEOUT_SECONDS="7200",
    )
    with log_path.open("w") as logfile:
        server = start_server(env, port, logfile)
        try:
            wait_ready(server, port, log_path)
            log(f"gunicorn up on 127.0.0.1:{port} ({WORKERS} sync workers)")
            tokens: dict = {}
            resolved = [(f, resolve_headers(f, port, tokens)) for f in figures]
            for figure, headers in resolved:
                check_sample(figure, port, headers)
            facts = probe(env, [(BASELINE, {}), *resolved])

            results: list[tuple[Figure, LoadResult, LoadResult]] = []
            for figure, headers in resolved:
                base, fig = measure(figure, port, headers)
                results.append((figure, fig, base))
            extra_lines: list[str] = []
            if extra_selected("bookings"):
                extra_lines += bookings.measure(
                    port,
                    obtain_token(port, "library-admin", "demo-catalogue-2017"),
                    bookings.prepare(env),
                    seconds=SECONDS,
                    concurrency=CONCURRENCY,
                )
            if any(extra_selected(n) for n in media.PLAYBACK_FIGURES):
                extra_lines += media.measure_playback(
                    port, env, seconds=SECONDS, concurrency=CONCURRENCY
                )
            if any(extra_selected(n) for n in playback.FIGURES):
                extra_lines += playback.measure(
                    port, env, server.pid, seconds=SECONDS, concurrency=CONCURRENCY, log=log
                )
        except LoadError as exc:
            sys.stderr.write(log_path.read_text()[-4000:])
            print(f"bench: FAILED: {exc}", file=sys.stderr)
            return 1
        finally:
            stop_server(server)
            media.stop_moto(moto)
    # Upload and transcoding figures: after the server stopped (they need the cores).
    store_figures = [n for n in media.STORE_FIGURES if extra_selected(n)]
    if store_figures:
        extra_lines += media.measure_store(env, store_figures)
    if any(
        extra_selected(n)
        for n in (
            "stats",
            "stats_sushi_ir_m1",
            "rights_holder_statements",
            "rights_holder_statements_all_figures",
        )
    ):
        # Statistics and statements on 10 million view events (PostgreSQL only; alone:
        # bench/stats.py; BENCH_ONLY=rights_holder_statements for the two statements
        # figures, rights_holder_statements_all_figures for the second alone,
        # stats_sushi_ir_m1 for the SUSHI report alone).
        extra_lines += stats.measure(env)

    # --- report (stdout) -----------------------------------------------------------------
    vendor = facts.get("vendor", vendor_hint)
    version = facts.get("version")
    films = facts.get("films")
    print(
        f"# database: {vendor}{f' {version}' if version else ''}, scale {SCALE}"
        f"{f' ({films} films)' if films is not None else ''}; gunicorn {WORKERS} sync workers;"
        f" {CONCURRENCY} connections; each figure alternates with the baseline in {ROUNDS}"
        f" slices, {SECONDS:g} s each in total; {os.cpu_count()} CPUs shared with the load client"
    )
    if not results:
        for line in extra_lines:
            print(line)
        if not extra_lines:
            print("# no figure selected")
        return 0
    # The baseline line: all baseline slices together (each ratio uses its own run's).
    pings = [b for figure, _, b in results if figure.baseline is None]
    if pings:
        baseline_rps = sum(b.ok for b in pings) / sum(b.seconds for b in pings)
        print(f"{BASELINE.name}: {baseline_rps:.1f} req/s (ratio vs baseline: 1.00)")
        print(f"#   {describe(pings[0])}{_probe_note(facts, BASELINE.name)}")
    for figure, fig, base in results:
        if figure.baseline is not None:  # its own baseline's line, measured alongside
            print(f"{figure.baseline.name}: {base.rps:.1f} req/s (ratio vs baseline: 1.00)")
        print(f"{figure.name}: {fig.rps:.1f} req/s (ratio vs baseline: {fig.rps / base.rps:.2f})")
        print(
            f"#   {describe(fig)}{_probe_note(facts, figure.name)};"
            f" baseline alongside"
            f"{f' ({figure.baseline.name}, {figure.baseline.path})' if figure.baseline else ''}:"
            f" {base.rps:.1f} req/s"
            + (
                f" ({figure.rounds} slices, {base.seconds:g} s each in total)"
                if figure.rounds
                else ""
            )
        )
    for line in extra_lines:
        print(line)
    print(f"# total bench time {time.perf_counter() - started:.0f} s")
    return 0


def _probe_note(facts: dict, name: str) -> str:
    info = facts.get("figures", {}).get(name)
    if not info:
        return ""
    return (
        f"; in-process: {info['queries']} SQL queries ({info['sql_ms']:.1f} ms), "
        f"{info['median_ms']:.1f} ms/request"
    )


if __name__ == "__main__":
    sys.exit(main())
