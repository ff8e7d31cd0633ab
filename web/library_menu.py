"""The library's back office navigation: one registry of its pages, read by
`web/templates/web/library/base.html`. Each part of the back office adds its entries here
(url name, label, the roles that see it); nothing else lists them.

`libraries_only`: the page is about a library's own doings (screenings, DVD orders), not
a network's — a network's staff do not see it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import User

STAFF = frozenset(User.INSTITUTION_STAFF_ROLES)
ADMINS = frozenset({User.Role.INSTITUTION_ADMIN})


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    roles: frozenset = STAFF
    libraries_only: bool = False
    #: the `library_section` a page sets to mark this entry as the current one
    section: str = ""


MENU: list[MenuEntry] = [
    MenuEntry("web:library-dashboard", _("Dashboard"), section="dashboard"),
    MenuEntry(
        "web:library-screenings", _("Public screenings"), libraries_only=True, section="screenings"
    ),
    MenuEntry("web:library-dvd", _("DVD ordering"), libraries_only=True, section="dvd-ordering"),
    MenuEntry("web:library-patrons", _("Patrons"), libraries_only=True, section="patrons"),
    MenuEntry("web:library-stats", _("Statistics"), section="stats"),
    MenuEntry("web:library-subscription", _("Subscription and invoices"), section="subscription"),
    MenuEntry("web:library-selections", _("Selections"), section="selections"),
    MenuEntry("web:library-records", _("Catalogue records"), section="records"),
    MenuEntry("web:library-staff", _("Staff accounts"), section="staff"),
]


def entries_for(user) -> list[MenuEntry]:
    """The entries this user's role (and institution: a library or a network) may open."""
    if not (user.is_authenticated and user.is_institution_staff):
        return []
    network = bool(user.institution and user.institution.is_network)
    return [
        entry
        for entry in MENU
        if user.role in entry.roles and not (entry.libraries_only and network)
    ]
