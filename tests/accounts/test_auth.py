"""Token authentication for API clients (knox tokens: one per device, expiring, revocable,
checked in one query), session authentication for the browsable API."""

import datetime

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.crypto import hash_token

from accounts.models import ApiToken
from tests.conftest import token_for
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
    [token] = ApiToken.objects.filter(user=library_admin)
    # only a digest of the key is kept
    assert token.digest == hash_token(body["token"]) and body["token"] not in token.digest
    assert body["id"] == token.token_key
    assert datetime.datetime.fromisoformat(body["expiry"]) == token.expiry
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
    assert not ApiToken.objects.filter(user=library_admin).exists()


def test_missing_fields_are_named(api):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_revoking_the_token_logs_this_device_out(library_api, library_admin):
    other_device = token_for(library_admin)
    assert library_api.get("/api/v1/me/").status_code == 200
    assert library_api.delete("/api/v1/auth/token/").status_code == 204
    assert library_api.get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.filter(user=library_admin).count() == 1
    library_api.credentials(HTTP_AUTHORIZATION=f"Token {other_device}")
    assert library_api.get("/api/v1/me/").status_code == 200


def login(api, user, device=""):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": TEST_PASSWORD, "device": device},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def as_token(api, key):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_each_login_is_a_device_listed_and_revocable_alone(api, library_admin, other_library_admin):
    phone = login(api, library_admin, "Téléphone")
    laptop = login(api, library_admin, "Portable")
    stranger = login(api, other_library_admin)
    assert phone["token"] != laptop["token"]
    listed = as_token(api, laptop["token"]).get("/api/v1/auth/tokens/").json()
    assert [(t["id"], t["device"], t["current"]) for t in listed] == [
        (laptop["id"], "Portable", True),
        (phone["id"], "Téléphone", False),
    ]
    # another user's token cannot be revoked by its id: 404, and it still works
    assert api.delete(f"/api/v1/auth/tokens/{stranger['id']}/").status_code == 404
    assert as_token(api, stranger["token"]).get("/api/v1/me/").status_code == 200
    # log the phone out from the laptop
    assert (
        as_token(api, laptop["token"]).delete(f"/api/v1/auth/tokens/{phone['id']}/").status_code
        == 204
    )
    assert as_token(api, phone["token"]).get("/api/v1/me/").status_code == 401
    assert as_token(api, laptop["token"]).get("/api/v1/me/").status_code == 200


def test_logging_out_everywhere_revokes_every_token_of_the_user_only(
    api, library_admin, other_library_admin
):
    keys = [login(api, library_admin)["token"] for _ in range(3)]
    stranger = login(api, other_library_admin)["token"]
    assert as_token(api, keys[0]).delete("/api/v1/auth/tokens/").status_code == 204
    assert [as_token(api, key).get("/api/v1/me/").status_code for key in keys] == [401] * 3
    assert as_token(api, stranger).get("/api/v1/me/").status_code == 200


def test_a_token_expires(api, library_admin, settings):
    body = login(api, library_admin)
    token = ApiToken.objects.get(user=library_admin)
    assert token.expiry == pytest.approx(
        timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        abs=datetime.timedelta(minutes=1),
    )
    as_token(api, body["token"])
    assert api.get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = api.get("/api/v1/me/", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    # the periodic sweep deletes it, and only it
    from accounts.tasks import expired_api_tokens_sweep

    live = token_for(library_admin)
    assert expired_api_tokens_sweep() == 1
    assert list(ApiToken.objects.values_list("digest", flat=True)) == [hash_token(live)]


def test_beyond_the_device_limit_the_oldest_token_is_revoked(api, library_admin, settings):
    settings.API_TOKENS_PER_USER = 3
    keys = [login(api, library_admin)["token"] for _ in range(4)]
    assert ApiToken.objects.filter(user=library_admin).count() == 3
    assert [as_token(api, key).get("/api/v1/me/").status_code for key in keys] == [
        401,
        200,
        200,
        200,
    ]


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
    from accounts.authentication import TokenAuthentication

    token, key = ApiToken.objects.create(user=library_admin, device="tablette")
    with CaptureQueriesContext(connection) as queries:
        user, auth = TokenAuthentication().authenticate_credentials(key.encode())
    assert len(queries) == 1
    assert (user.pk, user.username, user.role, user.institution_id, user.date_joined) == (
        library_admin.pk,
        library_admin.username,
        library_admin.role,
        library_admin.institution_id,
        library_admin.date_joined,
    )
    assert (auth.digest, auth.token_key, auth.user_id, auth.created, auth.expiry, auth.device) == (
        token.digest,
        token.token_key,
        library_admin.pk,
        token.created,
        token.expiry,
        "tablette",
    )
    assert auth.user is user


def test_an_authenticated_request_costs_one_query_for_the_token(library_api):
    """GET /me/ reads the token with its user (one query: no lockout, no knox sweep, no
    write on the way), then the institution's name (the playback start's budget counts on
    the first)."""
    with CaptureQueriesContext(connection) as queries:
        assert library_api.get("/api/v1/me/").status_code == 200
    assert len(queries) == 2
    assert "accounts_apitoken" in queries[0]["sql"]
    assert "institutions_institution" in queries[1]["sql"]


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)  # a schema editor: outside the test transaction
def test_drf_tokens_from_before_the_upgrade_keep_working_until_they_expire(
    api, library_admin, settings
):
    """The migration moves `rest_framework.authtoken`'s keys to knox tokens and drops its
    table (which held them in clear)."""
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("accounts.migrations.0005_move_drf_tokens")
    old_key = "a" * 8 + "0123456789abcdef0123456789abcdef"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY, '
            '"user_id" bigint NOT NULL, "created" timestamp NULL)'
        )
        cursor.execute(
            'INSERT INTO "authtoken_token" ("key", "user_id") VALUES (%s, %s)',
            [old_key, library_admin.pk],
        )
    with connection.schema_editor() as editor:
        migration.move_drf_tokens(django_apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=library_admin)
    assert token.digest == hash_token(old_key)
    assert token.expiry == pytest.approx(
        timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        abs=datetime.timedelta(minutes=1),
    )
    assert as_token(api, old_key).get("/api/v1/me/").json()["id"] == library_admin.pk


@pytest.mark.embedded
def test_session_authentication_for_the_browsable_api(client, library_admin):
    # the login lockout needs a request to count on (django-axes)
    assert client.login(
        request=HttpRequest(), username=library_admin.username, password=TEST_PASSWORD
    )
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
