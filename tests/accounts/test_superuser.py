"""The first account of a deployment comes from `manage.py createsuperuser`."""

from __future__ import annotations

from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from accounts.models import User


def test_createsuperuser_makes_a_cinema_staff_member_who_opens_the_admin(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Premier-compte-2026")
    call_command(
        "createsuperuser", interactive=False, username="ops", email="ops@example.org", verbosity=0
    )
    user = User.objects.get(username="ops")
    assert (user.is_superuser, user.is_staff) == (True, True)
    assert (user.role, user.institution_id) == (User.Role.CATALOGUE_EDITOR, None)
    assert user.is_cinema_staff
    client = Client()
    assert client.login(request=HttpRequest(), username="ops", password="Premier-compte-2026")
    assert client.get("/admin/").status_code == 200


def test_a_superuser_may_be_given_another_cinema_role(db):
    user = User.objects.create_superuser(
        "negotiator", "n@example.org", "x-Neg-2026", role=User.Role.RIGHTS_NEGOTIATOR
    )
    assert user.role == User.Role.RIGHTS_NEGOTIATOR
