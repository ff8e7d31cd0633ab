"""The back office's patron pages: register a patron (the PIN shown once, in the answer
only), find one by card, a new PIN, the data export, the erasure (the card no longer
signs in); the portal key for administrators; nothing of another library."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from subscriptions.models import Patron, PortalKey
from subscriptions.pins import pin_refusal
from subscriptions.services.patrons import patron_register
from tests.factories import UserFactory
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db

CARD, PIN = "0012345678", "482193"


def post(client, url, data, *, token_from=None):
    token = csrf_of(client, token_from or url)
    return client.post(url, {"csrfmiddlewaretoken": token, **data})


def shown_secret(response) -> str:
    found = re.search(r'<code id="shown-secret">([^<]+)</code>', response.content.decode())
    assert found, response.content.decode()[-3000:]
    return found.group(1)


def card_sign_in(library, card, pin):
    client = Client(enforce_csrf_checks=True)
    return post(client, "/connexion/", {"bib": library.code, "card-card": card, "card-pin": pin})


def test_a_registration_shows_a_drawn_pin_once_and_the_patron_signs_in(staff_web, library):
    response = post(staff_web, "/bibliotheque/usagers/", {"card": CARD, "home_area": "69"})
    assert response.status_code == 201
    assert response["Cache-Control"].startswith("max-age=0")  # never cached
    pin = shown_secret(response)
    assert pin_refusal(pin) is None
    patron = Patron.objects.get(institution=library)
    assert patron.home_area == "69"
    assert card_sign_in(library, CARD, pin).status_code == 302
    # the PIN is in no later page
    assert pin not in staff_web.get("/bibliotheque/usagers/").content.decode()
    assert pin not in staff_web.get(f"/bibliotheque/usagers/{patron.pk}/").content.decode()


def test_a_refused_registration_says_why_on_its_field(staff_web, library):
    patron_register(institution=library, card=CARD, pin=PIN)
    taken = post(staff_web, "/bibliotheque/usagers/", {"card": CARD})
    assert taken.status_code == 409
    page = taken.content.decode()
    assert 'id="id_card-error"' in page and "Cette carte est déjà inscrite" in page
    weak = post(staff_web, "/bibliotheque/usagers/", {"card": "99", "pin": "123456"})
    assert weak.status_code == 400
    assert 'id="id_pin-error"' in weak.content.decode()
    area = post(staff_web, "/bibliotheque/usagers/", {"card": "98", "home_area": "ZZZ"})
    assert area.status_code == 400 and 'id="id_home_area-error"' in area.content.decode()
    assert Patron.objects.count() == 1


def test_a_patron_is_found_by_card_and_another_librarys_is_not(staff_web, library, other_library):
    mine = patron_register(institution=library, card=CARD, pin=PIN)
    theirs = patron_register(institution=other_library, card="777", pin=PIN)
    found = staff_web.get("/bibliotheque/usagers/", {"card": CARD})
    assert found.status_code == 302 and found["Location"] == f"/bibliotheque/usagers/{mine.pk}/"
    missing = staff_web.get("/bibliotheque/usagers/", {"card": "777"})
    assert "Aucun usager de votre bibliothèque" in missing.content.decode()
    assert staff_web.get(f"/bibliotheque/usagers/{theirs.pk}/").status_code == 404
    assert staff_web.get(f"/bibliotheque/usagers/{theirs.pk}/donnees").status_code == 404
    assert theirs.user.username not in staff_web.get("/bibliotheque/usagers/").content.decode()
    erase = post(
        staff_web,
        f"/bibliotheque/usagers/{theirs.pk}/",
        {"action": "erase", "confirm": "on"},
        token_from="/bibliotheque/usagers/",
    )
    assert erase.status_code == 404
    theirs.refresh_from_db()
    assert theirs.erased_at is None


def test_a_new_pin_replaces_the_old_one(staff_web, library):
    patron = patron_register(institution=library, card=CARD, pin=PIN)
    url = f"/bibliotheque/usagers/{patron.pk}/"
    response = post(staff_web, url, {"action": "pin"})
    assert response.status_code == 200
    new_pin = shown_secret(response)
    assert new_pin != PIN
    assert card_sign_in(library, CARD, PIN).status_code == 200  # refused: the form again
    assert card_sign_in(library, CARD, new_pin).status_code == 302
    weak = post(staff_web, url, {"action": "pin", "pin": "111111"})
    assert weak.status_code == 400 and 'id="id_pin-error"' in weak.content.decode()


def test_the_export_is_the_patrons_data_as_a_file(staff_web, library):
    patron = patron_register(institution=library, card=CARD, pin=PIN, home_area="69")
    response = staff_web.get(f"/bibliotheque/usagers/{patron.pk}/donnees")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["pseudonym"] == patron.user.username and data["home_area"] == "69"
    assert CARD not in response.content.decode()


def test_an_erasure_needs_the_confirmation_then_the_card_no_longer_signs_in(staff_web, library):
    patron = patron_register(institution=library, card=CARD, pin=PIN)
    url = f"/bibliotheque/usagers/{patron.pk}/"
    unconfirmed = post(staff_web, url, {"action": "erase"})
    assert (
        unconfirmed.status_code == 400 and 'id="id_confirm-error"' in unconfirmed.content.decode()
    )
    patron.refresh_from_db()
    assert patron.erased_at is None
    done = post(staff_web, url, {"action": "erase", "confirm": "on"})
    assert done.status_code == 302
    patron.refresh_from_db()
    assert patron.erased_at is not None
    assert card_sign_in(library, CARD, PIN).status_code == 200
    assert "effacé" in staff_web.get("/bibliotheque/usagers/").content.decode()


def test_the_portal_key_is_an_administrators_and_shown_once(staff_web, library):
    response = post(
        staff_web, "/bibliotheque/usagers/cle-du-portail/", {}, token_from="/bibliotheque/usagers/"
    )
    assert response.status_code == 200
    assert shown_secret(response) == PortalKey.objects.get(institution=library).secret
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert "Générer une nouvelle clé" not in client.get("/bibliotheque/usagers/").content.decode()
    before = PortalKey.objects.get(institution=library).secret
    refused = post(
        client, "/bibliotheque/usagers/cle-du-portail/", {}, token_from="/bibliotheque/usagers/"
    )
    assert refused.status_code == 302
    assert PortalKey.objects.get(institution=library).secret == before
    assert "Seul un administrateur" in client.get(refused["Location"]).content.decode()


def test_the_patron_list_costs_the_same_queries_for_more_patrons(staff_web, library):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_web.get("/bibliotheque/usagers/").status_code == 200
        return len(captured)

    patron_register(institution=library, card="1", pin=PIN)
    few = count()
    for card in ("2", "3", "4"):
        patron_register(institution=library, card=card, pin=PIN)
    assert count() == few


def test_a_locked_card_is_unlocked_by_the_staff(staff_web, library, settings):
    patron_register(institution=library, card=CARD, pin=PIN)
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        card_sign_in(library, CARD, "000000")
    assert card_sign_in(library, CARD, PIN).status_code == 429  # locked, even with the PIN
    response = post(
        staff_web,
        "/bibliotheque/usagers/debloquer/",
        {"card": CARD},
        token_from="/bibliotheque/usagers/",
    )
    assert response.status_code == 302
    assert card_sign_in(library, CARD, PIN).status_code == 302
