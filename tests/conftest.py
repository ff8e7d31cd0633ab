"""Shared fixtures: API clients logged in as each role, and the service guards.

Tests marked `postgres` need PostgreSQL (row locks, real concurrent connections, French
full text); run on another database they fail rather than skip, so a missing service is
never silently hidden. `make test` runs them in its PostgreSQL pass.
"""

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import (
    CinemaStaffFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
)


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

    from catalogue import cache as page_cache

    cache.clear()
    page_cache.forget()
    yield
    cache.clear()
    page_cache.forget()


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


def token_for(user) -> str:
    """The user's API token: its key, to send as `Token <key>`."""
    return Token.objects.get_or_create(user=user)[0].key


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
