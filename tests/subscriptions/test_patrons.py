"""Patrons: pseudonymous registration, login by card and PIN or by a portal's signed
link (short-lived, single use), data export and erasure."""

import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from accounts.models import ApiToken, User
from backend.errors import ApplicationError
from subscriptions.models import Patron
from subscriptions.pins import pin_generate, pin_refusal
from subscriptions.services.patrons import (
    card_digest,
    patron_erase,
    patron_pin_reset,
    patron_register,
    portal_link_signature,
)
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def register(client, card="0012345678", pin="482193", **extra):
    return client.post("/api/v1/patrons/", {"card": card, "pin": pin, **extra}, format="json")


def test_register_is_pseudonymous(library_api, library):
    response = register(library_api, home_area="69")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pseudonym"].startswith("patron-")
    patron = Patron.objects.get(pk=body["id"])
    assert "0012345678" not in patron.card_digest
    assert patron.card_digest == card_digest(institution=library, card="0012345678")
    user = patron.user
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert user.role == User.Role.PATRON and user.institution == library


@pytest.mark.parametrize(("pin", "field"), [("12", "pin"), ("abcd", "pin"), ("123456789", "pin")])
def test_bad_pin_is_refused(library_api, pin, field):
    response = register(library_api, pin=pin)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Patron.objects.exists()


def test_same_card_twice_is_a_conflict(library_api):
    register(library_api)
    response = register(library_api, card=" 0012345678 ")
    assert response.status_code == 409
    assert response.json()["code"] == "card_already_registered"
    assert Patron.objects.count() == 1


def test_patrons_cannot_register_patrons(patron_api):
    assert register(patron_api).status_code == 403


@pytest.mark.embedded
def test_login_with_card_and_pin(api, library_api, library):
    register(library_api)
    response = api.post(
        "/api/v1/patrons/login/",
        {"institution": library.code, "card": "0012345678", "pin": "482193"},
        format="json",
    )
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["role"] == "patron"


