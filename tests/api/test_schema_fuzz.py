"""schemathesis generates requests from the OpenAPI schema for every operation and every
role (anonymous, cinema staff, a library's administrator, one of its patrons, a rights
holder's user) and checks that none gets a server error and that every answer is the one
the schema describes (status code, content type, headers, body).

The example budget goes where it can find something. An operation a role is refused at
the permission check (DRF checks permissions before it reads the body, the query or the
object) answers the same refusal to every input: one example proves it, and the test
asserts that refusal. Every other operation × role gets `FUZZ_EXAMPLES` examples (10 by
default). `make fuzz` is the deep run before a release: hundreds of examples, another seed
(`FUZZ_EXAMPLES=300 FUZZ_SEED=<n>`); without `FUZZ_SEED` the examples are derandomized, so
`make test` asks the same questions every time."""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from django.contrib.auth.models import AnonymousUser
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, seed, settings
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.request import Request
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from tests.conftest import token_for
from tests.factories import (
    CinemaStaffFactory,
    FilmFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

#: examples per operation and role that the role may call
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
#: a seed for a deep run; unset, the examples are derandomized (the same every run)
FUZZ_SEED = os.environ.get("FUZZ_SEED")

#: the checks every response goes through
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

ROLES = ("anonymous", "cinema_staff", "institution_admin", "patron", "rights_holder")

_RESULTS = list(schema.get_all_operations())
OPERATIONS = {result.ok().label: result.ok() for result in _RESULTS if hasattr(result, "ok")}
#: operations schemathesis could not read (a broken schema): a test requires none
SCHEMA_ERRORS = [str(result.err()) for result in _RESULTS if hasattr(result, "err")]


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
def users(db):
    """One user per role, and something for each to find: a film, a person, a library in a
    network, a rights holder with a user of its own."""
    from royalties.models import RightsHolderMember
    from tests.factories import RightsHolderFactory

    FilmFactory()
    PersonFactory()
    library = InstitutionFactory()
    MembershipFactory(network=NetworkFactory(), library=library)
    holder_user = UserFactory(role=User.Role.RIGHTS_HOLDER, institution=None)
    RightsHolderMember.objects.create(user=holder_user, rights_holder=RightsHolderFactory())
    return {
        "anonymous": None,
        "cinema_staff": CinemaStaffFactory(username="fuzzer"),
        "institution_admin": UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=library),
        "patron": UserFactory(role=User.Role.PATRON, institution=library),
        "rights_holder": holder_user,
    }


def _concrete_path(operation) -> str:
    """The operation's path with every parameter set to 1: it resolves to the operation's
    view whatever the parameter's converter."""
    return re.sub(r"\{[^}]+\}", "1", operation.full_path)


def refused_at_permission_check(operation, user) -> bool:
    """Whether DRF's permission check refuses `user` this operation, for any input: the
    view's own `check_permissions`, run on a request that carries nothing but the method
    and the user."""
    path = _concrete_path(operation)
    try:
        match = resolve(path)
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None)
    if view_class is None:  # not a DRF view
        return False
    view = view_class(**getattr(match.func, "initkwargs", {}))
    actions = getattr(match.func, "actions", None)
    if actions is not None:
        view.action_map = actions
        view.action = actions.get(operation.method.lower())
        if view.action is None:
            return False
    django_request = RequestFactory().generic(operation.method.upper(), path)
    request = Request(django_request)
    request.user = user or AnonymousUser()
    view.request, view.args, view.kwargs, view.format_kwarg = request, (), match.kwargs, None
    try:
        view.check_permissions(request)
    except (NotAuthenticated, PermissionDenied):
        return True
    return False


def fuzzed(max_examples: int = FUZZ_EXAMPLES):
    """Hypothesis settings of a fuzzing test: `max_examples`, derandomized unless a deep
    run gives FUZZ_SEED (then that seed)."""

    def decorate(test):
        test = settings(
            max_examples=max_examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=FUZZ_SEED is None,
            phases=[Phase.explicit, Phase.generate],
            database=None,
        )(test)
        return test if FUZZ_SEED is None else seed(int(FUZZ_SEED))(test)

    return decorate


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_error(label, role, users):
    operation = OPERATIONS[label]
    user = users[role]
    headers = {"Authorization": f"Token {token_for(user)}"} if user else {}
    refused = refused_at_permission_check(operation, user)
    strategy = operation.as_strategy(
        # a refusal is proven on a path that routes to the operation's view
        path_parameters={name: 1 for name in _path_parameter_names(operation)} if refused else None
    )

    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        if refused:
            assert response.status_code in (401, 403), (
                f"{label} as {role}: refused at the permission check, yet answered "
                f"{response.status_code}"
            )

    fuzzed(1 if refused else FUZZ_EXAMPLES)(given(case=strategy)(check))()


def _path_parameter_names(operation) -> list[str]:
    return re.findall(r"\{([^}]+)\}", operation.path)


def test_every_operation_is_fuzzed_and_some_refusals_are_proven(users):
    """The parametrization above covers the schema: a new endpoint is fuzzed without
    anyone listing it, and the permission probe does recognise refusals (a patron may
    not write films; cinema staff may)."""
    assert not SCHEMA_ERRORS
    assert len(OPERATIONS) > 100
    create_film = OPERATIONS["POST /api/v1/films/"]
    assert refused_at_permission_check(create_film, users["patron"])
    assert refused_at_permission_check(create_film, None)
    assert not refused_at_permission_check(create_film, users["cinema_staff"])
    assert not refused_at_permission_check(OPERATIONS["GET /api/v1/films/"], None)
