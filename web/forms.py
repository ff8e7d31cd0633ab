"""Forms of the web client. The catalogue's search form only shapes what the visitor
chose into the API's own filter parameters (`catalogue.filters.FilmFilter`), so a page
and `/api/v1/films/` answer the same films for the same choices."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Country, Language, Theme
from rights.models import Medium

#: sorts offered, as the API's `ordering` (None: relevance when searching, else title)
SORTS = {
    "": (_("Relevance (when searching), else title"), None),
    "title": (_("Title, A to Z"), ("title", "pk")),
    "-year": (_("Year, newest first"), ("-year", "title", "pk")),
    "year": (_("Year, oldest first"), ("year", "title", "pk")),
    "-added_on": (_("Recently added"), ("-added_on", "title", "pk")),
    "runtime_minutes": (_("Shortest first"), ("runtime_minutes", "title", "pk")),
}
AVAILABLE_CHOICES = [
    ("", _("Any")),
    (Medium.STREAM_HOME, _("Watch at home")),
    (Medium.STREAM_ONSITE, _("Watch in the library")),
    (Medium.PUBLIC_SCREENING, _("Public screening")),
    (Medium.DVD, _("DVD")),
]
#: check boxes and the API's boolean filter each one sets to true
FLAGS = {
    "french_subtitles": _("French subtitles"),
    "sdh": _("Subtitles for the deaf and hard of hearing"),
    "audio_description": _("Audio description"),
    "animated": _("Animated documentary"),
}


class FilmSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Original language"), required=False)
    year_min = forms.IntegerField(
        label=_("From year"), min_value=1890, max_value=2100, required=False
    )
    year_max = forms.IntegerField(
        label=_("To year"), min_value=1890, max_value=2100, required=False
    )
    french_subtitles = forms.BooleanField(label=FLAGS["french_subtitles"], required=False)
    sdh = forms.BooleanField(label=FLAGS["sdh"], required=False)
    audio_description = forms.BooleanField(label=FLAGS["audio_description"], required=False)
    animated = forms.BooleanField(label=FLAGS["animated"], required=False)
    available = forms.ChoiceField(
        label=_("Available to my library"), choices=AVAILABLE_CHOICES, required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=[(k, v[0]) for k, v in SORTS.items()], required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["theme"].choices = any_choice + list(
            Theme.objects.order_by("name").values_list("slug", "name")
        )
        self.fields["country"].choices = any_choice + list(
            Country.objects.filter(films__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("code", "name")
        )
        self.fields["language"].choices = any_choice + list(
            Language.objects.filter(films__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("code", "name")
        )
        if user is None or not user.is_authenticated or user.institution_id is None:
            del self.fields["available"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("year_min"), cleaned.get("year_max")
        if low and high and low > high:
            self.add_error("year_max", _("The last year comes before the first."))
        return cleaned

    def filter_data(self) -> dict[str, str]:
        """The choices as the API's filter parameters."""
        data = {}
        for name in ("q", "theme", "country", "language", "available"):
            if self.cleaned_data.get(name):
                data[name] = self.cleaned_data[name]
        for name in ("year_min", "year_max"):
            if self.cleaned_data.get(name) is not None:
                data[name] = str(self.cleaned_data[name])
        for name in FLAGS:
            if self.cleaned_data.get(name):
                data[name] = "true"
        return data

    def ordering(self):
        return SORTS.get(self.cleaned_data.get("sort") or "", (None, None))[1]

    def query_without_page(self) -> str:
        """The current choices as a query string, for the pagination links."""
        if not self.is_bound:
            return ""
        pairs = [(k, v) for k, v in self.data.items() if k != "page" and v not in ("", None)]
        return urlencode(pairs)

    def active_filters(self) -> int:
        if not self.is_bound or not self.is_valid():
            return 0
        return sum(1 for k, v in self.cleaned_data.items() if v and k not in ("q", "sort"))


class LibraryFinderForm(forms.Form):
    q = forms.CharField(
        label=_("Name, town, department or code of the library"), max_length=100, required=False
    )


class CardSignInForm(forms.Form):
    """A patron's library card and PIN; the library is given (`?bib=`) or typed."""

    library_code = forms.CharField(
        label=_("Library code"),
        max_length=50,
        help_text=_("Printed on your card, or ask your library. You can also find it below."),
    )
    card = forms.CharField(label=_("Card number"), max_length=50)
    pin = forms.CharField(label=_("PIN"), max_length=12, widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, library=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.library = library
        if library is not None:
            del self.fields["library_code"]

    def institution_code(self) -> str:
        if self.library is not None:
            return self.library.code
        return self.cleaned_data["library_code"].strip()


class StaffSignInForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