@pytest.mark.parametrize(
    "payload",
    [
        {"card": "0012345678", "pin": "000000"},
        {"card": "9999999999", "pin": "482193"},
    ],
)
def test_wrong_card_or_pin_is_401(api, library_api, library, payload):
    register(library_api)
    response = api.post(
        "/api/v1/patrons/login/", {"institution": library.code, **payload}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_patron_login"


class CountingHasher(MD5PasswordHasher):
    """The test settings' hasher, counting the PINs it hashes."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize(
    "payload",
    [
        {"card": "0012345678", "pin": "000000"},  # a registered card, a wrong PIN
        {"card": "9999999999", "pin": "482193"},  # no such card
        {"card": "0012345678", "pin": "482193", "institution": "NO-SUCH-LIBRARY"},
    ],
)
def test_an_unknown_card_costs_the_same_pin_hashing_as_a_wrong_pin(
    api, library_api, library, settings, payload
):
    """Otherwise the answer's timing would tell whether a card is registered."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    register(library_api)
    CountingHasher.calls = 0
    response = api.post(
        "/api/v1/patrons/login/", {"institution": library.code, **payload}, format="json"
    )
    assert response.status_code == 401
    assert CountingHasher.calls == 1


@pytest.fixture
def portal_secret(library_api, library):
    response = library_api.post(f"/api/v1/institutions/{library.pk}/portal-key/")
    assert response.status_code == 201
    return response.json()["secret"]


def signed_link(secret, library, card="CARD-77", expires=None, nonce="nonce-0001"):
    expires = expires if expires is not None else int(time.time()) + 120
    return {
        "institution": library.code,
        "card": card,
        "expires": expires,
        "nonce": nonce,
        "signature": portal_link_signature(
            secret=secret, institution_code=library.code, card=card, expires=expires, nonce=nonce
        ),
    }


def test_signed_link_logs_in_once_and_registers_the_patron(api, library, portal_secret):
    link = signed_link(portal_secret, library)
    first = api.post("/api/v1/patrons/link-login/", link, format="json")
    assert first.status_code == 200, first.content
    assert Patron.objects.filter(institution=library).count() == 1
    replay = api.post("/api/v1/patrons/link-login/", link, format="json")
    assert replay.status_code == 401
    assert replay.json()["code"] == "link_replayed"
    second = api.post(
        "/api/v1/patrons/link-login/",
        signed_link(portal_secret, library, nonce="nonce-0002"),
        format="json",
    )
    assert second.status_code == 200
    assert second.json()["patron"] == first.json()["patron"]  # same card, same patron


def test_expired_or_too_long_links_are_401(api, library, portal_secret):
    past = signed_link(portal_secret, library, expires=int(time.time()) - 1)
    assert (
        api.post("/api/v1/patrons/link-login/", past, format="json").json()["code"]
        == "link_expired"
    )
    far = signed_link(portal_secret, library, expires=int(time.time()) + 3600, nonce="nonce-far")
    response = api.post("/api/v1/patrons/link-login/", far, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "link_expired"
    assert not Patron.objects.exists()


def test_tampered_link_is_401(api, library, portal_secret):
    link = signed_link(portal_secret, library)
    link["card"] = "SOMEONE-ELSE"
    response = api.post("/api/v1/patrons/link-login/", link, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "link_invalid"
    assert not Patron.objects.exists()


def test_rotating_the_key_invalidates_old_links(api, library_api, library, portal_secret):
    link = signed_link(portal_secret, library)
    library_api.post(f"/api/v1/institutions/{library.pk}/portal-key/")
    assert api.post("/api/v1/patrons/link-login/", link, format="json").status_code == 401


def test_only_the_institution_admin_sets_the_portal_key(library, other_library_api):
    member = client_for(UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library))
    assert member.post(f"/api/v1/institutions/{library.pk}/portal-key/").status_code == 403
    assert (
        other_library_api.post(f"/api/v1/institutions/{library.pk}/portal-key/").status_code == 404
    )


def test_export_and_erase(api, library_api, library):
    patron_id = register(library_api, home_area="69").json()["id"]
    exported = library_api.get(f"/api/v1/patrons/{patron_id}/export/").json()
    assert exported["home_area"] == "69"
    assert "0012345678" not in str(exported)
    erased = library_api.post(f"/api/v1/patrons/{patron_id}/erase/")
    assert erased.status_code == 200
    assert erased.json()["pseudonym"] == f"erased-{Patron.objects.get(pk=patron_id).user_id}"
    login = api.post(
        "/api/v1/patrons/login/",
        {"institution": library.code, "card": "0012345678", "pin": "482193"},
        format="json",
    )
    assert login.status_code == 401
    # the card can be registered again as a new, unrelated patron
    assert register(library_api).status_code == 201


def test_another_library_cannot_see_or_erase_my_patrons(library_api, other_library_api):
    patron_id = register(library_api).json()["id"]
    assert other_library_api.get(f"/api/v1/patrons/{patron_id}/").status_code == 404
    assert other_library_api.get(f"/api/v1/patrons/{patron_id}/export/").status_code == 404
    assert other_library_api.post(f"/api/v1/patrons/{patron_id}/erase/").status_code == 404
    assert other_library_api.get("/api/v1/patrons/").json()["count"] == 0
    assert Patron.objects.get(pk=patron_id).erased_at is None


# --- the card pepper: a secret of its own, changeable without losing patrons ---------------
OLD_PEPPER = "old-pepper-" + "o" * 50
NEW_PEPPER = "new-pepper-" + "n" * 50


def card_login(api, library, card="0012345678", pin="482193"):
    return api.post(
        "/api/v1/patrons/login/",
        {"institution": library.code, "card": card, "pin": pin},
        format="json",
    )


def test_the_card_digest_is_keyed_by_the_pepper_not_the_secret_key(
    api, library_api, library, settings
):
    settings.PATRON_CARD_PEPPER = OLD_PEPPER
    patron_id = register(library_api).json()["id"]
    expected = card_digest(institution=library, card="0012345678", pepper=OLD_PEPPER)
    assert Patron.objects.get(pk=patron_id).card_digest == expected
    settings.SECRET_KEY = "another-secret-key-" + "s" * 50  # rotating it loses no card
    assert card_login(api, library).status_code == 200


def test_a_new_pepper_finds_the_cards_of_the_old_one_and_rekeys_them_at_login(
    api, library_api, library, settings
):
    settings.PATRON_CARD_PEPPER = OLD_PEPPER
    patron_id = register(library_api).json()["id"]
    settings.PATRON_CARD_PEPPER = NEW_PEPPER
    settings.PATRON_CARD_PEPPER_FALLBACKS = []
    assert card_login(api, library).status_code == 401  # without the fallback: lost
    settings.PATRON_CARD_PEPPER_FALLBACKS = [OLD_PEPPER]
    # the same card cannot be registered twice meanwhile
    assert register(library_api).status_code == 409
    response = card_login(api, library)
    assert response.status_code == 200, response.content
    assert response.json()["patron"] == patron_id
    assert Patron.objects.get(pk=patron_id).card_digest == card_digest(
        institution=library, card="0012345678", pepper=NEW_PEPPER
    )
    # re-keyed: the old pepper is no longer needed
    settings.PATRON_CARD_PEPPER_FALLBACKS = []
    assert card_login(api, library).json()["patron"] == patron_id


def test_a_portal_link_rekeys_the_card_too(api, library, portal_secret, settings):
    settings.PATRON_CARD_PEPPER = OLD_PEPPER
    first = api.post(
        "/api/v1/patrons/link-login/", signed_link(portal_secret, library), format="json"
    )
    settings.PATRON_CARD_PEPPER = NEW_PEPPER
    settings.PATRON_CARD_PEPPER_FALLBACKS = [OLD_PEPPER]
    again = api.post(
        "/api/v1/patrons/link-login/",
        signed_link(portal_secret, library, nonce="nonce-0002"),
        format="json",
    )
    assert again.json()["patron"] == first.json()["patron"]
    assert Patron.objects.get().card_digest == card_digest(
        institution=library, card="CARD-77", pepper=NEW_PEPPER
    )


# --- the home area: a department or a commune, nothing else ------------------------------
@pytest.mark.parametrize("area", ["=1+1", "Rennes", "3", "00000", "97011", "35 238", "-2+3"])
def test_a_home_area_that_is_no_code_is_refused_and_nothing_is_written(library_api, area):
    from accounts.models import User
    from subscriptions.models import Patron

    users = User.objects.count()
    response = library_api.post(
        "/api/v1/patrons/",
        {"card": "0042", "pin": "482193", "home_area": area},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["home_area"] == [
        {
            "code": "invalid_home_area",
            "message": "Give a department code (35, 2A, 974) or a commune's INSEE code (35238).",
        }
    ]
    assert not Patron.objects.exists() and User.objects.count() == users


@pytest.mark.parametrize(
    ("area", "kept"),
    [("35", "35"), ("2a", "2A"), ("974", "974"), ("35238", "35238"), ("2B033", "2B033"), ("", "")],
)
def test_department_and_commune_codes_are_accepted(library_api, area, kept):
    response = library_api.post(
        "/api/v1/patrons/", {"card": "0042", "pin": "482193", "home_area": area}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["home_area"] == kept


def test_the_service_refuses_it_too(library):
    from django.core.exceptions import ValidationError

    from subscriptions.services.patrons import patron_register

    with pytest.raises(ValidationError):
        patron_register(institution=library, card="0042", pin="482193", home_area="=1+1")


def test_a_new_pin_replaces_the_old_one_and_revokes_the_tokens(library):
    patron = patron_register(institution=library, card="C-1", pin="482193")
    ApiToken.objects.create(user=patron.user)
    new_pin = pin_generate()
    assert pin_refusal(new_pin) is None
    patron_pin_reset(patron=patron, pin=new_pin)
    patron.user.refresh_from_db()
    assert patron.user.check_password(new_pin) and not patron.user.check_password("482193")
    assert not ApiToken.objects.filter(user=patron.user).exists()
    with pytest.raises(ApplicationError) as refused:
        patron_pin_reset(patron=patron, pin="123456")
    assert refused.value.field == "pin"
    patron_erase(patron=patron)
    with pytest.raises(ApplicationError) as erased:
        patron_pin_reset(patron=patron, pin=pin_generate())
    assert erased.value.code == "patron_erased"
