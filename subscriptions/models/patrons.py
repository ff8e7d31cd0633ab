from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from institutions.geography import area_department


def validate_home_area(value: str) -> None:
    """A department's code or a commune's INSEE code, nothing else: the statistics group
    patrons by it, and it reaches the staff's CSV exports."""
    if value and area_department(value) is None:
        raise ValidationError(
            _("Give a department code (35, 2A, 974) or a commune's INSEE code (35238)."),
            code="invalid_home_area",
        )


class Patron(models.Model):
    """A patron registered at a library, pseudonymously: the library card number is kept
    only as a keyed digest (it can be matched, not read back), the PIN as a password hash
    on the user account, and the home area is coarse (a department or commune code) — no
    name, no e-mail, no address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patron",
        verbose_name=_("user"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="patrons",
        verbose_name=_("institution"),
    )
    card_digest = models.CharField(_("card digest"), max_length=64)
    home_area = models.CharField(
        _("home area (department or commune code)"),
        max_length=10,
        blank=True,
        validators=[validate_home_area],
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("patron")
        verbose_name_plural = _("patrons")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "card_digest"], name="patron_card_unique_per_library"
            )
        ]

    def __str__(self):
        return self.user.username


class PortalKey(models.Model):
    """The secret a library's own portal uses to sign links that log its patrons in
    (HMAC-SHA256). Rotating it invalidates links signed with the old one."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="portal_key",
        verbose_name=_("institution"),
    )
    secret = models.CharField(_("signing secret"), max_length=128)
    created_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("portal key")
        verbose_name_plural = _("portal keys")

    def __str__(self):
        return f"{self.institution_id}"


class PortalNonce(models.Model):
    """A signed link's nonce, claimed at first use: a replay hits the unique constraint."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("institution"),
    )
    nonce = models.CharField(_("nonce"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("portal link nonce")
        verbose_name_plural = _("portal link nonces")
        constraints = [
            models.UniqueConstraint(fields=["institution", "nonce"], name="portal_nonce_once")
        ]

    def __str__(self):
        return self.nonce
