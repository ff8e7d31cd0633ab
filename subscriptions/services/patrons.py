"""Patrons: registration by library staff (card number and PIN, pseudonymous), login with
card and PIN or through a link signed by the library's own portal, streaming access, and
the export and erasure of a patron's data on request."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lockout import card_lockout_reset, login_attempt
from accounts.models import ApiToken, User
from accounts.services import api_token_create, patron_username, user_create
from backend.errors import ApplicationError
from institutions.models import Institution
from subscriptions import personal_data
from subscriptions.cards import card_digest, card_digests
from subscriptions.errors import PatronErrorCode, no_streaming_subscription
from subscriptions.locks import lock_patron
from subscriptions.models import Patron, PortalKey, PortalNonce, Subscription
from subscriptions.pins import pin_check
from subscriptions.selectors import patron_get_by_card, subscriptions_covering


def _unauthorised(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, status=401)


@transaction.atomic
def patron_register(
    *, institution: Institution, card: str, pin: str, home_area: str = ""
) -> Patron:
    """Register a patron at a library: no name, no e-mail; the PIN must pass the PIN policy
    (`subscriptions.pins`) and is kept as a password hash."""
    pin_check(pin)
    digests = card_digests(institution=institution, card=card)
    if Patron.objects.filter(institution=institution, card_digest__in=digests).exists():
        raise ApplicationError(
            PatronErrorCode.CARD_ALREADY_REGISTERED,
            _("This card is already registered at this library."),
            field="card",
            status=409,
        )
    user = user_create(
        username=patron_username(), role=User.Role.PATRON, password=pin, institution=institution
    )
    patron = Patron(
        user=user, institution=institution, card_digest=digests[0], home_area=home_area.upper()
    )
    patron.full_clean()
    patron.save()
    return patron


def patron_card_rekey(*, patron: Patron, card: str) -> None:
    """Rewrite a card's digest under the current pepper when it was found under a previous
    one (PATRON_CARD_PEPPER_FALLBACKS): only a login brings the number that takes."""
    digest = card_digest(institution=patron.institution, card=card)
    if patron.card_digest != digest:
        Patron.objects.filter(pk=patron.pk).update(card_digest=digest)
        patron.card_digest = digest


def _logged_in(*, request, user: User, device: str) -> str:
    """A new API token for the device, and Django's login signal (last login; the lockout
    counts a success)."""
    _token, key = api_token_create(user=user, device=device)
    user_logged_in.send(sender=User, request=request, user=user)
    return key


def patron_authenticate(*, request, institution_code: str, card: str, pin: str) -> Patron:
    """Library code, card number and PIN → the patron (the web client then opens a
    session for them; `patron_login` gives an API token instead).

    Through `authenticate()` (`subscriptions.backends.PatronCardBackend`), so that failures
    are counted per card and a card is locked after LOGIN_FAILURE_LIMIT of them (429
    `login_locked`, even with the right PIN) until left alone CARD_LOCKOUT_HOURS."""
    user = login_attempt(
        request, card_login=True, institution_code=institution_code, card=card, password=pin
    )
    if user is None:
        raise _unauthorised(
            PatronErrorCode.INVALID_LOGIN, _("Unknown card or wrong PIN for this library.")
        )
    patron = Patron.objects.select_related("institution").get(user=user)
    patron_card_rekey(patron=patron, card=card)
    card_lockout_reset(institution_code=institution_code, card=card)
    return patron


def patron_login(
    *, request, institution_code: str, card: str, pin: str, device: str = ""
) -> tuple[Patron, str]:
    """Library code, card number and PIN → the patron and an API token for this device."""
    patron = patron_authenticate(
        request=request, institution_code=institution_code, card=card, pin=pin
    )
    return patron, _logged_in(request=request, user=patron.user, device=device)


@transaction.atomic
def patron_pin_reset(*, patron: Patron, pin: str) -> Patron:
    """Give a patron a new PIN (forgotten, or given away): it must pass the PIN policy;
    the old one stops working, and so do the patron's API tokens and web sessions (a
    session is bound to the password hash). An erased patron has none to reset."""
    patron = lock_patron(patron.pk)
    if patron.erased_at is not None:
        raise ApplicationError(
            PatronErrorCode.PATRON_ERASED,
            _("This patron's registration was erased: register the card again."),
            status=409,
        )
    pin_check(pin)
    patron.user.set_password(pin)
    patron.user.save(update_fields=["password"])
    ApiToken.objects.filter(user=patron.user).delete()
    return patron


def patron_card_unlock(*, institution: Institution, card: str) -> None:
    """Lift the lockout of a card of this library (its staff, for a locked-out patron)."""
    card_lockout_reset(institution_code=institution.code, card=card)


@transaction.atomic
def portal_key_rotate(*, institution: Institution) -> PortalKey:
    """A new secret for the library's portal; links signed with the old one stop working."""
    key, _created = PortalKey.objects.update_or_create(
        institution=institution, defaults={"secret": secrets.token_hex(32)}
    )
    return key


