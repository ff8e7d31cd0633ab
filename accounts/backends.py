"""Authentication backends: username and password, and role-based admin permissions.

A patron registered with a library card logs in with the card and its PIN only
(`subscriptions.backends.PatronCardBackend`): their PIN is not a password, so the
username-and-password routes (API token, admin, browsable API) refuse them — otherwise
anyone who learnt a patron's pseudonym could try PINs under the password lockout, which is
far shorter than the card's.

Role-based permissions for the admin site:

The cinema staff manage the service's own records (catalogue, rights, institutions,
subscriptions, media, orders, statistics) without per-user permission bookkeeping; they
read accounts but do not edit them (that would let them grant themselves superuser).
Superusers keep every permission through Django's ModelBackend.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend

CINEMA_STAFF_APPS = frozenset(
    {
        "catalogue",
        "rights",
        "institutions",
        "subscriptions",
        "media",
        "orders",
        "stats",
        "editorial",
    }
)
CINEMA_STAFF_READ_ONLY_APPS = frozenset({"accounts"})


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not (user_obj.is_active and getattr(user_obj, "is_cinema_staff", False)):
            return False
        app_label, _, codename = perm.partition(".")
        if app_label in CINEMA_STAFF_APPS:
            return True
        return app_label in CINEMA_STAFF_READ_ONLY_APPS and codename.startswith("view_")

    def has_module_perms(self, user_obj, app_label):
        if not (user_obj.is_active and getattr(user_obj, "is_cinema_staff", False)):
            return False
        return app_label in CINEMA_STAFF_APPS | CINEMA_STAFF_READ_ONLY_APPS


class StaffPasswordBackend(ModelBackend):
    """Django's username-and-password backend, for everyone but card-holding patrons."""

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        # a patron's card lives on the subscriptions side: the reverse accessor, no import
        return not (user.role == user.Role.PATRON and hasattr(user, "patron"))
