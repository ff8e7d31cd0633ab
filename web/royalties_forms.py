"""Forms of the cinema staff's royalties pages (statements, payment terms, a rights
holder's users). They shape input only: every rule (negative amounts, overlapping
versions, periods, the statement's life) is the royalties services', whose refusals the
views put on the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rights.models import Medium, RightsHolder
from royalties.models import UNITS_BY_MEDIUM, FeeSchedule, Unit

STATE_CHOICES = [
    ("", _("Any state")),
    ("draft", _("To approve (drafts)")),
    ("due", _("Due (approved or sent, not yet due)")),
    ("overdue", _("Overdue (unpaid after the due day)")),
    ("paid", pgettext_lazy("statement", "Paid")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StatementFilterForm(forms.Form):
    """The list's filters (a GET form): a year or a quarter, a state, a rights holder."""

    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        required=False,
        help_text=_("A year (2017) or a quarter (2017-Q3)."),
    )
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    holder = forms.ModelChoiceField(
        label=_("Rights holder"),
        queryset=RightsHolder.objects.order_by("name", "pk"),
        required=False,
        empty_label=_("Every rights holder"),
    )


class StatementDraftForm(forms.Form):
    contract = forms.CharField(label=_("Contract reference"), max_length=40)
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("A year (2017) or a quarter (2017-Q3).")
    )


class StatementPayForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("The transfer's reference, as the bank gives it."),
    )


def rate_field_name(medium: str, unit: str) -> str:
    return f"rate_{medium}_{unit}"


#: the per-use rates a version may hold, one field each, in the order shown
RATE_FIELDS = [
    (medium, unit, rate_field_name(medium, unit))
    for medium in (Medium.STREAM_HOME, Medium.STREAM_ONSITE, Medium.PUBLIC_SCREENING, Medium.DVD)
    for unit in UNITS_BY_MEDIUM[medium]
]

MONEY = {"max_digits": 12, "decimal_places": 2}


class PaymentTermsForm(forms.Form):
    """A new version of a contract's payment terms: its window, the flat fee and its
    schedule, the yearly minimum guarantee, the advance, and a rate per medium and unit
    (empty: not paid by that unit)."""

    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=DateInput(),
        help_text=_("Last day included; empty: until the next version."),
    )
    flat_fee = forms.DecimalField(label=_("Flat fee (EUR)"), required=False, **MONEY)
    fee_schedule = forms.ChoiceField(
        label=_("Flat fee schedule"), choices=FeeSchedule.choices, initial=FeeSchedule.ON_SIGNATURE
    )
    instalments = forms.IntegerField(
        label=_("Number of instalments"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("For a fee paid in instalments, one a quarter."),
    )
    minimum_guarantee = forms.DecimalField(
        label=_("Minimum guarantee per year (EUR)"),
        required=False,
        help_text=_("A quarter's statement guarantees a quarter of it."),
        **MONEY,
    )
    advance = forms.DecimalField(
        label=_("Advance (EUR)"),
        required=False,
        help_text=_("Recouped from the per-use amounts before anything more is owed."),
        **MONEY,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rate_errors: list[str] = []
        for medium, unit, name in RATE_FIELDS:
            self.fields[name] = forms.DecimalField(
                label=f"{Medium(medium).label} — {Unit(unit).label} (EUR)",
                required=False,
                max_digits=12,
                decimal_places=4,
            )

    def rate_fields(self):
        return [self[name] for _medium, _unit, name in RATE_FIELDS]

    def terms_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "valid_from": data["valid_from"],
            "valid_to": data.get("valid_to"),
            "fee_schedule": data["fee_schedule"],
            "instalments": data.get("instalments"),
        }
        for name in ("flat_fee", "minimum_guarantee", "advance"):
            if data.get(name) is not None:
                fields[name] = data[name]
        return fields

    def rates(self) -> list[dict]:
        return [
            {"medium": medium, "unit": unit, "rate": self.cleaned_data[name]}
            for medium, unit, name in RATE_FIELDS
            if self.cleaned_data.get(name) is not None
        ]


class HolderMemberInviteForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        help_text=_("3 to 150 letters, digits and . @ + - _"),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The invitation is sent there, with a link that works once."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
