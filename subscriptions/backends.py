"""A patron logs in with their library's code, their card number and their PIN.

An authentication backend, so that the login goes through `django.contrib.auth.authenticate`
and django-axes counts its failures per card (`accounts.lockout`). The card is found by its
keyed digest under the current pepper or a previous one (`PATRON_CARD_PEPPER_FALLBACKS`); an
unknown card costs the same PIN hashing as a known one, so that the answer's timing does
not tell whether a card is registered.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password

from accounts.models import User
from subscriptions.selectors import patron_get_by_card


class PatronCardBackend(BaseBackend):
    """Also keeps a web session signed in: `get_user` gives back an active patron."""

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, role=User.Role.PATRON, is_active=True).first()

    def authenticate(self, request, institution_code=None, card=None, password=None):
        if institution_code is None or card is None or password is None:
            return None
        patron = patron_get_by_card(institution_code=institution_code, card=card)
        if patron is None:
            make_password(password)
            return None
        user = patron.user
        if user.check_password(password) and user.is_active:
            return user
        return None
