"""Shared fixtures: API clients logged in as each role, the demo data, and the suite's
guards.

`make test` runs the whole suite on PostgreSQL, in parallel workers (pytest-xdist), and
the tests marked `embedded` again on SQLite, the embedded default of `make run`. Tests
marked `postgres` need PostgreSQL (row locks, real concurrent connections, French full
text); run on another database they fail rather than skip, so a missing service is never
silently hidden.

Nothing is written into the checkout: stored files go to a temporary directory per
process (`backend.settings.test`), hypothesis keeps its examples in a temporary
directory per worker (below), and `make test` turns pytest's own cache off.
"""

import hashlib
import os
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from tests.factories import (
    CinemaStaffFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
)

#: a test whose call takes longer than this is a defect to look at, unless marked `slow`
#: with a reason; `make test` lists them after the run. (Setup is left out: it holds the
#: shared costs of broader fixtures — the worker's database, the module's demo data.)
SLOW_TEST_SECONDS = 5.0
_test_seconds: dict[str, list] = {}


def pytest_configure(config):
    from hypothesis.configuration import set_hypothesis_home_dir

    checkout = hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    set_hypothesis_home_dir(
        Path(tempfile.gettempdir()) / f"catalogue-hypothesis-{checkout[:12]}" / worker
    )


def _uses_demo_data(item) -> bool:
    return "demo_data" in getattr(item, "fixturenames", ())


def pytest_itemcollected(item):
    """The tests that use the demo data run on one worker (`--dist loadgroup`)..."""
    if _uses_demo_data(item):
        item.add_marker(pytest.mark.xdist_group("demo-data"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """... one after the other, at the end: the seed is built once for all of them
    (`demo_data`)."""
    items.sort(key=_uses_demo_data)


def pytest_runtest_logreport(report):
    if report.when == "call":
        _test_seconds[report.nodeid] = [report.duration, "slow" in report.keywords]


def pytest_terminal_summary(terminalreporter):
    over = sorted(
        ((seconds, nodeid) for nodeid, (seconds, slow) in _test_seconds.items()
         if seconds > SLOW_TEST_SECONDS and not slow),
        reverse=True,
    )  # fmt: skip
    if over:
        terminalreporter.section(
            f"tests over the {SLOW_TEST_SECONDS:.0f} s budget (not marked slow)"
        )
        for seconds, nodeid in over:
            terminalreporter.write_line(f"{seconds:6.1f} s  {nodeid}")


class DemoSeed:
    """The demo data (`seed_demo`), built inside a transaction that stays open while
    consecutive tests use it and is rolled back before the first test that does not:
    that test starts from an empty database again. The tests that use it run in
    savepoints inside it (the `db` fixture); they must not be transactional."""

    current: "DemoSeed | None" = None

    def __init__(self, blocker):
        self.blocker, self.atomic, self.seconds = blocker, None, None

    def open(self) -> "DemoSeed":
        from django.core.management import call_command

        if self.atomic is None:
            with self.blocker.unblock():
                self.atomic = transaction.atomic()
                self.atomic.__enter__()
                started = time.monotonic()
                call_command("seed_demo", verbosity=0)
                self.seconds = time.monotonic() - started
        return self

    def close(self) -> None:
        if self.atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)
            self.atomic = None


@pytest.fixture(scope="session")
def _demo_seed(django_db_setup, django_db_blocker):
    DemoSeed.current = DemoSeed(django_db_blocker)
    yield DemoSeed.current
    DemoSeed.current.close()  # before the test database goes
    DemoSeed.current = None


@pytest.fixture(scope="module")
def demo_data(_demo_seed):
    """The demo data, seeded once for a run of tests that use it (see `DemoSeed`);
    `seconds` is how long the seed took. Module-scoped so that it is opened before the
    test's own transaction (`db`); `pytest_runtest_setup` keeps it open or closed."""
    return _demo_seed.open()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before each test, outside its transaction (the previous test's savepoint is gone):
    the demo data is there for a test that uses it, and rolled back for one that does
    not."""
    if DemoSeed.current is not None:
        if "demo_data" in item.fixturenames:
            DemoSeed.current.open()
        else:
            DemoSeed.current.close()


@pytest.fixture(autouse=True)
def _require_postgres(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.fail(
            "This test needs PostgreSQL (DATABASE_URL=postgres://...); "
            "`make test` runs it in its PostgreSQL pass."
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counters and cached pages live in the cache, the catalogue revision a
    worker read in memory: each test starts from nothing."""
    from django.core.cache import cache

    from backend.revision import counter as revision

    cache.clear()
    revision.forget()
    yield
    cache.clear()
    revision.forget()


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


def token_for(user) -> str:
    """A new API token (knox) for the user: its key, to send as `Token <key>`."""
    _token, key = ApiToken.objects.create(user=user)
    return key


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def editor(db):
    return CinemaStaffFactory(username="editor")


@pytest.fixture
def editor_api(editor):
    return client_for(editor)


@pytest.fixture
def network(db):
    return NetworkFactory()


@pytest.fixture
def library(network):
    library = InstitutionFactory()
    MembershipFactory(network=network, library=library)
    return library


@pytest.fixture
def other_library(db):
    return InstitutionFactory(name="Autre médiathèque", department_code="35", region_code="53")


@pytest.fixture
def library_admin(library):
    return UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=library)


@pytest.fixture
def library_api(library_admin):
    return client_for(library_admin)


@pytest.fixture
def other_library_admin(other_library):
    return UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=other_library)


@pytest.fixture
def other_library_api(other_library_admin):
    return client_for(other_library_admin)


@pytest.fixture
def patron(library):
    return UserFactory(role=User.Role.PATRON, institution=library, username="patron-0a1b2c")


@pytest.fixture
def patron_api(patron):
    return client_for(patron)
