"""A rights holder's user's invitation, sent again or cancelled by the cinema staff while
it is pending: a resent invitation carries a fresh one-time link and the one sent before
stops working; a cancelled one deletes the unused account, so its link opens nothing and
the username is free again. An accepted invitation (a password chosen) or a closed
account is refused with its reason code, and nothing changes."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from backend.errors import ApplicationError
from rights.models import RightsHolder
from royalties.models import RightsHolderMember
from royalties.services.members import (
    rights_holder_invitation_accept,
    rights_holder_invitation_cancel,
    rights_holder_invitation_resend,
    rights_holder_member_invite,
)
from tests.factories import RightsHolderFactory

pytestmark = pytest.mark.django_db

ACCEPT = "/api/v1/rights-holder-invitations/accept/"
PASSWORD = "un-long-mot-de-passe"


def users_url(holder, user_id=None, action=None) -> str:
    url = f"/api/v1/rights-holders/{holder.pk}/users/"
    if user_id is not None:
        url += f"{user_id}/{action}/"
    return url


def link_of(message) -> dict:
    """The uid and token an invitation e-mail carries (its API line)."""
    found = re.search(r"uid=(\S+) token=(\S+)", message.body)
    assert found, message.body
    return {"uid": found.group(1), "token": found.group(2)}


@pytest.fixture
def holder(db) -> RightsHolder:
    return RightsHolderFactory()


@pytest.fixture
def invited(holder, editor_api, django_capture_on_commit_callbacks) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(
            users_url(holder), {"username": "prod-compta", "email": "c@prod.example"}
        )
    assert response.status_code == 201
    assert len(mail.outbox) == 1
    return User.objects.get(username="prod-compta")


def accept(link, password=PASSWORD):
    """The invited user's answer through the API (anonymous, as from the e-mail)."""
    return APIClient().post(ACCEPT, {**link, "password": password}, format="json")


# --- through the API ------------------------------------------------------------------


def test_resending_sends_a_fresh_link_and_the_first_one_stops_working(
    holder, invited, editor_api, django_capture_on_commit_callbacks
):
    first = link_of(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(users_url(holder, invited.pk, "resend-invitation"))
    assert response.status_code == 200
    assert response.json()["username"] == "prod-compta"
    assert [m.to for m in mail.outbox] == [["c@prod.example"], ["c@prod.example"]]
    second = link_of(mail.outbox[1])
    assert second["token"] != first["token"]

    old = accept(first)
    assert (old.status_code, old.json()["code"]) == (400, "invalid_invitation")
    invited.refresh_from_db()
    assert not invited.has_usable_password()
    assert accept(second).status_code == 200
    invited.refresh_from_db()
    assert invited.check_password(PASSWORD)


def test_cancelling_deletes_the_unused_account_and_its_link_opens_nothing(
    holder, invited, editor_api, django_capture_on_commit_callbacks
):
    link = link_of(mail.outbox[0])
    response = editor_api.post(users_url(holder, invited.pk, "cancel-invitation"))
    assert response.status_code == 204
    assert not User.objects.filter(pk=invited.pk).exists()
    assert not RightsHolderMember.objects.filter(user_id=invited.pk).exists()
    refused = accept(link)
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_invitation")
    # the username is free again: the staff invite the right address
    with django_capture_on_commit_callbacks(execute=True):
        again = editor_api.post(
            users_url(holder), {"username": "prod-compta", "email": "d@prod.example"}
        )
    assert again.status_code == 201
    assert mail.outbox[-1].to == ["d@prod.example"]


def test_an_e_mail_queued_before_a_cancel_sends_nothing(holder, invited, editor_api):
    """Resent, then cancelled before the worker sends the e-mail: the task finds no
    account and sends nothing (no error in the worker's log)."""
    from royalties.emails import invitation_email

    assert editor_api.post(users_url(holder, invited.pk, "cancel-invitation")).status_code == 204
    assert invitation_email(invited.pk) == 0
    assert len(mail.outbox) == 1  # the first invitation only


@pytest.mark.parametrize("action", ["resend-invitation", "cancel-invitation"])
def test_an_accepted_invitation_is_neither_sent_again_nor_cancelled(
    holder, invited, editor_api, action, django_capture_on_commit_callbacks
):
    assert accept(link_of(mail.outbox[0])).status_code == 200
    password = User.objects.get(pk=invited.pk).password
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(users_url(holder, invited.pk, action))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invitation_accepted"
    assert body["detail"] == (
        "Cette invitation a déjà été acceptée : l’utilisateur a choisi son mot de passe."
    )
    assert User.objects.get(pk=invited.pk).password == password  # unchanged
    assert RightsHolderMember.objects.filter(user_id=invited.pk).exists()
    assert len(mail.outbox) == 1  # nothing sent


@pytest.mark.parametrize("action", ["resend-invitation", "cancel-invitation"])
def test_a_closed_account_s_invitation_is_refused_in_english_on_request(
    holder, invited, editor_api, action
):
    invited.is_active = False
    invited.save(update_fields=["is_active"])
    response = editor_api.post(users_url(holder, invited.pk, action), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json() == {
        "code": "account_closed",
        "detail": "This account is closed: its invitation can no longer be used.",
    }
    assert User.objects.filter(pk=invited.pk, is_active=False).exists()


@pytest.mark.parametrize("action", ["resend-invitation", "cancel-invitation"])
def test_only_the_cinema_staff_and_only_the_holder_s_own_users(
    holder, invited, editor_api, library_api, action
):
    assert library_api.post(users_url(holder, invited.pk, action)).status_code == 403
    other = RightsHolderFactory()
    for url in (
        users_url(other, invited.pk, action),  # a user of another holder
        users_url(holder, invited.pk + 1000, action),  # nobody
    ):
        response = editor_api.post(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
    assert User.objects.filter(pk=invited.pk).exists()
    assert len(mail.outbox) == 1


# --- the services ---------------------------------------------------------------------


def test_the_services_refuse_what_is_not_pending_and_a_second_cancel_finds_nothing(
    holder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = rights_holder_member_invite(
            rights_holder=holder, username="compta-2", email="e@prod.example"
        )
        rights_holder_invitation_resend(member=member)
    assert len(mail.outbox) == 2
    rights_holder_invitation_accept(**link_of(mail.outbox[1]), password=PASSWORD)
    with pytest.raises(ApplicationError) as refused:
        rights_holder_invitation_cancel(member=member)
    assert (refused.value.code, refused.value.status_code) == ("invitation_accepted", 409)

    pending = rights_holder_member_invite(
        rights_holder=holder, username="compta-3", email="f@prod.example"
    )
    rights_holder_invitation_cancel(member=pending)
    with pytest.raises(ApplicationError) as gone:
        rights_holder_invitation_resend(member=pending)
    assert (gone.value.code, gone.value.status_code) == ("not_found", 404)
