"""The monthly newsletter: who receives it, what it says (in French), once per library
and month; the staff preview."""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from editorial.models import NewsletterSend
from editorial.newsletter import month_usage, newsletter_send_all
from editorial.tasks import newsletter_monthly
from media.models import ViewEvent
from rights.models import Medium
from tests.editorial.conftest import active_subscription, create_collection, day, film_with
from tests.factories import InstitutionFactory, MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _month_start(offset_months: int = 0) -> datetime.date:
    first = timezone.localdate().replace(day=1)
    for _ in range(-offset_months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def _views(film, library, moment, count, viewer_prefix="p"):
    for index in range(count):
        ViewEvent.objects.create(
            film=film,
            institution=library,
            viewer_pseudonym=f"{viewer_prefix}{index % 2}",
            medium="stream_home",
            seconds_watched=1200,
            started_at=moment,
        )


@pytest.fixture
def subscribed(editor_api):
    """A library subscribing on its own, a network subscribing for its member, a library
    without a subscription; new films and favourites published; views last month."""
    own = InstitutionFactory(name="Médiathèque abonnée", email="contact@abonnee.example")
    UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=own, email="agent@abonnee.example")
    UserFactory(role=User.Role.PATRON, institution=own, email="usager@example.org")
    network = NetworkFactory()
    member = InstitutionFactory(name="Membre du réseau")
    MembershipFactory(network=network, library=member)
    UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=member, email="chef@membre.example")
    outsider = InstitutionFactory(name="Non abonnée", email="non@example.org")
    active_subscription(own)
    active_subscription(network)

    new = film_with(Medium.STREAM_HOME, title="Nouveau documentaire")
    favourite = film_with(Medium.STREAM_HOME, title="Coup de cœur")
    restricted = film_with(Medium.STREAM_HOME, kinds=["departmental"], title="Réservé aux BDP")
    leaving = film_with(Medium.STREAM_HOME, ends_in=12, title="Bientôt parti")
    create_collection(editor_api, [new, restricted], kind="new_films", title="Nouveautés")
    create_collection(editor_api, [favourite], title="Coups de cœur")
    create_collection(
        editor_api,
        [film_with(Medium.STREAM_HOME, title="Pas encore publié")],
        kind="new_films",
        published_from=day(3).isoformat(),
    )
    last_month = _month_start(-1)
    moment = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(10)))
    _views(new, own, moment + datetime.timedelta(days=2), 3)
    _views(new, member, moment, 1)
    _views(new, own, moment - datetime.timedelta(days=1), 5)  # the month before
    return {"own": own, "member": member, "outsider": outsider, "leaving": leaving}


def test_each_subscribing_library_gets_its_newsletter_once(subscribed):
    result = newsletter_send_all()
    assert result["sent"] == 2
    by_library = {tuple(message.to): message for message in mail.outbox}
    assert set(by_library) == {
        ("agent@abonnee.example", "contact@abonnee.example"),
        ("chef@membre.example",),
    }
    message = by_library[("agent@abonnee.example", "contact@abonnee.example")]
    assert message.subject.startswith("Catalogue du film documentaire — lettre d'information de")
    html, content_type = message.alternatives[0]
    assert content_type == "text/html"
    for body in (message.body, html):
        assert "Nouveau documentaire" in body
        assert "Coup de cœur" in body
        assert "Bientôt parti" in body
        assert "Réservé aux BDP" not in body  # not for a municipal library
        assert "Pas encore publié" not in body
        assert "Nouveautés" in body and "Coups de cœur de la semaine" in body
    # its own usage of last month only: 3 views by 2 pseudonymous viewers, 60 minutes
    assert "3 visionnages, 2 usagers, 60 minutes regardées." in message.body
    assert "&lt;" not in message.body and "<h2>" in html
    member_message = by_library[("chef@membre.example",)]
    assert "1 visionnage, 1 usager, 20 minutes regardées." in member_message.body

    # once per library and month: a second run sends nothing
    mail.outbox.clear()
    again = newsletter_send_all()
    assert (again["sent"], again["already_sent"]) == (0, 2)
    assert mail.outbox == []
    assert NewsletterSend.objects.count() == 2
    # another month is another newsletter
    call_command("send_newsletter", "--month", _month_start(-2).strftime("%Y-%m"))
    assert len(mail.outbox) == 2


def test_the_monthly_task_is_scheduled_and_sends(subscribed, settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["newsletter-monthly"]
    assert schedule["task"] == "editorial.tasks.newsletter_monthly"
    assert schedule["schedule"].day_of_month == {1}
    result = newsletter_monthly.delay().get()
    assert result["sent"] == 2 and len(mail.outbox) == 2


def test_a_library_without_an_address_is_retried_later(subscribed):
    User.objects.filter(institution=subscribed["member"]).update(email="")
    assert newsletter_send_all()["skipped"] == 1
    assert not NewsletterSend.objects.filter(institution=subscribed["member"]).exists()
    User.objects.filter(institution=subscribed["member"]).update(email="new@membre.example")
    assert newsletter_send_all()["sent"] == 1


def test_usage_is_one_aggregate_query(subscribed):
    with CaptureQueriesContext(connection) as captured:
        usage = month_usage(subscribed["own"], _month_start(-1))
    assert len(captured) == 1
    assert usage == {"views": 3, "viewers": 2, "minutes": 60}


def test_command_refuses_a_bad_month(db):
    for bad in ("2026-13", "novembre", "2026-1-01", "1899-12"):
        with pytest.raises(CommandError):
            call_command("send_newsletter", "--month", bad)
    assert not NewsletterSend.objects.exists()


def test_staff_preview(editor_api, library_api, subscribed):
    own = subscribed["own"]
    response = editor_api.get(f"/api/v1/newsletter/preview/?institution={own.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Nouveau documentaire" in response.content.decode()
    assert mail.outbox == [] and not NewsletterSend.objects.exists()
    month = _month_start(-2).strftime("%Y-%m")
    assert (
        editor_api.get(
            f"/api/v1/newsletter/preview/?institution={own.pk}&month={month}"
        ).status_code
        == 200
    )
    refused = library_api.get(f"/api/v1/newsletter/preview/?institution={own.pk}")
    assert refused.status_code == 403
    bad = editor_api.get(
        f"/api/v1/newsletter/preview/?institution={own.pk}&month=2026-13", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 400
    assert bad.json()["fields"]["month"][0]["message"] == "Write the month as YYYY-MM."
    assert editor_api.get("/api/v1/newsletter/preview/?institution=999999").status_code == 404
    assert editor_api.get("/api/v1/newsletter/preview/").status_code == 400
