"""An invitation accepted at the very moment the cinema staff cancel it or send it again,
on PostgreSQL with real concurrent connections: the account's row lock makes one of the
two win whole — never a password set on an account being deleted, never an acceptance
reported with the link just replaced."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from royalties.models import RightsHolderMember
from royalties.services.members import invitation_token
from tests.conftest import client_for
from tests.factories import CinemaStaffFactory, RightsHolderFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "un-long-mot-de-passe"


def _run_together(calls):
    """Run the calls at the same moment, each in its own thread (its own connection)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _pending():
    holder = RightsHolderFactory()
    user = UserFactory(role=User.Role.RIGHTS_HOLDER, institution=None, username="prod-compta")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    RightsHolderMember.objects.create(user=user, rights_holder=holder)
    uid, token = invitation_token(user)
    return holder, user, {"uid": uid, "token": token, "password": PASSWORD}


def _accept(link):
    return APIClient().post("/api/v1/rights-holder-invitations/accept/", link, format="json")


@pytest.mark.parametrize("round_", range(3))
def test_accepting_while_the_staff_cancel_lets_exactly_one_win(round_):
    holder, user, link = _pending()
    staff = client_for(CinemaStaffFactory())
    url = f"/api/v1/rights-holders/{holder.pk}/users/{user.pk}/cancel-invitation/"
    accepted, cancelled = _run_together([lambda: _accept(link), lambda: staff.post(url)])
    assert not isinstance(accepted, Exception) and not isinstance(cancelled, Exception)
    outcome = (accepted.status_code, cancelled.status_code)
    assert outcome in ((200, 409), (400, 204)), outcome
    if outcome == (200, 409):
        assert cancelled.json()["code"] == "invitation_accepted"
        assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    else:
        assert accepted.json()["code"] == "invalid_invitation"
        assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("round_", range(3))
def test_accepting_while_the_staff_send_it_again_lets_exactly_one_win(round_):
    holder, user, link = _pending()
    staff = client_for(CinemaStaffFactory())
    url = f"/api/v1/rights-holders/{holder.pk}/users/{user.pk}/resend-invitation/"
    accepted, resent = _run_together([lambda: _accept(link), lambda: staff.post(url)])
    assert not isinstance(accepted, Exception) and not isinstance(resent, Exception)
    outcome = (accepted.status_code, resent.status_code)
    assert outcome in ((200, 409), (400, 200)), outcome
    account = User.objects.get(pk=user.pk)
    if outcome == (200, 409):
        assert resent.json()["code"] == "invitation_accepted"
        assert account.check_password(PASSWORD)
    else:  # the first link was replaced before it was used
        assert accepted.json()["code"] == "invalid_invitation"
        assert not account.has_usable_password()
