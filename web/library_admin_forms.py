"""Forms of the library's back office (staff, patrons, subscription, statistics,
selections, catalogue records). They shape input only; every rule is the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

STAFF_ROLES = [
    (User.Role.INSTITUTION_MEMBER.value, _("Staff member")),
    (User.Role.INSTITUTION_ADMIN.value, _("Administrator")),
]


class StaffInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=150,
        help_text=_("The invitation is sent there; it is also the username."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLES)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLES)


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your account"), max_length=254)


class PasswordChooseForm(forms.Form):
    """A new password, twice; the site's password rules are the service's to apply
    (`accounts.staff.password_set_with_link`), their refusal shown on the first field."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("At least 8 characters, not too common, not only digits."),
    )
    password2 = forms.CharField(
        label=_("New password, again"), strip=False, widget=forms.PasswordInput
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
