"""The users of a rights holder's space, invited by the cinema staff."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_create
from backend.errors import ApplicationError, ConflictError, NotFoundError
from rights.models import RightsHolder
from royalties.errors import RoyaltiesErrorCode
from royalties.locks import lock_invited_user, lock_member_account
from royalties.models import RightsHolderMember


def rights_holder_member_invite(
    *,
    rights_holder: RightsHolder,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    by=None,
) -> RightsHolderMember:
    """A new user with the `rights_holder` role, attached to one holder, without a usable
    password until they choose one: the invitation e-mail (sent once this commits) carries
    a one-time token for `rights_holder_invitation_accept`."""
    if User.objects.filter(username__iexact=username).exists():
        raise ConflictError(RoyaltiesErrorCode.USERNAME_TAKEN, _("This username is taken."))
    try:
        with transaction.atomic():
            user = user_create(
                username=username,
                role=User.Role.RIGHTS_HOLDER,
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
            member = RightsHolderMember.objects.create(
                user=user, rights_holder=rights_holder, invited_by=by
            )
            from royalties.tasks import invitation_email_send

            transaction.on_commit(partial(invitation_email_send.delay, user.pk))
            return member
    except IntegrityError:  # the same username, invited at the same moment
        raise ConflictError(
            RoyaltiesErrorCode.USERNAME_TAKEN, _("This username is taken.")
        ) from None


def invitation_token(user: User) -> tuple[str, str]:
    """The (uid, token) pair an invitation carries. Django's password-reset token: it
    expires (PASSWORD_RESET_TIMEOUT) and is worth nothing once a password is set."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def _invalid_token() -> ApplicationError:
    return ApplicationError(
        RoyaltiesErrorCode.INVALID_INVITATION,
        _("This invitation is not valid (used, expired or mistyped)."),
        field="token",
    )


@transaction.atomic
def rights_holder_invitation_accept(*, uid: str, token: str, password: str) -> User:
    """The invited user chooses their password (Django's validators apply); the token
    then no longer works."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        raise _invalid_token() from None
    user = lock_invited_user(pk)
    if user is None or not default_token_generator.check_token(user, token):
        raise _invalid_token()
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(
            RoyaltiesErrorCode.WEAK_PASSWORD, " ".join(error.messages), field="password"
        ) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def _pending_invitation_locked(member: RightsHolderMember) -> User:
    """The member's account, locked, while its invitation is pending (no password chosen,
    account open); else the refusal that says why."""
    user = lock_member_account(member.user_id)
    if user is None:  # cancelled meanwhile
        raise NotFoundError("not_found", _("No such user of this rights holder."))
    if user.has_usable_password():
        raise ConflictError(
            RoyaltiesErrorCode.INVITATION_ACCEPTED,
            _("This invitation was already accepted: the user has chosen a password."),
        )
    if not user.is_active:
        raise ConflictError(
            RoyaltiesErrorCode.ACCOUNT_CLOSED,
            _("This account is closed: its invitation can no longer be used."),
        )
    return user


@transaction.atomic
def rights_holder_invitation_resend(*, member: RightsHolderMember) -> RightsHolderMember:
    """E-mail a user whose invitation is pending a fresh one-time link (the first was lost
    or has expired). The link already sent stops working: the token is bound to the
    account's password field, which gets a new unusable value here."""
    user = _pending_invitation_locked(member)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    from royalties.tasks import invitation_email_send

    transaction.on_commit(partial(invitation_email_send.delay, user.pk))
    member.user = user
    return member


@transaction.atomic
def rights_holder_invitation_cancel(*, member: RightsHolderMember) -> None:
    """Withdraw an invitation not yet accepted: the account, never used, is deleted with
    its membership (the username is free again) and its link no longer opens anything."""
    user = _pending_invitation_locked(member)
    user.delete()
