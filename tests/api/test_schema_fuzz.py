"""schemathesis generates requests from the OpenAPI schema for every operation and checks
that none gets a server error and that every answer is the one the schema describes
(status code, content type, headers, body) — anonymous, as cinema staff (who reach the
write paths), and as a library's administrator and one of its patrons (the library side's
paths)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import client_for
from tests.factories import CinemaStaffFactory, FilmFactory, InstitutionFactory, PersonFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

#: what every answer is checked for, whoever asks
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes "old" connections at the end of each request; inside a
    test transaction that would close the test's own connection (on PostgreSQL). Django's
    test client disconnects these handlers the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db):
    FilmFactory()
    PersonFactory()
    InstitutionFactory()
    staff = CinemaStaffFactory(username="fuzzer")
    client_for(staff)
    return staff.auth_token.key


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_as_cinema_staff(case, staff_token):
    case.call_and_validate(headers={"Authorization": f"Token {staff_token}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_anonymous(case):
    case.call_and_validate(checks=CHECKS)


@pytest.fixture
def library_side_tokens(db):
    """A library administrator and a patron of a library in a network, with a film."""
    from accounts.models import User
    from tests.factories import MembershipFactory, NetworkFactory, UserFactory

    FilmFactory()
    library = InstitutionFactory()
    MembershipFactory(network=NetworkFactory(), library=library)
    tokens = {}
    for role in (User.Role.INSTITUTION_ADMIN, User.Role.PATRON):
        user = UserFactory(role=role, institution=library)
        client_for(user)
        tokens[role] = user.auth_token.key
    return tokens


@pytest.mark.django_db
@schema.parametrize()
@settings(FUZZ_SETTINGS, max_examples=10)  # two roles: fewer examples each
@pytest.mark.parametrize("role", ["institution_admin", "patron"])
def test_no_server_error_on_the_library_side(case, library_side_tokens, role):
    case.call_and_validate(
        headers={"Authorization": f"Token {library_side_tokens[role]}"},
        checks=CHECKS,
    )
