"""Who to e-mail at a library: one helper (`accounts.selectors.institution_recipients`)
that every mail to a library asks — DVD orders, quota alerts, renewal reminders and
withdrawal notices go to its address and its active administrators, the newsletter to
every active staff member too; never to patrons, nor to inactive accounts."""

import datetime

import pytest

from accounts.models import User
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed_library(db):
    library = InstitutionFactory(email="bib@example.org")
    for role, email, active in [
        (User.Role.INSTITUTION_ADMIN, "admin@example.org", True),
        (User.Role.INSTITUTION_ADMIN, "parti@example.org", False),
        (User.Role.INSTITUTION_ADMIN, "", True),
        (User.Role.INSTITUTION_MEMBER, "agent@example.org", True),
        (User.Role.PATRON, "lecteur@example.org", True),
    ]:
        UserFactory(role=role, institution=library, email=email, is_active=active)
    UserFactory(
        role=User.Role.INSTITUTION_ADMIN, institution=InstitutionFactory(), email="x@example.org"
    )
    return library


ADMINISTRATION = ["admin@example.org", "bib@example.org"]


def test_who_to_email_at_a_library(staffed_library):
    from accounts.selectors import institution_recipients

    assert institution_recipients(staffed_library) == ADMINISTRATION
    assert institution_recipients(staffed_library, all_staff=True) == [
        "admin@example.org",
        "agent@example.org",
        "bib@example.org",
    ]
    silent = InstitutionFactory(email="")
    assert institution_recipients(silent) == []


@pytest.fixture
def one_helper(monkeypatch):
    """The helper, patched: every mailer must send where it says."""
    from accounts import selectors

    asked = []

    def helper(institution, *, all_staff=False):
        asked.append((institution.pk, all_staff))
        return ["decided-once@example.org"]

    monkeypatch.setattr(selectors, "institution_recipients", helper)
    return asked


def _sent_to():
    from django.core import mail

    return [message.to for message in mail.outbox]


def test_order_mails_ask_the_helper(staffed_library, one_helper):
    from orders.emails import order_status_email
    from orders.services import cart_get_or_create, cart_line_add, order_submit
    from tests.orders.conftest import grant_dvd, make_edition

    staffed_library.dvd_authorised_since = datetime.date(2015, 1, 1)
    staffed_library.save()
    order, _ = cart_get_or_create(library=staffed_library)
    edition = make_edition(stock=3, rights=False)
    grant_dvd(edition.film)
    cart_line_add(order=order, edition=edition, quantity=1)
    order = order_submit(order=order)
    assert order_status_email(order.events.latest("pk")) == 1
    assert _sent_to() == [["decided-once@example.org"]]
    assert one_helper == [(staffed_library.pk, False)]


def test_the_newsletter_asks_the_helper_for_all_staff(staffed_library, one_helper):
    from editorial import newsletter

    assert newsletter.recipients_of(staffed_library) == ["decided-once@example.org"]
    assert one_helper == [(staffed_library.pk, True)]


def test_renewal_reminders_ask_the_helper(staffed_library, one_helper):
    from django.utils import timezone

    from subscriptions.services.subscriptions import (
        renewal_reminders_send,
        subscription_activate,
        subscription_quote_create,
    )
    from tests.subscriptions.conftest import make_grid

    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=358)
    plan = make_grid(starts_on.year).plans.get(code="platform")
    subscription_activate(
        subscription=subscription_quote_create(
            subscriber=staffed_library, plan=plan, starts_on=starts_on
        )
    )
    assert renewal_reminders_send(today=today) == 1
    assert _sent_to() == [["decided-once@example.org"]]
    assert one_helper == [(staffed_library.pk, False)]


def test_withdrawal_notices_ask_the_helper(staffed_library, one_helper):
    from django.test import TestCase
    from django.utils import timezone

    from notices.services import withdrawal_notices_send
    from rights.models import Medium
    from tests.notices.test_withdrawal_notices import library_selection_with
    from tests.rights.conftest import GrantFactory

    today = timezone.localdate()
    grant = GrantFactory(
        medium=Medium.DVD,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=10),
    )
    library_selection_with(staffed_library, grant.film)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert withdrawal_notices_send(today=today)["notices"] == 1
    assert _sent_to() == [["decided-once@example.org"]]
    assert set(one_helper) == {(staffed_library.pk, False)}


def test_streaming_cap_alerts_ask_the_helper(staffed_library, one_helper):
    from django.utils import timezone

    from subscriptions.models import CapAlert
    from subscriptions.services.quotas import _send_cap_alert
    from subscriptions.services.subscriptions import (
        subscription_activate,
        subscription_quote_create,
    )
    from tests.subscriptions.conftest import make_grid

    today = timezone.localdate()
    plan = make_grid(today.year).plans.get(code="platform")
    subscription = subscription_activate(
        subscription=subscription_quote_create(
            subscriber=staffed_library, plan=plan, starts_on=today
        )
    )
    alert = CapAlert.objects.create(
        subscription=subscription,
        library=staffed_library,
        threshold=80,
        used=80,
        cap=100,
        reached_at=timezone.now(),
    )
    assert _send_cap_alert(alert.pk) == 1
    assert _sent_to() == [["decided-once@example.org"]]
    assert one_helper == [(staffed_library.pk, False)]
