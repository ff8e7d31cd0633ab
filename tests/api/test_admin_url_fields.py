"""The staff admin's URL fields complete an address typed without a scheme with
`https://` (Django 6.0's default), asked for on each field: a `forms.URLField` built
without `assume_scheme` warns (RemovedInDjango60Warning) and the suite turns that warning
into an error (pyproject.toml's `filterwarnings`), so a new admin, form or model form
with a URL field cannot bring it back unnoticed."""

from __future__ import annotations

import warnings

import pytest
from django import forms
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from records.models import RecordSettings
from rights.models import RightsHolder

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "x-Root-2026")


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_form_and_inline_builds_without_the_url_scheme_warning(superuser):
    request = _request(superuser)
    failures = []
    registered = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
    for model, model_admin in registered:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", "The default scheme", DeprecationWarning)
            try:
                model_admin.get_form(request)()
                for inline in model_admin.get_inline_instances(request):
                    inline.get_formset(request)()
            except DeprecationWarning as warning:
                failures.append(f"{model._meta.label}: {warning}")
    assert not failures, failures


@pytest.mark.parametrize(
    ("model", "field", "typed", "kept"),
    [
        (RightsHolder, "website", "films-du-nord.example", "https://films-du-nord.example"),
        (RecordSettings, "proxy_prefix", "proxy.bib.example/login?url=",
         "https://proxy.bib.example/login?url="),
        (RightsHolder, "website", "http://ancien.example", "http://ancien.example"),
    ],
)  # fmt: skip
def test_an_address_typed_without_a_scheme_is_completed_with_https(
    superuser, model, field, typed, kept
):
    form_class = admin.site._registry[model].get_form(_request(superuser))
    form = form_class(data={field: typed})
    form.is_valid()
    assert field not in form.errors, form.errors
    assert form.cleaned_data[field] == kept


def test_the_rights_holder_saved_from_the_admin_keeps_an_https_website(superuser):
    client = Client()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:rights_rightsholder_add"),
        {
            "name": "Les Films du Nord",
            "kind": RightsHolder.Kind.PRODUCER,
            "country": "FR",
            "website": "films-du-nord.example",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RightsHolder.objects.get(name="Les Films du Nord").website == (
        "https://films-du-nord.example"
    )


def test_the_suite_turns_the_url_scheme_warning_into_an_error():
    """pyproject.toml's `filterwarnings`: a URL field that does not say its scheme fails
    the test that builds it. (With Django 6.0 the warning, and this test, go.)"""
    with pytest.raises(DeprecationWarning, match="The default scheme will be changed"):
        forms.URLField()
    forms.URLField(assume_scheme="https")
