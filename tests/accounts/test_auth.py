"""Token authentication for API clients, session authentication for the browsable API."""

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.embedded
def test_token_for_valid_credentials(api, library_admin):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": library_admin.username, "password": TEST_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "institution_admin"
    assert Token.objects.get(user=library_admin).key == body["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = api.get("/api/v1/me/").json()
    assert me["institution"] == library_admin.institution_id


def test_wrong_password_has_a_reason_code(api, library_admin):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": library_admin.username, "password": "nope"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.filter(user=library_admin).exists()


def test_missing_fields_are_named(api):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_revoking_the_token_logs_out(library_api, library_admin):
    assert library_api.get("/api/v1/me/").status_code == 200
    assert library_api.delete("/api/v1/auth/token/").status_code == 204
    assert library_api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=library_admin).exists()


def test_bad_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_deactivated_users_token_no_longer_works(library_api, library_admin):
    assert library_api.get("/api/v1/me/").status_code == 200
    library_admin.is_active = False
    library_admin.save(update_fields=["is_active"])
    response = library_api.get("/api/v1/me/", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."


@pytest.mark.embedded
def test_token_authentication_reads_the_user_and_token_in_one_query(library_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.authentication import TokenAuthentication

    token = Token.objects.create(user=library_admin)
    with CaptureQueriesContext(connection) as queries:
        user, auth = TokenAuthentication().authenticate_credentials(token.key)
    assert len(queries) == 1
    assert (user.pk, user.username, user.role, user.institution_id, user.date_joined) == (
        library_admin.pk,
        library_admin.username,
        library_admin.role,
        library_admin.institution_id,
        library_admin.date_joined,
    )
    assert (auth.key, auth.user_id, auth.created) == (token.key, library_admin.pk, token.created)
    assert auth.user is user


@pytest.mark.embedded
def test_session_authentication_for_the_browsable_api(client, library_admin):
    assert client.login(username=library_admin.username, password=TEST_PASSWORD)
    response = client.get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert library_admin.username in response.content.decode()


def test_cinema_staff_reach_the_admin_and_library_staff_do_not(client, editor, library_admin):
    client.force_login(editor)
    assert client.get("/admin/catalogue/film/").status_code == 200
    client.force_login(library_admin)
    assert client.get("/admin/catalogue/film/").status_code == 302


def test_user_role_and_institution_are_consistent(db):
    from django.db import IntegrityError, transaction

    from accounts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role=User.Role.PATRON)


def test_password_guessing_is_throttled(api, library_admin):
    attempts = [
        api.post(
            "/api/v1/auth/token/",
            {"username": library_admin.username, "password": f"guess-{i}"},
            format="json",
        ).status_code
        for i in range(35)
    ]
    assert attempts[:30] == [400] * 30
    assert attempts[30:] == [429] * 5
