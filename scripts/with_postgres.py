#!/usr/bin/env python3
"""Run a command against PostgreSQL: `scripts/with_postgres.py CMD [ARGS...]`.

With POSTGRES_URL set, CMD runs with DATABASE_URL=$POSTGRES_URL. Otherwise a throwaway
cluster is created from the machine's PostgreSQL server binaries (initdb, pg_ctl: the
newest /usr/lib/postgresql/*/bin, or PG_BINDIR, or PATH), listens on 127.0.0.1 only, and
is stopped and deleted afterwards, also on Ctrl-C. CMD runs with
DATABASE_URL=postgres://postgres@127.0.0.1:PORT/catalogue and exits with its code.

Without PostgreSQL binaries the PostgreSQL pass is skipped with a notice (exit 0), except
under CI=true, where it is a failure (exit 1). As root, the cluster runs as the `postgres`
system user (PostgreSQL refuses to run as root); Debian's postgresql package creates it.

Standard library only.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DATABASE = "catalogue"
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # the concurrency tests open many connections at once
}


def _say(message: str) -> None:
    print(f"with_postgres: {message}", file=sys.stderr, flush=True)


def _version_key(bindir: str) -> tuple[int, ...]:
    """(15,) for /usr/lib/postgresql/15/bin or /usr/pgsql-15/bin; () when unparsable."""
    match = re.search(r"(\d+(?:\.\d+)*)", os.path.basename(os.path.dirname(bindir)))
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def _find_bindir() -> str | None:
    def usable(bindir: str) -> bool:
        return all(os.access(os.path.join(bindir, exe), os.X_OK) for exe in ("initdb", "pg_ctl"))

    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"] if usable(os.environ["PG_BINDIR"]) else None
    candidates = glob.glob("/usr/lib/postgresql/*/bin") + glob.glob("/usr/pgsql-*/bin")
    for bindir in sorted(candidates, key=_version_key, reverse=True):
        if usable(bindir):
            return bindir
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and usable(os.path.dirname(pg_ctl)):
        return os.path.dirname(pg_ctl)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Cluster:
    """A throwaway cluster in a temporary directory; `close()` stops it and deletes it."""

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.run_as: str | None = None  # system user the server runs as (when we are root)
        if os.geteuid() == 0:
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise SystemExit(
                    "with_postgres: running as root, and there is no 'postgres' system user to "
                    "run PostgreSQL as (PostgreSQL refuses to run as root). Install Debian's "
                    "postgresql package (it creates the user), run as a normal user, or set "
                    "POSTGRES_URL."
                ) from None
            self.run_as = user.pw_name
        # The Unix socket lives in the work dir: keep its path short (the limit is ~107 bytes).
        short = "/tmp"  # noqa: S108 - only the parent of a private mkdtemp directory
        base = None if len(tempfile.gettempdir()) < 60 or not os.path.isdir(short) else short
        self.workdir = tempfile.mkdtemp(prefix="pgtest-", dir=base)
        if self.run_as:
            os.chown(self.workdir, user.pw_uid, user.pw_gid)
        self.datadir = os.path.join(self.workdir, "data")
        self.logfile = os.path.join(self.workdir, "server.log")
        self.port = 0

    def _run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
        """Run a server binary, as the postgres user when we are root; output captured."""
        if self.run_as:
            if shutil.which("runuser"):
                cmd = ["runuser", "-u", self.run_as, "--", *cmd]
            else:
                cmd = ["su", self.run_as, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        # cwd: the postgres user may not be allowed into the caller's directory.
        proc = subprocess.run(
            cmd,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if check and proc.returncode != 0:
            raise _Failure(f"{shlex.join(cmd)} failed (exit {proc.returncode}):\n{proc.stdout}")
        return proc

    def _bin(self, name: str) -> str:
        path = os.path.join(self.bindir, name)
        return path if os.path.exists(path) else (shutil.which(name) or path)

    def init(self) -> None:
        base = [self._bin("initdb"), "-D", self.datadir, "-U", "postgres", "-A", "trust"]
        base += ["--encoding", "UTF8", "--no-sync"]
        proc = self._run([*base, "--locale", "C.UTF-8"], check=False)
        if proc.returncode != 0:  # no C.UTF-8 locale on this system: plain C
            shutil.rmtree(self.datadir, ignore_errors=True)
            self._run([*base, "--locale", "C"])

    def start(self) -> None:
        for attempt in range(5):  # the free port may be taken between probe and bind
            self.port = _free_port()
            settings = {
                **SERVER_SETTINGS,
                "port": str(self.port),
                "unix_socket_directories": self.workdir,
            }
            options = " ".join(f"-c {key}={shlex.quote(val)}" for key, val in settings.items())
            proc = self._run(
                [self._bin("pg_ctl"), "-D", self.datadir, "-l", self.logfile, "-o", options,
                 "-w", "-t", "60", "start"],
                check=False,
            )  # fmt: skip
            if proc.returncode == 0:
                return
            log = self._read_log()
            self.stop()
            if "could not bind" not in log or attempt == 4:
                raise _Failure(f"PostgreSQL did not start:\n{proc.stdout}\n{log}")

    def create_database(self) -> None:
        url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        deadline = time.monotonic() + 30
        while True:
            proc = subprocess.run(
                [self._bin("psql"), url, "-qAtX", "-c", f"CREATE DATABASE {DATABASE}"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
            )
            if proc.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise _Failure(f"could not create database {DATABASE}:\n{proc.stderr}")
            time.sleep(0.3)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _read_log(self) -> str:
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as log:
                return log.read()[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
            self._run(
                [self._bin("pg_ctl"), "-D", self.datadir, "-m", "fast", "-w", "-t", "30", "stop"],
                check=False,
            )

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)


class _Failure(Exception):
    pass


_received: list[int] = []  # the signal that interrupted us


def _on_signal(signum, frame):
    _received.append(signum)
    raise KeyboardInterrupt  # unwinds through the `finally` that stops the cluster


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode  # killed by signal N: 128+N


def _run_command(argv: list[str], env: dict[str, str]) -> int:
    try:
        proc = subprocess.Popen(argv, env=env)
    except OSError as exc:
        _say(f"cannot run {argv[0]}: {exc}")
        return 127
    try:
        return _exit_code(proc.wait())
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signum = _received[-1] if _received else signal.SIGINT
        # Ctrl-C in a terminal reached the command too (same process group): let it finish
        # its own clean-up first; a SIGTERM is passed on. Then SIGTERM, then SIGKILL.
        if signum == signal.SIGINT:
            steps = [(None, 5), (signal.SIGTERM, 5)]
        else:
            steps = [(signum, 10)]
        for sig, timeout in steps:
            if sig is not None:
                proc.send_signal(sig)
            try:
                proc.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            proc.kill()
            proc.wait()
        return 128 + signum


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    env = dict(os.environ)
    signal.signal(signal.SIGTERM, _on_signal)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _on_signal)

    if env.get("POSTGRES_URL"):
        env["DATABASE_URL"] = env["POSTGRES_URL"]
        return _run_command(argv, env)

    bindir = _find_bindir()
    if bindir is None:
        if env.get("CI", "").lower() in ("true", "1", "yes"):
            _say(
                "ERROR: PostgreSQL server binaries (initdb, pg_ctl) not found, and CI=true: "
                "the PostgreSQL pass cannot be skipped. Install postgresql or set POSTGRES_URL."
            )
            return 1
        print(
            "PostgreSQL not found: the PostgreSQL pass is skipped (install postgresql to run "
            "it, or set POSTGRES_URL to use an existing server).",
            flush=True,
        )
        return 0

    cluster = _Cluster(bindir)
    try:
        cluster.init()
        cluster.start()
        cluster.create_database()
        env["DATABASE_URL"] = cluster.url
        _say(f"throwaway PostgreSQL cluster ({bindir}) on 127.0.0.1:{cluster.port}")
        return _run_command(argv, env)
    except _Failure as exc:
        _say(f"ERROR: {exc}")
        return 1
    except KeyboardInterrupt:
        return 128 + (_received[-1] if _received else signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # don't interrupt the clean-up
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
