"""`make run`'s environment: the service's public address (FRONTEND_BASE_URL, the records'
856 links and their example, e-mails) is the address `make run` serves on, unless given.
The Makefile's `run` target runs in a temporary directory, its commands replaced by one
that prints the variable (nothing is installed, migrated or served)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="needs make")


def _run_env(tmp_path, *args, environ=None) -> set[str]:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in ("requirements.lock", "package.json", "package-lock.json"):
        (tmp_path / name).touch()
        os.utime(tmp_path / name, (1_000_000_000, 1_000_000_000))
    for stamp in (".venv/.installed", "node_modules/.installed"):  # set up already
        (tmp_path / stamp).parent.mkdir(exist_ok=True)
        (tmp_path / stamp).touch()
    env = {k: v for k, v in os.environ.items() if k not in ("FRONTEND_BASE_URL", "MAKEFLAGS")}
    done = subprocess.run(
        [MAKE, "--no-print-directory", "run", "PY=printenv FRONTEND_BASE_URL; :", *args],
        cwd=tmp_path,
        env={**env, **(environ or {})},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return {line for line in done.stdout.splitlines() if "://" in line and " " not in line}


def test_make_run_gives_the_address_it_serves_on(tmp_path):
    # migrate, the seed, the demo logins and the server all see it
    assert _run_env(tmp_path, "PORT=8765") == {"http://127.0.0.1:8765"}


def test_a_given_address_wins(tmp_path):
    given = {"FRONTEND_BASE_URL": "https://films.example.org"}
    assert _run_env(tmp_path, "PORT=8765", environ=given) == {"https://films.example.org"}
    assert _run_env(tmp_path, "FRONTEND_BASE_URL=https://other.example.org") == {
        "https://other.example.org"
    }
