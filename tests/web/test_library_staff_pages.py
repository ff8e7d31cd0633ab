"""The back office's staff accounts pages and the password pages: an administrator
invites a colleague (errors in place), changes a role, deactivates an account; a member
reads only; nothing of another library; the e-mailed link opens a page to choose a
password, once; a forgotten password is asked for without telling who has an account."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import UserFactory
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.django_db


def post(client, url, data, *, token_from=None):
    """A form's POST with the CSRF token a page gave (`token_from`, else the same URL)."""
    token = csrf_of(client, token_from or url)
    return client.post(url, {"csrfmiddlewaretoken": token, **data})


def link_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def test_visitors_go_to_sign_in_and_patrons_are_refused(web, patron_web):
    response = web.get("/bibliotheque/equipe/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/?next=")
    refused = patron_web.get("/bibliotheque/equipe/")
    assert refused.status_code == 403
    assert "Réservé au personnel des bibliothèques" in refused.content.decode()


def test_an_admin_invites_a_colleague_who_chooses_a_password_and_signs_in(
    staff_web, library, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            staff_web,
            "/bibliotheque/equipe/",
            {
                "email": "claire@mediatheque.example",
                "role": "institution_member",
                "first_name": "Claire",
                "last_name": "Dupont",
            },
        )
    assert response.status_code == 302
    page = staff_web.get("/bibliotheque/equipe/").content.decode()
    assert "Invitation envoyée à claire@mediatheque.example" in page
    assert "Claire Dupont" in page and "Invitation en attente" in page
    assert len(mail.outbox) == 1
    path = link_path(mail.outbox[0])
    assert path.startswith("/bibliotheque/invitation/")

    newcomer = Client(enforce_csrf_checks=True)
    opened = newcomer.get(path)
    assert opened.status_code == 200
    assert "Bienvenue : choisissez votre mot de passe" in opened.content.decode()
    differ = post(newcomer, path, {"password1": "un-long-mot-de-passe", "password2": "autre"})
    assert differ.status_code == 400
    assert "Les deux mots de passe diffèrent." in differ.content.decode()
    short = post(newcomer, path, {"password1": "court", "password2": "court"})
    assert short.status_code == 400
    assert 'id="id_password1-error"' in short.content.decode()  # the rule's refusal, in place
    done = post(
        newcomer, path, {"password1": "un-long-mot-de-passe", "password2": "un-long-mot-de-passe"}
    )
    assert done.status_code == 302 and done["Location"].startswith("/connexion/")
    spent = newcomer.get(path)
    assert spent.status_code == 400
    assert "Ce lien ne fonctionne plus" in spent.content.decode()

    signed_in = post(
        newcomer,
        "/connexion/",
        {"staff-username": "claire@mediatheque.example", "staff-password": "un-long-mot-de-passe"},
    )
    assert signed_in.status_code == 302
    assert newcomer.get("/bibliotheque/equipe/").status_code == 200


