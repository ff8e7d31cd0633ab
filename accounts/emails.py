"""The e-mails of the accounts app: an invitation to a colleague, a forgotten password.
Both carry a one-time link (`accounts.staff.password_link`); both are written in the
service's language (French) since the account has no language yet."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from accounts.staff import password_link


def _send(user: User, template: str, context: dict) -> int:
    if not user.email or not user.is_active:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "site_url": settings.FRONTEND_BASE_URL,
            "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            **context,
        }
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}.txt", context)
    return send_mail(" ".join(subject.split()), body, None, [user.email])


def staff_invitation_email(*, user_id: int, invited_by: str = "") -> int:
    user = User.objects.select_related("institution").get(pk=user_id)
    if user.has_usable_password():  # accepted meanwhile: nothing to send
        return 0
    return _send(
        user,
        "invitation",
        {"link": password_link(user, invitation=True), "invited_by": invited_by},
    )


def password_reset_email(*, user_id: int) -> int:
    user = User.objects.get(pk=user_id)
    return _send(user, "password_reset", {"link": password_link(user)})
