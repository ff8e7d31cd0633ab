"""Staff accounts through the API: an institution's administrator invites a colleague
(a one-time link by e-mail), changes a role, deactivates an account; members read;
another institution's accounts answer 404; a forgotten password is reset with an
e-mailed link that works once."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken, User
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def link_parts(message) -> tuple[str, str]:
    """The uid and token of the one-time link an e-mail carries."""
    found = re.search(r"/(?:invitation|mot-de-passe)/([^/\s]+)/([^/\s]+)/", message.body)
    assert found, message.body
    return found.group(1), found.group(2)


def staff_url(institution, *rest) -> str:
    tail = "".join(f"{part}/" for part in rest)
    return f"/api/v1/institutions/{institution.pk}/staff/{tail}"


@pytest.mark.embedded
def test_an_admin_invites_a_colleague_who_sets_a_password_once_and_logs_in(
    library_api, library, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = library_api.post(
            staff_url(library),
            {"email": "Claire.Dupont@Mediatheque.example", "role": "institution_member"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["username"] == "claire.dupont@mediatheque.example"
    assert body["invitation_pending"] is True and body["role"] == "institution_member"
    member = User.objects.get(pk=body["id"])
    assert member.institution == library and not member.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claire.dupont@mediatheque.example"]
    uid, token = link_parts(mail.outbox[0])

    confirm = "/api/v1/auth/password-reset/confirm/"
    short = api.post(confirm, {"uid": uid, "token": token, "password": "abc"}, format="json")
    assert short.status_code == 400 and "password" in short.json()["fields"]
    done = api.post(
        confirm, {"uid": uid, "token": token, "password": "un-long-mot-de-passe"}, format="json"
    )
    assert done.status_code == 204
    again = api.post(
        confirm, {"uid": uid, "token": token, "password": "un-autre-mot-de-passe"}, format="json"
    )
    assert again.status_code == 400 and again.json()["code"] == "invalid_link"
    login = api.post(
        "/api/v1/auth/token/",
        {"username": "claire.dupont@mediatheque.example", "password": "un-long-mot-de-passe"},
        format="json",
    )
    assert login.status_code == 200 and login.json()["role"] == "institution_member"


def test_an_address_already_used_is_refused_on_its_field_and_nothing_is_sent(
    library_api, library, other_library_admin
):
    other_library_admin.email = "pris@example.org"
    other_library_admin.save()
    before = User.objects.count()
    response = library_api.post(
        staff_url(library), {"email": "PRIS@example.org", "role": "institution_admin"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken" and "email" in response.json()["fields"]
    assert User.objects.count() == before and mail.outbox == []


@pytest.mark.parametrize(
    "data",
    [
        {"email": "x@example.org", "role": "patron"},
        {"email": "x@example.org", "role": "catalogue_editor"},
        {"email": "not an address", "role": "institution_member"},
        {"role": "institution_member"},
    ],
)
def test_bad_invitations_are_refused_on_their_field(library_api, library, data):
    before = User.objects.count()
    response = library_api.post(staff_url(library), data, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) <= {"email", "role"}
    assert User.objects.count() == before


def test_a_member_reads_the_staff_but_may_not_invite(library, library_admin):
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    client = client_for(member)
    listed = client.get(staff_url(library))
    assert listed.status_code == 200
    assert {row["id"] for row in listed.json()["results"]} == {library_admin.pk, member.pk}
    refused = client.post(
        staff_url(library), {"email": "y@example.org", "role": "institution_member"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_an_administrator"
    assert not User.objects.filter(email="y@example.org").exists()


def test_patrons_are_not_staff_and_another_library_answers_404(
    library, library_api, other_library, other_library_admin, patron
):
    listed = library_api.get(staff_url(library)).json()["results"]
    assert patron.pk not in {row["id"] for row in listed}
    assert library_api.get(staff_url(library, patron.pk)).status_code == 404
    assert library_api.get(staff_url(other_library)).status_code == 404
    assert library_api.get(staff_url(other_library, other_library_admin.pk)).status_code == 404
    # another library's account through one's own institution's path: 404 too
    assert library_api.get(staff_url(library, other_library_admin.pk)).status_code == 404
    response = library_api.post(staff_url(library, other_library_admin.pk, "deactivate"))
    assert response.status_code == 404
    other_library_admin.refresh_from_db()
    assert other_library_admin.is_active


def test_an_admin_changes_a_role_but_not_their_own(library_api, library, library_admin):
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    promoted = library_api.patch(
        staff_url(library, member.pk), {"role": "institution_admin"}, format="json"
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "institution_admin"
    own = library_api.patch(
        staff_url(library, library_admin.pk), {"role": "institution_member"}, format="json"
    )
    assert own.status_code == 409 and own.json()["code"] == "own_account"
    library_admin.refresh_from_db()
    assert library_admin.role == "institution_admin"


def test_the_last_administrator_stays_one(library, library_admin, editor_api):
    """The cinema staff may manage any library's accounts, but not leave it without an
    active administrator."""
    demoted = editor_api.patch(
        staff_url(library, library_admin.pk), {"role": "institution_member"}, format="json"
    )
    assert demoted.status_code == 409 and demoted.json()["code"] == "last_administrator"
    closed = editor_api.post(staff_url(library, library_admin.pk, "deactivate"))
    assert closed.status_code == 409
    library_admin.refresh_from_db()
    assert library_admin.is_active and library_admin.is_institution_admin


def test_a_deactivated_account_cannot_log_in_and_loses_its_tokens(library_api, library, api):
    member = UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library)
    member_api = client_for(member)
    assert member_api.get("/api/v1/me/").status_code == 200
    response = library_api.post(staff_url(library, member.pk, "deactivate"))
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert not ApiToken.objects.filter(user=member).exists()
    assert member_api.get("/api/v1/me/").status_code == 401
    login = api.post(
        "/api/v1/auth/token/", {"username": member.username, "password": "x" * 12}, format="json"
    )
    assert login.status_code == 400
    back = library_api.post(staff_url(library, member.pk, "reactivate"))
    assert back.status_code == 200 and back.json()["is_active"] is True


def test_a_forgotten_password_is_reset_by_email_once(
    api, library_admin, django_capture_on_commit_callbacks
):
    library_admin.email = "admin@mediatheque.example"
    library_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = api.post(
            "/api/v1/auth/password-reset/", {"email": "nobody@example.org"}, format="json"
        )
        known = api.post(
            "/api/v1/auth/password-reset/", {"email": "ADMIN@mediatheque.example"}, format="json"
        )
    assert unknown.status_code == known.status_code == 202  # says nothing about who exists
    assert [m.to for m in mail.outbox] == [["admin@mediatheque.example"]]
    uid, token = link_parts(mail.outbox[0])
    confirm = {"uid": uid, "token": token, "password": "nouveau-mot-de-passe"}
    assert (
        api.post("/api/v1/auth/password-reset/confirm/", confirm, format="json").status_code == 204
    )
    library_admin.refresh_from_db()
    assert library_admin.check_password("nouveau-mot-de-passe")
    bad = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": "zz", "token": "nope", "password": "nouveau-mot-de-passe"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_link"


def test_an_invitation_link_of_a_deactivated_account_no_longer_works(
    library_api, library, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = library_api.post(
            staff_url(library), {"email": "z@example.org", "role": "institution_member"}
        ).json()
    uid, token = link_parts(mail.outbox[0])
    library_api.post(staff_url(library, created["id"], "deactivate"))
    response = api.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "password": "un-long-mot-de-passe"},
        format="json",
    )
    assert response.status_code == 400
    assert not User.objects.get(pk=created["id"]).has_usable_password()


def test_the_staff_list_costs_the_same_queries_for_more_accounts(library, library_admin):
    client = client_for(library_admin)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(staff_url(library)).status_code == 200
        return len(captured)

    few = count()
    UserFactory.create_batch(5, role=User.Role.INSTITUTION_MEMBER, institution=library)
    assert count() == few


def test_an_address_taken_between_the_check_and_the_insert_is_the_same_refusal(
    library, library_admin, monkeypatch
):
    """Two invitations of one address at once: the second's insert meets the unique
    username and answers the same 409 on `email`, nothing written."""
    from accounts import staff
    from backend.errors import ApplicationError

    UserFactory(username="pris@example.org", role=User.Role.INSTITUTION_MEMBER, institution=library)
    real_filter = User.objects.filter

    def blind_filter(*args, **kwargs):  # the check sees nothing, as a concurrent one would
        if "email__iexact" in kwargs or "username__iexact" in kwargs:
            return User.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(User.objects, "filter", blind_filter)
    before = User.objects.count()
    with pytest.raises(ApplicationError) as refused:
        staff.staff_invite(
            actor=library_admin,
            institution=library,
            email="pris@example.org",
            role=User.Role.INSTITUTION_MEMBER,
        )
    assert refused.value.code == "email_taken" and refused.value.field == "email"
    assert User.objects.count() == before


def test_an_invitation_is_sent_again_only_while_pending(
    library_api, library, library_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = library_api.post(
            staff_url(library), {"email": "w@example.org", "role": "institution_member"}
        ).json()
        again = library_api.post(staff_url(library, created["id"], "resend-invitation"))
    assert again.status_code == 200
    assert [m.to for m in mail.outbox] == [["w@example.org"], ["w@example.org"]]
    active = library_api.post(staff_url(library, library_admin.pk, "resend-invitation"))
    assert active.status_code == 409 and active.json()["code"] == "no_pending_invitation"
