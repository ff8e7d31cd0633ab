"""`make run` serves from a SQLite file: parallel writes wait for each other, never 500.

SQLite's deferred transactions read first and ask for the write lock later; two of them
then deadlock and one fails at once with "database is locked" (8 parallel PATCHes of a
grant answered 5 × 500). The settings begin every transaction IMMEDIATE, with WAL and a
busy timeout. The writers run in a fresh process (tests/api/sqlite_writers.py) on a file
in a temporary directory, whatever database the suite itself uses.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

WRITERS = 8


def test_parallel_writes_on_a_sqlite_file_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "backend.settings.test",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.api.sqlite_writers", str(WRITERS)],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == [200] * WRITERS, done.stderr[-3000:]
    assert result["journal_mode"] == "wal"
    assert 2 <= result["max_screenings_per_year"] <= WRITERS + 1  # one of the writes, whole
