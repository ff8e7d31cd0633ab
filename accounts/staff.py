"""An institution's staff accounts: invitations, roles, deactivation, and the password a
person sets from an e-mailed link (an invitation, or a forgotten password).

The link is Django's password-reset token (`default_token_generator`): it is bound to the
account's password hash and last login, so it works once — setting the password changes
the hash — and it expires after `PASSWORD_RESET_TIMEOUT`. Only the link's address is
built here; the page that opens it is the web client's (`FRONTEND_BASE_URL`).

Rules, each checked under the institution's row lock (`institutions.locks`): only an
administrator of the institution (or the cinema staff) invites, changes a role or
deactivates; nobody changes their own role or deactivates their own account; the last
active administrator of an institution stays one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.errors import AccountErrorCode
from accounts.locks import lock_account
from accounts.models import ApiToken, User
from backend.db import mail_after_commit, unique_violation_as_field_error
from backend.errors import ApplicationError, ConflictError
from institutions.locks import lock_institution
from institutions.models import Institution


# --- links -------------------------------------------------------------------------------
def password_link(user: User, *, invitation: bool = False) -> str:
    """The one-time link where `user` sets a password (web client's address)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    name = "web:invitation-accept" if invitation else "web:password-reset-confirm"
    return settings.FRONTEND_BASE_URL + reverse(name, kwargs={"uidb64": uid, "token": token})


def user_from_link(*, uidb64: str, token: str, lock: bool = False) -> User | None:
    """The active account a link was made for, while the link is still good; else None.
    With `lock`, its row is locked first (two uses of one link take turns: the second
    finds the password changed and the link spent)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
        user = lock_account(pk) if lock else User.objects.get(pk=pk)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, User.DoesNotExist):
        return None
    if not user.is_active or user.is_patron:
        return None
    return user if default_token_generator.check_token(user, token) else None


# --- checks ------------------------------------------------------------------------------
def _refuse_unless_admin_of(actor: User, institution: Institution) -> None:
    if actor.is_cinema_staff:
        return
    if actor.is_institution_admin and actor.institution_id == institution.pk:
        return
    raise ApplicationError(
        AccountErrorCode.NOT_AN_ADMINISTRATOR,
        _("Only an administrator of the institution can manage its staff accounts."),
        status=403,
    )


def _refuse_own_account(actor: User, member: User, message: str) -> None:
    if actor.pk == member.pk:
        raise ConflictError(AccountErrorCode.OWN_ACCOUNT, message)


def _refuse_last_admin(member: User) -> None:
    """Refuse to take the administrator role from the institution's last active one
    (called under the institution's lock)."""
    if not (member.is_institution_admin and member.is_active):
        return
    others = (
        User.objects.filter(
            institution_id=member.institution_id,
            role=User.Role.INSTITUTION_ADMIN,
            is_active=True,
        )
        .exclude(pk=member.pk)
        .exists()
    )
    if not others:
        raise ConflictError(
            AccountErrorCode.LAST_ADMINISTRATOR,
            _("This is the institution's last administrator: make someone else one first."),
        )


def _member_locked(member: User) -> User:
    return lock_account(member.pk)


# --- operations --------------------------------------------------------------------------
@transaction.atomic
def staff_invite(
    *,
    actor: User,
    institution: Institution,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a colleague's account, without a password, and e-mail them (once this
    commits) a one-time link to set one. The e-mail address is their username."""
    _refuse_unless_admin_of(actor, institution)
    if role not in User.INSTITUTION_STAFF_ROLES:
        raise ApplicationError(
            AccountErrorCode.INVALID_ROLE,
            _("A staff account is an administrator or a staff member."),
            field="role",
        )
    email = User.objects.normalize_email(email.strip()).lower()
    lock_institution(institution.pk)
    taken = _("An account already uses this e-mail address.")
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise ConflictError(AccountErrorCode.EMAIL_TAKEN, taken, field="email")
    user = User(
        username=email,
        email=email,
        role=role,
        institution=institution,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    user.set_unusable_password()
    user.full_clean(validate_unique=False)
    try:  # two invitations of one address at once: the unique username decides
        with unique_violation_as_field_error(User, {"username": taken}):
            user.save()
    except ValidationError as exc:
        raise ConflictError(AccountErrorCode.EMAIL_TAKEN, taken, field="email") from exc
    from accounts.tasks import staff_invitation_send

    mail_after_commit(staff_invitation_send, user_id=user.pk, invited_by=actor.get_full_name())
    return user


@transaction.atomic
def staff_invitation_resend(*, actor: User, member: User) -> User:
    """E-mail a colleague who has not chosen a password yet a fresh one-time link (the
    first may have expired or been lost)."""
    _refuse_unless_admin_of(actor, member.institution)
    member = _member_locked(member)
    if member.has_usable_password() or not member.is_active:
        raise ConflictError(
            AccountErrorCode.NO_PENDING_INVITATION,
            _("This account has no pending invitation: it is active or deactivated."),
        )
    from accounts.tasks import staff_invitation_send

    mail_after_commit(staff_invitation_send, user_id=member.pk, invited_by=actor.get_full_name())
    return member


@transaction.atomic
def staff_role_change(*, actor: User, member: User, role: str) -> User:
    """Make a colleague an administrator or a staff member."""
    _refuse_unless_admin_of(actor, member.institution)
    if role not in User.INSTITUTION_STAFF_ROLES:
        raise ApplicationError(
            AccountErrorCode.INVALID_ROLE,
            _("A staff account is an administrator or a staff member."),
            field="role",
        )
    _refuse_own_account(
        actor, member, _("You cannot change your own role: ask another administrator.")
    )
    lock_institution(member.institution_id)
    member = _member_locked(member)
    if role != User.Role.INSTITUTION_ADMIN:
        _refuse_last_admin(member)
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def staff_deactivate(*, actor: User, member: User) -> User:
    """Close a colleague's account: they can no longer sign in, their API tokens are
    revoked and their pending links stop working. Their history stays."""
    _refuse_unless_admin_of(actor, member.institution)
    _refuse_own_account(
        actor, member, _("You cannot deactivate your own account: ask another administrator.")
    )
    lock_institution(member.institution_id)
    member = _member_locked(member)
    _refuse_last_admin(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=member).delete()
    return member


@transaction.atomic
def staff_reactivate(*, actor: User, member: User) -> User:
    """Open a deactivated colleague's account again (with the password it had)."""
    _refuse_unless_admin_of(actor, member.institution)
    member = _member_locked(member)
    member.is_active = True
    member.save(update_fields=["is_active"])
    return member


# --- passwords -----------------------------------------------------------------------------
def password_reset_request(*, email: str) -> int:
    """E-mail a one-time link to set a new password to every active account with a
    usable password at this address (patrons have none: their PIN is the library's). The
    caller answers the same whether or not one exists. How many were queued."""
    email = (email or "").strip()
    if not email:
        return 0
    ids = [
        user.pk
        for user in User.objects.filter(email__iexact=email, is_active=True).exclude(
            role=User.Role.PATRON
        )
        if user.has_usable_password()
    ]
    from accounts.tasks import password_reset_send

    for pk in ids:
        mail_after_commit(password_reset_send, user_id=pk)
    return len(ids)


@transaction.atomic
def password_set_with_link(*, uidb64: str, token: str, password: str) -> User:
    """Set the password of the account a one-time link was made for (an invitation or a
    forgotten password); the link stops working at once."""
    user = user_from_link(uidb64=uidb64, token=token, lock=True)
    if user is None:
        raise ApplicationError(
            AccountErrorCode.INVALID_LINK,
            _("This link is not valid: it was already used, or it has expired."),
        )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            AccountErrorCode.INVALID_PASSWORD, " ".join(exc.messages), field="password"
        ) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