def test_an_invitation_refused_shows_its_reason_on_the_field(
    staff_web, library, other_library_admin
):
    other_library_admin.email = "pris@example.org"
    other_library_admin.save()
    response = post(
        staff_web,
        "/bibliotheque/equipe/",
        {"email": "pris@example.org", "role": "institution_admin"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="id_email-error"' in page
    assert "Un compte utilise déjà cette adresse électronique." in page
    bad = post(staff_web, "/bibliotheque/equipe/", {"email": "pas une adresse", "role": "x"})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert 'id="id_email-error"' in page and 'id="id_role-error"' in page


def test_english_pages_say_the_same_in_english(staff_web, library, other_library_admin):
    other_library_admin.email = "taken@example.org"
    other_library_admin.save()
    staff_web.cookies["django_language"] = "en"
    response = post(
        staff_web,
        "/bibliotheque/equipe/",
        {"email": "taken@example.org", "role": "institution_admin"},
    )
    assert "An account already uses this e-mail address." in response.content.decode()


def test_a_member_reads_the_list_without_the_forms(library, library_admin):
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get("/bibliotheque/equipe/").content.decode()
    assert library_admin.username in page and 'id="staff-invite"' not in page
    detail = client.get(f"/bibliotheque/equipe/{library_admin.pk}/").content.decode()
    assert 'id="staff-role"' not in detail
    refused = post(client, f"/bibliotheque/equipe/{library_admin.pk}/", {"action": "deactivate"})
    assert refused.status_code == 302
    library_admin.refresh_from_db()
    assert library_admin.is_active
    assert "Seul un administrateur" in client.get(refused["Location"]).content.decode()


def test_another_librarys_account_is_not_found(staff_web, other_library_admin, patron):
    assert staff_web.get(f"/bibliotheque/equipe/{other_library_admin.pk}/").status_code == 404
    assert staff_web.get(f"/bibliotheque/equipe/{patron.pk}/").status_code == 404
    response = post(
        staff_web,
        f"/bibliotheque/equipe/{other_library_admin.pk}/",
        {"action": "deactivate"},
        token_from="/bibliotheque/equipe/",
    )
    assert response.status_code == 404
    other_library_admin.refresh_from_db()
    assert other_library_admin.is_active
    assert (
        other_library_admin.username not in staff_web.get("/bibliotheque/equipe/").content.decode()
    )


def test_an_admin_changes_a_role_and_deactivates_but_not_their_own(
    staff_web, library, library_admin
):
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    url = f"/bibliotheque/equipe/{member.pk}/"
    assert post(staff_web, url, {"action": "role", "role": "institution_admin"}).status_code == 302
    member.refresh_from_db()
    assert member.is_institution_admin
    assert post(staff_web, url, {"action": "deactivate"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert "Désactivé" in staff_web.get(url).content.decode()
    own = staff_web.get(f"/bibliotheque/equipe/{library_admin.pk}/").content.decode()
    assert 'id="staff-role"' not in own  # no form for one's own account
    refused = post(
        staff_web,
        f"/bibliotheque/equipe/{library_admin.pk}/",
        {"action": "role", "role": "institution_member"},
    )
    assert refused.status_code == 409
    assert "Vous ne pouvez pas changer votre propre rôle" in refused.content.decode()


def test_the_forgotten_password_page_tells_nobody_who_has_an_account(
    web, library_admin, django_capture_on_commit_callbacks
):
    library_admin.email = "admin@mediatheque.example"
    library_admin.save()
    assert "Mot de passe oublié ?" in web.get("/connexion/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        known = post(web, "/connexion/mot-de-passe/", {"email": "admin@mediatheque.example"})
        unknown = post(web, "/connexion/mot-de-passe/", {"email": "personne@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/connexion/mot-de-passe/envoye/"
    assert len(mail.outbox) == 1
    path = link_path(mail.outbox[0])
    assert path.startswith("/connexion/mot-de-passe/")
    done = post(
        web, path, {"password1": "nouveau-mot-de-passe", "password2": "nouveau-mot-de-passe"}
    )
    assert done.status_code == 302
    library_admin.refresh_from_db()
    assert library_admin.check_password("nouveau-mot-de-passe")


def test_the_staff_page_costs_the_same_queries_for_more_accounts(staff_web, library):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_web.get("/bibliotheque/equipe/").status_code == 200
        return len(captured)

    few = count()
    UserFactory.create_batch(4, role=User.Role.INSTITUTION_MEMBER, institution=library)
    assert count() == few


def test_a_pending_invitation_is_sent_again_from_the_page(
    staff_web, library, django_capture_on_commit_callbacks
):
    pending = User.objects.create(
        username="p@example.org",
        email="p@example.org",
        role="institution_member",
        institution=library,
    )
    pending.set_unusable_password()
    pending.save()
    url = f"/bibliotheque/equipe/{pending.pk}/"
    assert 'id="staff-resend"' in staff_web.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(staff_web, url, {"action": "resend"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["p@example.org"]]
    assert "/bibliotheque/invitation/" in mail.outbox[0].body
