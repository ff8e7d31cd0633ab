"""Password and PIN guessing: every login route is rate-limited per client address — the
address the trusted proxy count gives, never a header the client writes — and every
account (username, or library card) is locked for a while after repeated failures, even
for the right secret."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from accounts.models import ApiToken
from subscriptions.models import Patron
from subscriptions.services.patrons import patron_register
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 30  # LOGIN_THROTTLE_RATE's default: 30 a minute per address
CARD = "0012345678"
PIN = "482193"


@pytest.fixture
def card_patron(library):
    return patron_register(institution=library, card=CARD, pin=PIN)


def attempt(client, route, library, i, *, username="nobody", password="wrong", **headers):  # noqa: S107
    """One failed login on `route`, as the i-th distinct account (so that no account
    lockout gets in the way of the address's rate limit)."""
    if route == "token":
        return client.post(
            "/api/v1/auth/token/",
            {"username": f"{username}-{i}", "password": password},
            content_type="application/json",
            **headers,
        )
    if route == "card":
        return client.post(
            "/api/v1/patrons/login/",
            {"institution": library.code, "card": f"C-{i}", "pin": "000000"},
            content_type="application/json",
            **headers,
        )
    if route == "link":
        return client.post(
            "/api/v1/patrons/link-login/",
            {
                "institution": library.code,
                "card": f"C-{i}",
                "expires": 1,
                "nonce": f"nonce-{i:04d}",
                "signature": "0" * 64,
            },
            content_type="application/json",
            **headers,
        )
    path = {"admin": "/admin/login/", "api-auth": "/api-auth/login/"}[route]
    return client.post(path, {"username": f"{username}-{i}", "password": password}, **headers)


ROUTES = ["token", "card", "link", "admin", "api-auth"]


# --- the rate limit per address -------------------------------------------------------------
@pytest.mark.parametrize("route", ROUTES)
def test_a_forwarded_for_header_written_by_the_client_does_not_dodge_the_rate_limit(route, library):
    """No proxy is trusted (TRUSTED_PROXY_COUNT=0): the address is the socket's, whatever
    X-Forwarded-For says."""
    client = Client()
    statuses = [
        attempt(client, route, library, i, HTTP_X_FORWARDED_FOR=f"10.0.{i}.1").status_code
        for i in range(LIMIT + 3)
    ]
    assert 429 not in statuses[:LIMIT]
    assert statuses[LIMIT:] == [429] * 3


def test_behind_one_proxy_only_the_entry_it_appended_counts(settings, library):
    """TRUSTED_PROXY_COUNT=1: varying the entries before the proxy's changes nothing; the
    address the proxy saw is the client."""
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="172.18.0.2")  # the proxy
    statuses = [
        attempt(
            client, "token", library, i, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.7"
        ).status_code
        for i in range(LIMIT + 2)
    ]
    assert statuses[:LIMIT] == [400] * LIMIT
    assert statuses[LIMIT:] == [429, 429]
    # another client behind the same proxy is not slowed down
    other = attempt(client, "token", library, 99, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 400


def test_every_login_route_draws_on_the_same_allowance(library):
    client = Client()
    for i in range(LIMIT):
        assert attempt(client, ROUTES[i % len(ROUTES)], library, i).status_code != 429
    response = attempt(client, "token", library, LIMIT)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


# --- the lockout per account ----------------------------------------------------------------
def token_login(client, username, password, **headers):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        **headers,
    )


