#!/usr/bin/env python3
"""Run a command against PostgreSQL: `scripts/with_postgres.py CMD [ARGS...]`.

With POSTGRES_URL set, CMD runs with DATABASE_URL=$POSTGRES_URL. Otherwise a throwaway
cluster is created from the machine's PostgreSQL server binaries (initdb, pg_ctl), listens
on 127.0.0.1 only, and is stopped and deleted afterwards. Without PostgreSQL binaries the
PostgreSQL pass is skipped with a notice — except under CI=true, where it is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def _find_bindir() -> str | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    for bindir in candidates:
        if os.path.exists(os.path.join(bindir, "pg_ctl")):
            return bindir
    pg_ctl = shutil.which("pg_ctl")
    return os.path.dirname(pg_ctl) if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    env = dict(os.environ)
    if env.get("POSTGRES_URL"):
        env["DATABASE_URL"] = env["POSTGRES_URL"]
        return subprocess.call(argv, env=env)

    bindir = _find_bindir()
    if bindir is None:
        if env.get("CI") == "true":
            print("PostgreSQL server binaries not found, and CI=true: failing.", file=sys.stderr)
            return 1
        print(
            "PostgreSQL not found: the PostgreSQL pass is skipped "
            "(install postgresql, or set POSTGRES_URL, to run it)."
        )
        return 0
    if os.geteuid() == 0:
        try:
            import pwd

            postgres_user = pwd.getpwnam("postgres")
        except KeyError:
            print("Running as root without a 'postgres' system user.", file=sys.stderr)
            return 1

    workdir = tempfile.mkdtemp(prefix="pgtest-")
    datadir = os.path.join(workdir, "data")
    if os.geteuid() == 0:
        os.chown(workdir, postgres_user.pw_uid, postgres_user.pw_gid)
    port = _free_port()
    pg_ctl = os.path.join(bindir, "pg_ctl")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
    started = False
    try:
        subprocess.run(
            _as_postgres_user(
                [
                    os.path.join(bindir, "initdb"),
                    "-D", datadir, "-U", "postgres", "-A", "trust",
                    "--encoding", "UTF8", "--locale", "C.UTF-8",
                ]
            ),
            check=True,
            **quiet,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={workdir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        subprocess.run(
            _as_postgres_user(
                [pg_ctl, "-D", datadir, "-o", options, "-l", os.path.join(workdir, "log"),
                 "-w", "-t", "60", "start"]
            ),
            check=True,
            **quiet,
        )  # fmt: skip
        started = True
        url = f"postgres://postgres@127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            probe = subprocess.run(
                [os.path.join(bindir, "psql"), f"{url}/postgres", "-qAtc",
                 "CREATE DATABASE catalogue"],
                capture_output=True, text=True,
            )  # fmt: skip
            if probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                print(probe.stderr, file=sys.stderr)
                return 1
            time.sleep(0.5)
        env["DATABASE_URL"] = f"{url}/catalogue"
        print(f"PostgreSQL pass on a throwaway cluster (127.0.0.1:{port})", flush=True)
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        if started:
            subprocess.run(
                _as_postgres_user([pg_ctl, "-D", datadir, "-m", "fast", "-w", "stop"]), **quiet
            )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
