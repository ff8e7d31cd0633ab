"""Writes of the stats app: SUSHI credentials (created with a key shown once, revoked)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ConflictError
from institutions.models import Institution
from stats.errors import StatsErrorCode
from stats.locks import lock_sushi_credential
from stats.models import SushiCredential


def sushi_key_digest(api_key: str) -> str:
    """The keyed digest stored in place of an API key."""
    return hmac.new(settings.SECRET_KEY.encode(), api_key.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class NewSushiCredential:
    credential: SushiCredential
    api_key: str  # in clear only here, to be shown once


@transaction.atomic
def sushi_credential_create(
    *, institution: Institution, created_by=None, label: str = ""
) -> NewSushiCredential:
    api_key = secrets.token_urlsafe(32)
    credential = SushiCredential(
        institution=institution,
        requestor_id=secrets.token_hex(12),
        key_digest=sushi_key_digest(api_key),
        label=label,
        created_by=created_by,
    )
    credential.full_clean()
    credential.save()
    return NewSushiCredential(credential=credential, api_key=api_key)


@transaction.atomic
def sushi_credential_revoke(*, credential: SushiCredential) -> SushiCredential:
    credential = lock_sushi_credential(credential.pk)
    if credential.revoked_at is not None:
        raise ConflictError(
            StatsErrorCode.CREDENTIAL_REVOKED, _("This SUSHI credential is already revoked.")
        )
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    return credential
