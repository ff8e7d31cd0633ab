"""A small, bounded HTTP load client (stdlib only) for the benchmark harness.

`run_interleaved` drives several targets (path + headers) with the same threads, in
alternating time slices: warm-up on each target, then `rounds` x (target 1, target 2, ...).
Each thread keeps one persistent `http.client` connection (reopened transparently when
the server answers `Connection: close`, as gunicorn's sync workers do) and sends GET
requests back to back. A slice starts with a short `settle` period, not counted, during
which requests of the previous slice finish; then a 200 response counts for the slice's
target if it completes inside the slice (completion time, so throughput is unbiased as
long as a request takes less than `settle`). Anything other than a 200 stops the run and
is raised as `LoadError`. Alternating the baseline and the figure in short slices gives
both the same share of whatever else the machine is doing.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
_RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class LoadError(RuntimeError):
    """A request failed or answered something other than 200."""


@dataclass(frozen=True)
class Target:
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class LoadResult:
    path: str
    seconds: float  # total length of the counted windows
    concurrency: int
    ok: int = 0  # 200 responses completed inside the counted windows
    latencies: list[float] = field(repr=False, default_factory=list)
    bytes_per_response: int = 0

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def latency_ms(self, quantile: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[min(98, max(0, round(quantile * 100) - 1))] * 1000


def _connection(port: int, timeout: float) -> http.client.HTTPConnection:
    # Loopback only: the harness must never load anything but the server it started.
    return http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30.0,
) -> tuple[int, bytes]:
    """One request on a fresh connection: (status, body)."""
    conn = _connection(port, timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def obtain_token(port: int, username: str, password: str) -> str:
    """`POST /api/v1/auth/token/` with a demo user's credentials; returns the token key."""
    status, body = request(
        port,
        "POST",
        "/api/v1/auth/token/",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        body=json.dumps({"username": username, "password": password}).encode(),
    )
    if status != 200:
        raise LoadError(
            f"could not log in as {username!r}: HTTP {status}: {body[:300].decode(errors='replace')}"
        )
    return json.loads(body)["token"]


@dataclass(frozen=True)
class _Slice:
    target: int
    begin: float  # requests for `target` are sent from here
    count_from: float  # responses completing from here ...
    end: float  # ... to here count; no request starts after `end`
    counted: bool


def _schedule(n_targets, *, rounds, seconds, warmup, settle, t0) -> list[_Slice]:
    slices: list[_Slice] = []
    t = t0
    for i in range(n_targets):  # warm-up on each target, not counted
        slices.append(_Slice(i, t, t, t + warmup, counted=False))
        t += warmup
    per_slice = seconds / rounds
    for _ in range(rounds):
        for i in range(n_targets):
            slices.append(_Slice(i, t, t + settle, t + settle + per_slice, counted=True))
            t += settle + per_slice
    return slices


def run_interleaved(
    port: int,
    targets: Sequence[Target],
    *,
    seconds: float = 5.0,
    rounds: int = 5,
    warmup: float = 1.0,
    settle: float = 0.25,
    concurrency: int = 4,
    timeout: float = 30.0,
) -> list[LoadResult]:
    """Load every target for `seconds` in total (counted), alternating them `rounds`
    times, from `concurrency` threads. Stops by itself; raises `LoadError` on the first
    failure. Returns one result per target, in order."""
    start = time.perf_counter() + 0.05  # let every thread be ready
    slices = _schedule(
        len(targets), rounds=rounds, seconds=seconds, warmup=warmup, settle=settle, t0=start
    )
    run_end = slices[-1].end
    headers = [{"Accept": "application/json", **t.headers} for t in targets]
    stop = threading.Event()
    errors: list[str] = []
    per_thread = [[{"ok": 0, "lat": [], "size": 0} for _ in targets] for _ in range(concurrency)]

    def worker(slots: list[dict]) -> None:
        conn = _connection(port, timeout)
        k = 0  # index of the current slice
        try:
            while time.perf_counter() < start:
                time.sleep(0.001)
            while not stop.is_set():
                t0 = time.perf_counter()
                if t0 >= run_end:
                    return
                while slices[k].end <= t0:
                    k += 1
                current = slices[k]
                path = targets[current.target].path
                try:
                    try:
                        conn.request("GET", path, headers=headers[current.target])
                        resp = conn.getresponse()
                    except _RETRYABLE:
                        # The server closed an idle keep-alive connection: reopen once.
                        conn.close()
                        conn.request("GET", path, headers=headers[current.target])
                        resp = conn.getresponse()
                    body = resp.read()
                except (OSError, http.client.HTTPException) as exc:
                    errors.append(f"GET {path}: {type(exc).__name__}: {exc}")
                    stop.set()
                    return
                t1 = time.perf_counter()
                if resp.status != 200:
                    snippet = body[:300].decode(errors="replace")
                    errors.append(f"GET {path}: HTTP {resp.status}: {snippet}")
                    stop.set()
                    return
                if current.counted and current.count_from <= t1 < current.end:
                    slot = slots[current.target]
                    slot["ok"] += 1
                    slot["lat"].append(t1 - t0)
                    slot["size"] = len(body)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=worker, args=(slots,), name=f"load-{i}", daemon=True)
        for i, slots in enumerate(per_thread)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, run_end - time.perf_counter()) + timeout + 5)
    if any(t.is_alive() for t in threads):
        stop.set()
        errors.append("a load thread did not finish (server hung?)")
    if errors:
        raise LoadError(f"{len(errors)} failed request(s); first: {errors[0]}")

    results = []
    for i, target in enumerate(targets):
        result = LoadResult(path=target.path, seconds=seconds, concurrency=concurrency)
        for slots in per_thread:
            result.ok += slots[i]["ok"]
            result.latencies.extend(slots[i]["lat"])
            result.bytes_per_response = max(result.bytes_per_response, slots[i]["size"])
        if result.ok == 0:
            raise LoadError(f"GET {target.path}: no response completed inside the windows")
        results.append(result)
    return results
