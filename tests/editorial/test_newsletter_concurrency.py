"""Two newsletter runs at the same moment on PostgreSQL (real concurrent connections):
the unique row claimed in the sending transaction lets each library's newsletter of a
month go out once."""

import threading

import pytest
from django.core import mail
from django.db import connection

from accounts.models import User
from editorial.models import NewsletterSend
from editorial.newsletter import newsletter_send_all
from tests.editorial.conftest import active_subscription
from tests.factories import InstitutionFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_runs_send_each_newsletter_once():
    libraries = [InstitutionFactory(email=f"bib{i}@example.org") for i in range(4)]
    for library in libraries:
        UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=library, email="")
        active_subscription(library)
    barrier = threading.Barrier(3)
    results = [None] * 3

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = newsletter_send_all()
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, dict) for result in results), results
    assert sum(result["sent"] for result in results) == 4
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        library.email for library in libraries
    )
    assert NewsletterSend.objects.count() == 4
