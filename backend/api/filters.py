"""Filters shared by the apps' filter sets."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class StrictBooleanField(forms.Field):
    """A boolean query parameter that refuses anything but true/false (and 1/0, yes/no)
    instead of silently ignoring a typo."""

    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        lowered = str(value).strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """A filter on an object id: a positive integer the database can hold, else a 400
    naming the parameter (not a database overflow)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
