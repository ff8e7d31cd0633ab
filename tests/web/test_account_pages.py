"""Signing in to the web client: a patron's card and PIN (or their portal's signed link), a
librarian's username and password; the same lockout and throttle as the API's logins;
CSRF on every form; `next` only to this site."""

import time

import pytest
from django.test import Client

from accounts.models import User
from subscriptions.services.patrons import patron_register, portal_key_rotate, portal_link_signature
from tests.factories import TEST_PASSWORD, CinemaStaffFactory
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db

CARD, PIN = "0012345678", "482193"


@pytest.fixture
def registered(library):
    return patron_register(institution=library, card=CARD, pin=PIN, home_area="")


def card_sign_in(client, library, *, pin=PIN, card=CARD, next_url=None, bib=True):
    data = {
        "csrfmiddlewaretoken": csrf_of(client, "/connexion/"),
        "card-card": card,
        "card-pin": pin,
    }
    if bib:
        data["bib"] = library.code
    else:
        data["card-library_code"] = library.code
    if next_url:
        data["next"] = next_url
    return client.post("/connexion/", data)


@pytest.mark.embedded
def test_a_patron_signs_in_with_card_and_pin_and_goes_back_to_the_film(web, library, registered):
    response = card_sign_in(web, library, next_url="/films/CN-00001")
    assert response.status_code == 302
    assert response["Location"] == "/films/CN-00001"
    assert web.get("/mon-espace/").status_code == 200


def test_the_library_may_also_be_typed(web, library, registered):
    assert card_sign_in(web, library, bib=False).status_code == 302


def test_a_wrong_pin_says_so_in_place_and_signs_nobody_in(web, library, registered):
    response = card_sign_in(web, library, pin="000000")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Carte inconnue ou code PIN incorrect pour cette bibliothèque." in page
    assert 'role="alert"' in page
    assert PIN not in page  # the PIN typed is never shown back
    assert web.get("/mon-espace/").status_code == 302


def test_a_card_is_locked_after_repeated_failures_even_with_the_right_pin(
    web, library, registered, settings
):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        card_sign_in(web, library, pin="000000")
    response = card_sign_in(web, library)
    assert response.status_code == 429  # the sign-in page, saying why
    assert "fr-header" in response.content.decode()
    assert "verrouillé" in response.content.decode()  # French by default
    assert web.get("/mon-espace/").status_code == 302


def test_staff_sign_in_and_next_stays_on_this_site(web, library_admin):
    token = csrf_of(web, "/connexion/")
    response = web.post(
        "/connexion/",
        {
            "csrfmiddlewaretoken": token,
            "staff-username": library_admin.username,
            "staff-password": TEST_PASSWORD,
            "next": "https://evil.example/phish",
        },
    )
    assert response.status_code == 302
    # another site's address is ignored: library staff land on their dashboard
    assert response["Location"] == "/bibliotheque/"


def staff_sign_in(client, user, next_url=None):
    data = {
        "csrfmiddlewaretoken": csrf_of(client, "/connexion/"),
        "staff-username": user.username,
        "staff-password": TEST_PASSWORD,
    }
    if next_url is not None:
        data["next"] = next_url
    return client.post("/connexion/", data)


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        (None, "/equipe/redevances/"),  # their working space, not the home page
        ("https://evil.example/phish", "/equipe/redevances/"),  # another site: ignored
        ("//evil.example/phish", "/equipe/redevances/"),
        ("/films/?q=varda", "/films/?q=varda"),  # a page of this site wins
    ],
)
def test_the_cinema_staff_land_on_the_royalties_pages_unless_next_says_where(
    web, editor, next_url, lands_on
):
    response = staff_sign_in(web, editor, next_url)
    assert response.status_code == 302
    assert response["Location"] == lands_on
    assert web.get("/equipe/redevances/").status_code == 200  # signed in, and may open it


def test_a_patron_cannot_use_the_staff_form(web, library, registered):
    token = csrf_of(web, "/connexion/")
    response = web.post(
        "/connexion/",
        {
            "csrfmiddlewaretoken": token,
            "staff-username": registered.user.username,
            "staff-password": PIN,
        },
    )
    assert response.status_code == 200
    assert web.get("/mon-espace/").status_code == 302


def test_forms_refuse_a_post_without_the_csrf_token(web, library, registered):
    response = web.post("/connexion/", {"bib": library.code, "card-card": CARD, "card-pin": PIN})
    assert response.status_code == 403


def test_sign_in_attempts_are_throttled_per_address(web, library, registered):
    """LOGIN_THROTTLE_RATE (30 a minute) is shared with the API's logins; each attempt here
    names another card, so no card's lockout comes first."""
    token = csrf_of(web, "/connexion/")
    statuses = [
        web.post(
            "/connexion/",
            {"csrfmiddlewaretoken": token, "bib": library.code, "card-card": f"77{n:04d}",
             "card-pin": "000000"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",  # a header the client writes changes nothing
        ).status_code
        for n in range(31)
    ]  # fmt: skip
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_the_portals_signed_link_signs_in_once(web, library):
    key = portal_key_rotate(institution=library)
    expires = int(time.time()) + 60
    nonce = "n-1"
    signature = portal_link_signature(
        secret=key.secret, institution_code=library.code, card=CARD, expires=expires, nonce=nonce
    )
    query = {
        "institution": library.code,
        "card": CARD,
        "expires": expires,
        "nonce": nonce,
        "signature": signature,
        "next": "/films/",
    }
    response = web.get("/connexion/lien/", query)
    assert response.status_code == 302 and response["Location"] == "/films/"
    assert web.get("/mon-espace/").status_code == 200
    replayed = Client().get("/connexion/lien/", query)
    assert replayed.status_code == 401
    assert "déjà été utilisé" in replayed.content.decode()


def test_sign_out_is_a_post(patron_web):
    assert patron_web.get("/deconnexion/").status_code == 405
    token = csrf_of(patron_web, "/")
    assert patron_web.post("/deconnexion/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert patron_web.get("/mon-espace/").status_code == 302


def test_a_rights_negotiator_lands_on_the_royalties_pages_too(web):
    negotiator = CinemaStaffFactory(role=User.Role.RIGHTS_NEGOTIATOR)
    response = staff_sign_in(web, negotiator)
    assert response.status_code == 302 and response["Location"] == "/equipe/redevances/"
