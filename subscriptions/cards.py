"""Library card numbers, kept only as keyed digests (pseudonymisation).

The key is `PATRON_CARD_PEPPER`, a secret of its own (not `SECRET_KEY`). To change it
without losing the patrons registered under the old one, list the old value in
`PATRON_CARD_PEPPER_FALLBACKS`: a card is then also found under it, and its digest is
rewritten under the current pepper at the patron's next login (the number is needed to
compute a digest, and only a login brings it).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def card_digest(*, institution, card: str, pepper: str | None = None) -> str:
    """A keyed digest of a library card number: the same card always gives the same digest
    (so the patron can log in again) but the number cannot be read back."""
    key = settings.PATRON_CARD_PEPPER if pepper is None else pepper
    message = f"{institution.pk}:{card.strip().upper()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def card_digests(*, institution, card: str) -> list[str]:
    """The card's digest under the current pepper first, then under each previous one."""
    peppers = [settings.PATRON_CARD_PEPPER, *settings.PATRON_CARD_PEPPER_FALLBACKS]
    return [card_digest(institution=institution, card=card, pepper=p) for p in peppers]
