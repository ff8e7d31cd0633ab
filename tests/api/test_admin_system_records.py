"""Records only the system writes — logs, ledgers, deliveries, numbered documents — are
read-only in the staff admin: nobody adds, edits or deletes them there (a view event added
by hand would count in the statistics, an invoice would skip its numbering, a stock
movement its ledger rules)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User

SYSTEM_RECORDS = [
    "media.PlaybackSession",
    "media.ViewEvent",
    "media.Upload",
    "subscriptions.WebhookEvent",
    "subscriptions.Invoice",
    "subscriptions.Patron",
    "editorial.NewsletterSend",
    "orders.StockMovement",
    "orders.Order",
    "accounts.ApiToken",
    "stats.StatsExport",
    "records.RecordsExport",
]
#: inlines showing system-written rows inside another record's page
SYSTEM_INLINES = [
    ("orders.Order", "orders.OrderLine"),
    ("orders.Order", "orders.OrderEvent"),
    ("subscriptions.Subscription", "subscriptions.ScreeningCreditEntry"),
]


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "x-Root-2026")


@pytest.fixture
def superuser_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("label", SYSTEM_RECORDS)
def test_nobody_adds_a_system_record_in_the_admin(superuser_client, label):
    model = apps.get_model(label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    before = model._default_manager.count()
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {}).status_code == 403
    assert model._default_manager.count() == before


@pytest.mark.parametrize("label", SYSTEM_RECORDS)
def test_nor_edits_one(superuser, label):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_add_permission(request)
    # deleting is allowed only where it means something (revoking a login)
    assert model_admin.has_delete_permission(request) == (label == "accounts.ApiToken")


@pytest.mark.parametrize(("parent", "label"), SYSTEM_INLINES)
def test_nor_adds_or_edits_one_inside_another_record(superuser, parent, label):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    parent_admin = admin.site._registry[apps.get_model(parent)]
    inline = next(
        i for i in parent_admin.get_inline_instances(request) if i.model._meta.label == label
    )
    assert not inline.has_add_permission(request, None)
    assert not inline.has_change_permission(request, None)
    assert not inline.has_delete_permission(request, None)


def test_an_api_token_is_revoked_from_the_admin(superuser_client, library_admin):
    from accounts.models import ApiToken

    token, _key = ApiToken.objects.create(user=library_admin)
    url = reverse("admin:accounts_apitoken_delete", args=[token.pk])
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