def portal_key_rotate_by(*, actor: User, institution: Institution) -> PortalKey:
    """`portal_key_rotate`, asked by `actor`: an administrator of the institution, or the
    cinema staff (a staff member may not cut the portal's links)."""
    if not (
        actor.is_cinema_staff
        or (actor.is_institution_admin and actor.institution_id == institution.pk)
    ):
        raise ApplicationError(
            PatronErrorCode.NOT_AN_ADMINISTRATOR,
            _("Only an institution administrator can do this."),
            status=403,
        )
    return portal_key_rotate(institution=institution)


def portal_link_signature(
    *, secret: str, institution_code: str, card: str, expires: int, nonce: str
) -> str:
    """What the library's portal computes to sign a login link (documented for portals)."""
    message = f"{institution_code}\n{card}\n{expires}\n{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def patron_login_with_link(*, request, device: str = "", **link) -> tuple[Patron, str]:
    """A link signed by the library's portal → the patron and an API token for this
    device (`patron_authenticate_with_link`)."""
    patron = patron_authenticate_with_link(request=request, **link)
    return patron, _logged_in(request=request, user=patron.user, device=device)


def patron_authenticate_with_link(
    *,
    request,
    institution_code: str,
    card: str,
    expires: int,
    nonce: str,
    signature: str,
    now: datetime.datetime | None = None,
) -> Patron:
    """The patron a link signed by the library's portal vouches for (HMAC-SHA256 with the
    portal key). The link is short-lived and single-use; a patron the portal vouches for
    is registered on first use."""
    now = now or timezone.now()
    key = (
        PortalKey.objects.select_related("institution")
        .filter(institution__code=institution_code)
        .first()
    )
    if key is None:
        raise _unauthorised(PatronErrorCode.LINK_INVALID, _("This login link is not valid."))
    expected = portal_link_signature(
        secret=key.secret,
        institution_code=institution_code,
        card=card,
        expires=expires,
        nonce=nonce,
    )
    if not hmac.compare_digest(expected, signature.lower()):
        raise _unauthorised(PatronErrorCode.LINK_INVALID, _("This login link is not valid."))
    now_ts = int(now.timestamp())
    if expires <= now_ts or expires - now_ts > settings.PORTAL_LINK_MAX_AGE:
        raise _unauthorised(PatronErrorCode.LINK_EXPIRED, _("This login link has expired."))
    institution = key.institution
    try:
        with transaction.atomic():
            PortalNonce.objects.create(
                institution=institution,
                nonce=nonce,
                expires_at=datetime.datetime.fromtimestamp(expires, tz=datetime.UTC),
            )
    except IntegrityError:
        raise _unauthorised(
            PatronErrorCode.LINK_REPLAYED, _("This login link has already been used.")
        ) from None
    patron = patron_get_by_card(institution_code=institution.code, card=card)
    if patron is None:
        with transaction.atomic():
            user = user_create(
                username=patron_username(), role=User.Role.PATRON, institution=institution
            )
            patron = Patron.objects.create(
                user=user,
                institution=institution,
                card_digest=card_digest(institution=institution, card=card),
            )
    if not patron.user.is_active:
        raise _unauthorised(PatronErrorCode.INVALID_LOGIN, _("This patron account is closed."))
    patron_card_rekey(patron=patron, card=card)
    return patron


def patron_streaming_subscription(*, user: User, on: datetime.date | None = None) -> Subscription:
    """The subscription under which a patron (or their library's staff) may stream today:
    an active subscription including streaming that covers their library."""
    on = on or timezone.localdate()
    if user.institution_id is None:
        raise ApplicationError(
            PatronErrorCode.NO_STREAMING_SUBSCRIPTION,
            _("Streaming is offered to the patrons of subscribing libraries."),
            status=403,
        )
    subscription = next(
        (
            s
            for s in subscriptions_covering(library=user.institution, on=on)
            if s.plan.includes_streaming
        ),
        None,
    )
    if subscription is None:
        raise no_streaming_subscription()
    return subscription


def patron_export(*, patron: Patron) -> dict:
    """Everything kept about a patron, for a data access request."""
    return {
        "pseudonym": patron.user.username,
        "library": {"id": patron.institution_id, "name": patron.institution.name},
        "home_area": patron.home_area,
        "registered_at": patron.created_at.isoformat(),
        "last_login": patron.user.last_login.isoformat() if patron.user.last_login else None,
        "card": _("kept only as a keyed digest, which cannot be read back"),
        **personal_data.export_all(patron.user),
    }


@transaction.atomic
def patron_erase(*, patron: Patron) -> Patron:
    """Erase a patron on request: the account is closed and everything that could link it
    to a person goes (their list and ratings too: `personal_data`); usage statistics stay,
    attached to an anonymous pseudonym."""
    patron = lock_patron(patron.pk)
    user = patron.user
    ApiToken.objects.filter(user=user).delete()
    personal_data.erase_all(user)
    user.username = f"erased-{user.pk}"
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.save(update_fields=["username", "password", "is_active", "last_login"])
    patron.card_digest = f"erased-{patron.pk}"
    patron.home_area = ""
    patron.erased_at = timezone.now()
    patron.save(update_fields=["card_digest", "home_area", "erased_at"])
    return patron
