"""Demo accounts, one per role (printed by `manage.py demo_logins`)."""

from __future__ import annotations

from accounts.models import User
from accounts.services import user_create
from demo import plan
from institutions.demo import DEMO_LIBRARY_CODE, DEMO_NETWORK_CODE
from institutions.models import Institution

DEMO_PASSWORD = "demo-catalogue-2017"  # noqa: S105 (public demo data only)

#: username -> (role, institution code or None, what the account shows)
DEMO_ACCOUNTS = {
    "editor": (User.Role.CATALOGUE_EDITOR, None, "cinema service, catalogue editor"),
    "negotiator": (User.Role.RIGHTS_NEGOTIATOR, None, "cinema service, rights negotiator"),
    "network-admin": (
        User.Role.INSTITUTION_ADMIN,
        DEMO_NETWORK_CODE,
        "administrator of a departmental network",
    ),
    "library-admin": (User.Role.INSTITUTION_ADMIN, DEMO_LIBRARY_CODE, "library administrator"),
    "library-staff": (User.Role.INSTITUTION_MEMBER, DEMO_LIBRARY_CODE, "library staff member"),
    "patron-demo": (User.Role.PATRON, DEMO_LIBRARY_CODE, "patron (pseudonymous)"),
    # attached to the first demo rights holder by the royalties app's demo
    "holder-demo": (User.Role.RIGHTS_HOLDER, None, "rights holder (read-only space)"),
}


def seed(ctx: plan.DemoContext) -> None:
    created = 0
    institutions = Institution.objects.in_bulk(
        [code for _, code, _ in DEMO_ACCOUNTS.values() if code], field_name="code"
    )
    for username, (role, code, _label) in DEMO_ACCOUNTS.items():
        if User.objects.filter(username=username).exists():
            continue
        user_create(
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            institution=institutions.get(code) if code else None,
            # staff addresses for the e-mails the jobs send (console backend by default)
            email="" if role == User.Role.PATRON else f"{username}@demo.example.org",
        )
        created += 1
    ctx.say(f"accounts: {created} demo accounts created")
