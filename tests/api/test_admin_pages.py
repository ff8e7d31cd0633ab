"""Every page of the staff admin opens on the demo data: the list of each registered
model (also with each of its list filters applied), its add form and the change form of
one row. A list filter, a `list_display` entry or a read-only field naming something that
does not exist answers 500 here rather than in front of the cinema staff."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User


@pytest.fixture
def superuser_client(demo_data, db):
    user = User.objects.create_superuser("admin-pages", "admin-pages@example.org", "x-Pages-2026")
    client = Client()
    client.force_login(user)
    return client


#: what a change list may cost in SQL queries on the demo data, whatever its length: the
#: session, the user, the count, the page, the filters' choices — never one per row
CHANGELIST_QUERIES = 12


@pytest.mark.slow
def test_every_admin_page_opens(superuser_client):
    """Slow on purpose (about 300 pages on the demo data): a page nobody opens is where an
    admin setting naming a missing field waits."""
    failures = []
    registered = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
    assert len(registered) > 20
    for model, model_admin in registered:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        pages = [reverse(f"{base}_changelist"), reverse(f"{base}_changelist") + "?q=a"]
        for spec in model_admin.list_filter:
            field = spec[0] if isinstance(spec, tuple) else spec
            if isinstance(field, str):
                pages.append(reverse(f"{base}_changelist") + f"?{field}__isnull=False")
        if model_admin.has_add_permission(_request(superuser_client)):
            pages.append(reverse(f"{base}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{base}_change", args=[first.pk]))
        with CaptureQueriesContext(connection) as queries:
            superuser_client.get(reverse(f"{base}_changelist"))
        if len(queries) > CHANGELIST_QUERIES:
            failures.append(f"{reverse(f'{base}_changelist')}: {len(queries)} queries")
        for page in pages:
            response = superuser_client.get(page)
            # 302: a filter the admin refuses (it redirects with ?e=1), never a 500
            if response.status_code not in (200, 302):
                failures.append(f"{page}: {response.status_code}")
    assert not failures


def _request(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="admin-pages")
    return request
