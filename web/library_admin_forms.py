"""Forms of the library's back office (staff, patrons, subscription, statistics,
selections, catalogue records). They shape input only; every rule is the services'."""

from __future__ import annotations

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from subscriptions.models.patrons import validate_home_area

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


class PatronCardForm(forms.Form):
    card = forms.CharField(label=_("Library card number"), max_length=64)


class PatronRegisterForm(forms.Form):
    card = forms.CharField(label=_("Library card number"), max_length=64)
    home_area = forms.CharField(
        label=_("Home area (optional)"),
        max_length=10,
        required=False,
        help_text=_(
            "A department code (69, 2A, 974) or a commune's INSEE code (69123): where the "
            "patron lives, for the statistics. No address is kept."
        ),
    )
    pin = forms.CharField(
        label=_("PIN (optional)"),
        max_length=8,
        required=False,
        strip=False,
        help_text=_("6 to 8 digits. Leave empty and a PIN is drawn for you."),
    )

    def clean_home_area(self):
        value = self.cleaned_data["home_area"].strip().upper()
        if value:
            validate_home_area(value)  # the model's own rule, as the API applies it
        return value


class PatronPinForm(forms.Form):
    pin = forms.CharField(
        label=_("New PIN (optional)"),
        max_length=8,
        required=False,
        strip=False,
        help_text=_("6 to 8 digits. Leave empty and a PIN is drawn for you."),
    )


class PatronEraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: erase this patron's registration and personal data"),
        required=True,
    )


class QuoteForm(forms.Form):
    """A plan of the grid and the day it starts; the price is the service's quote."""

    plan = forms.ChoiceField(label=_("Subscription or pack"))
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For one year from that day."),
    )

    def __init__(self, *args, plans=(), quotes=None, **kwargs):
        """`quotes`: the price of each plan for the library (`{plan id: Quote}`), shown
        in its choice so the librarian picks with the price in view."""
        super().__init__(*args, **kwargs)
        quotes = quotes or {}
        self.plans = {str(plan.pk): plan for plan in plans}
        self.fields["plan"].choices = [
            (pk, _plan_choice_label(plan, quotes.get(plan.pk))) for pk, plan in self.plans.items()
        ]

    def clean_plan(self):
        return self.plans[self.cleaned_data["plan"]]


def _plan_choice_label(plan, quote) -> str:
    if quote is None:
        return plan.name
    return _("%(plan)s — %(price)s € incl. VAT") % {
        "plan": plan.name,
        "price": number_format(quote.price_incl_vat, 2, force_grouping=True),
    }


#: how to pay: the administrative invoice always; card and SEPA debit only when Stripe is
#: configured (`subscriptions.selectors.online_payment_available`)
INVOICE_CHOICE = (
    "administrative_invoice",
    _("Purchase order and bank transfer (administrative invoice)"),
)
ONLINE_CHOICES = [
    ("card", _("Card, through Stripe")),
    ("sepa_debit", _("SEPA direct debit, through Stripe")),
]


class PaymentForm(forms.Form):
    payment_method = forms.ChoiceField(label=_("How to pay"), widget=forms.RadioSelect)
    purchase_order_reference = forms.CharField(
        label=_("Purchase order reference (optional)"),
        max_length=100,
        required=False,
        help_text=_("Printed on the invoice, for your accounting department."),
    )

    def __init__(self, *args, online: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.online = online
        self.fields["payment_method"].choices = [INVOICE_CHOICE] + (
            ONLINE_CHOICES if online else []
        )
        if not online:  # the one way: chosen already
            self.fields["payment_method"].initial = INVOICE_CHOICE[0]


STATS_GROUPINGS = [
    ("month", _("Month")),
    ("film", _("Film")),
    ("library", _("Library")),
    ("department", _("Department")),
    ("region", _("Region")),
]


class StatsForm(forms.Form):
    """The period, the grouping of the tables and, for a network, whose figures (the
    network's, or one member's). The period's rules are `stats.selectors.scope`'s."""

    institution = forms.TypedChoiceField(
        label=_("Figures of"), coerce=int, required=False, empty_value=None
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label=_("Tables grouped by"), choices=STATS_GROUPINGS, required=False
    )

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [(i.pk, i.name) for i in institutions]
        if len(institutions) < 2:
            del self.fields["institution"]


class SushiCredentialForm(forms.Form):
    label = forms.CharField(
        label=_("Label (optional)"),
        max_length=100,
        required=False,
        help_text=_("Which tool harvests with it, to recognise it later."),
    )


class SelectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea
    )


class SelectionItemForm(forms.Form):
    reference = forms.CharField(
        label=_("Film reference"),
        max_length=40,
        help_text=_("As on the film's page, for example CN-000123."),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)
    position = forms.IntegerField(
        label=_("Position (optional)"),
        min_value=1,
        max_value=10_000,
        required=False,
        help_text=_("1 puts it first; empty, last."),
    )


class ProxyPrefixForm(forms.Form):
    proxy_prefix = forms.URLField(
        label=_("Proxy prefix (optional)"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Put before the playback link of every record, for example "
            "https://proxy.bib.example/login?url= — leave empty for none."
        ),
    )