def test_an_account_is_locked_after_five_failures_even_for_the_right_password(
    library_admin, editor, settings
):
    client = Client()
    # from five addresses (behind a trusted proxy): the count is the account's
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        token_login(
            client, library_admin.username, f"guess-{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"
        ).status_code
        for i in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    right = token_login(client, library_admin.username, TEST_PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert right.status_code == 429
    assert right.json()["code"] == "login_locked"
    assert right.json()["detail"].startswith("Too many failed logins")
    assert int(right["Retry-After"]) == settings.LOGIN_LOCKOUT_MINUTES * 60
    assert not ApiToken.objects.filter(user=library_admin).exists()
    # another account from the same address is not locked
    assert token_login(client, editor.username, TEST_PASSWORD).status_code == 200


def test_the_lockout_message_is_french_by_default(library_admin):
    client = Client()
    for i in range(5):
        token_login(client, library_admin.username, f"guess-{i}")
    response = token_login(client, library_admin.username, TEST_PASSWORD)
    assert response.json()["code"] == "login_locked"
    assert response.json()["detail"].startswith("Trop de connexions échouées")


def test_a_success_resets_the_count(library_admin):
    client = Client()
    for i in range(4):
        assert token_login(client, library_admin.username, f"guess-{i}").status_code == 400
    assert token_login(client, library_admin.username, TEST_PASSWORD).status_code == 200
    for i in range(4):
        assert token_login(client, library_admin.username, f"again-{i}").status_code == 400
    assert token_login(client, library_admin.username, TEST_PASSWORD).status_code == 200


@pytest.mark.parametrize("path", ["/admin/login/", "/api-auth/login/"])
def test_the_session_login_forms_lock_the_account_too(editor, path):
    client = Client()
    for i in range(5):
        response = client.post(path, {"username": editor.username, "password": f"guess-{i}"})
        assert "_auth_user_id" not in client.session
    assert response.status_code == 429
    right = client.post(path, {"username": editor.username, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # the page says why, in French by default
    assert "Compte verrouillé" in right.content.decode()


def test_an_unlocked_admin_login_still_works(editor):
    client = Client()
    response = client.post(
        "/admin/login/", {"username": editor.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


# --- library cards -------------------------------------------------------------------------
def card_login(client, library, card=CARD, pin=PIN, **headers):
    return client.post(
        "/api/v1/patrons/login/",
        {"institution": library.code, "card": card, "pin": pin},
        content_type="application/json",
        **headers,
    )


def test_a_card_is_locked_for_a_day_after_five_wrong_pins(library, card_patron, settings, caplog):
    client = Client()
    caplog.set_level(logging.INFO)
    statuses = [card_login(client, library, pin=f"00000{i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    right = card_login(client, library)
    assert right.status_code == 429
    assert right.json()["code"] == "login_locked"
    assert int(right["Retry-After"]) == settings.CARD_LOCKOUT_HOURS * 3600 == 86_400
    assert not ApiToken.objects.filter(user=card_patron.user).exists()
    # the card number is never logged (pseudonymity): only a keyed digest names the card
    assert CARD not in caplog.text


def test_an_unregistered_card_locks_the_same_way(library, card_patron):
    """Otherwise the lockout would tell which card numbers are registered."""
    client = Client()
    statuses = [card_login(client, library, card="9999999999").status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    # the registered card is not affected
    assert card_login(client, library).status_code == 200


def test_the_library_staff_unlock_a_card(api, library, library_api, other_library_api, card_patron):
    client = Client()
    for i in range(5):
        card_login(client, library, pin=f"00000{i}")
    assert card_login(client, library).status_code == 429
    # another library's staff cannot (their unlock is for their own cards)
    assert other_library_api.post("/api/v1/patrons/unlock/", {"card": CARD}).status_code == 204
    assert card_login(client, library).status_code == 429
    # patrons cannot
    assert api.post("/api/v1/patrons/unlock/", {"card": CARD}).status_code == 401
    assert library_api.post("/api/v1/patrons/unlock/", {"card": f" {CARD} "}).status_code == 204
    response = card_login(client, library)
    assert response.status_code == 200, response.content
    assert response.json()["patron"] == card_patron.pk


def test_a_patron_s_pin_is_not_a_password_on_the_username_routes(card_patron):
    """A card's PIN can only be tried under the card's lockout, not under the (shorter)
    password lockout by someone who learnt the patron's pseudonym."""
    client = Client()
    pseudonym = card_patron.user.username
    response = token_login(client, pseudonym, PIN)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    for path in ("/admin/login/", "/api-auth/login/"):
        client.post(path, {"username": pseudonym, "password": PIN})
        assert "_auth_user_id" not in client.session
    assert not ApiToken.objects.exists()
    assert Patron.objects.get().user.last_login is None
