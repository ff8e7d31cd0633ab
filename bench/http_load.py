"""A small, bounded HTTP load client (stdlib only) for the benchmark harness.

Threads share nothing but a start time: each keeps one persistent `http.client`
connection (reopened transparently when the server answers `Connection: close`), sends
GET requests back to back and counts the 200 responses that complete inside the measured
window (completion time, so a slow endpoint is not penalised at the window's edges). Anything other than a 200 stops the run and is raised as `LoadError`.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
_RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class LoadError(RuntimeError):
    """A request failed or answered something other than 200."""


@dataclass
class LoadResult:
    path: str
    seconds: float  # length of the measured window
    concurrency: int
    ok: int  # 200 responses completed inside the window
    latencies: list[float] = field(repr=False, default_factory=list)
    bytes_per_response: int = 0
    reconnects: int = 0

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def latency_ms(self, quantile: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
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


def run_load(
    port: int,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    seconds: float = 5.0,
    warmup: float = 1.0,
    concurrency: int = 4,
    timeout: float = 30.0,
) -> LoadResult:
    """GET `path` from `concurrency` threads for `warmup + seconds`; count the 200s of the
    last `seconds`. Stops by itself; raises `LoadError` on the first failure."""
    hdrs = {"Accept": "application/json", **(headers or {})}
    start = time.perf_counter() + 0.05  # let every thread be ready
    window_start = start + warmup
    window_end = window_start + seconds
    stop = threading.Event()
    errors: list[str] = []
    per_thread: list[dict] = [
        {"ok": 0, "lat": [], "size": 0, "reconnects": 0} for _ in range(concurrency)
    ]

    def worker(slot: dict) -> None:
        conn = _connection(port, timeout)
        try:
            while time.perf_counter() < start:
                time.sleep(0.001)
            while not stop.is_set():
                t0 = time.perf_counter()
                if t0 >= window_end:
                    return
                try:
                    try:
                        conn.request("GET", path, headers=hdrs)
                        resp = conn.getresponse()
                    except _RETRYABLE:
                        # The server closed an idle keep-alive connection: reopen once.
                        conn.close()
                        slot["reconnects"] += 1
                        conn.request("GET", path, headers=hdrs)
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
                if window_start <= t1 < window_end:  # completed inside the window
                    slot["ok"] += 1
                    slot["lat"].append(t1 - t0)
                    slot["size"] = len(body)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=worker, args=(slot,), name=f"load-{i}", daemon=True)
        for i, slot in enumerate(per_thread)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=warmup + seconds + timeout + 5)
    if any(t.is_alive() for t in threads):
        stop.set()
        errors.append(f"GET {path}: a load thread did not finish (server hung?)")
    if errors:
        raise LoadError(f"{len(errors)} failed request(s); first: {errors[0]}")

    result = LoadResult(path=path, seconds=seconds, concurrency=concurrency, ok=0)
    for slot in per_thread:
        result.ok += slot["ok"]
        result.latencies.extend(slot["lat"])
        result.bytes_per_response = max(result.bytes_per_response, slot["size"])
        result.reconnects += slot["reconnects"]
    if result.ok == 0:
        raise LoadError(f"GET {path}: no response completed inside the {seconds} s window")
    return result
