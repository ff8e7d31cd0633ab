from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class StaffUserManager(UserManager):
    """`manage.py createsuperuser` makes a member of the cinema service (a catalogue
    editor, in no institution) unless told otherwise: a superuser without a role would
    break the role/institution constraint."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.CATALOGUE_EDITOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. The role says which side of the service they are on.

    Cinema staff belong to no institution; institution staff and patrons belong to exactly
    one (a database constraint holds it). Patrons are pseudonymous: no name or e-mail is
    needed, their username is an opaque identifier.
    """

    class Role(models.TextChoices):
        CATALOGUE_EDITOR = "catalogue_editor", _("Catalogue editor (cinema service)")
        RIGHTS_NEGOTIATOR = "rights_negotiator", _("Rights negotiator (cinema service)")
        INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
        INSTITUTION_MEMBER = "institution_member", _("Institution staff member")
        PATRON = "patron", _("Patron")
        RIGHTS_HOLDER = "rights_holder", _("Rights holder (read-only space)")

    CINEMA_ROLES = frozenset({Role.CATALOGUE_EDITOR, Role.RIGHTS_NEGOTIATOR})
    INSTITUTION_STAFF_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.INSTITUTION_MEMBER})

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )

    objects = StaffUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_institution_matches_role",
                condition=(
                    Q(
                        role__in=["catalogue_editor", "rights_negotiator", "rights_holder"],
                        institution__isnull=True,
                    )
                    | Q(
                        role__in=["institution_admin", "institution_member", "patron"],
                        institution__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def is_cinema_staff(self) -> bool:
        return self.role in self.CINEMA_ROLES

    @property
    def is_institution_staff(self) -> bool:
        return self.role in self.INSTITUTION_STAFF_ROLES

    @property
    def is_institution_admin(self) -> bool:
        return self.role == self.Role.INSTITUTION_ADMIN

    @property
    def is_rights_holder(self) -> bool:
        """A rights holder's user (`royalties.RightsHolderMember` says which holder)."""
        return self.role == self.Role.RIGHTS_HOLDER

    @property
    def is_patron(self) -> bool:
        return self.role == self.Role.PATRON


class ApiToken(AbstractAuthToken):
    """An API token: one login on one device (django-rest-knox). Only a digest of the token
    is kept; it expires (`API_TOKEN_TTL_HOURS`), and its user may revoke it, or all of
    theirs (log out one device, or every device)."""

    # knox's fields, named for the admin and the schema
    digest = models.CharField(
        _("digest of the key"), max_length=CONSTANTS.DIGEST_LENGTH, primary_key=True
    )
    token_key = models.CharField(
        _("public id"),
        max_length=CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH,
        db_index=True,
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        related_name="auth_token_set",
        on_delete=models.CASCADE,
    )
    created = models.DateTimeField(_("created at"), auto_now_add=True)
    expiry = models.DateTimeField(_("expires at"), null=True, blank=True)
    device = models.CharField(
        _("device"),
        max_length=200,
        blank=True,
        help_text=_("What the client said it was at login (its name or User-Agent)."),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.token_key}… ({self.user_id})"
