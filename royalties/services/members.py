"""The users of a rights holder's space, invited by the cinema staff."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_create
from backend.errors import ConflictError
from rights.models import RightsHolder
from royalties.errors import RoyaltiesErrorCode
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
    password until one is set for them."""
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
            return RightsHolderMember.objects.create(
                user=user, rights_holder=rights_holder, invited_by=by
            )
    except IntegrityError:  # the same username, invited at the same moment
        raise ConflictError(
            RoyaltiesErrorCode.USERNAME_TAKEN, _("This username is taken.")
        ) from None
