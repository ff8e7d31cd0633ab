"""Catalogue records, in the library's back office: the full file of MARC records of the
films the library may stream today and the dated daily update files, in MARC 21, UNIMARC
or MARCXML — downloaded from the records API (`/api/v1/records/…`, the same files a
library system harvests; the session signs the request) — and the proxy prefix of the
856 playback link (administrators, `records.services.record_settings_set`). A full file of
more films than `RECORDS_EXPORT_BACKGROUND_RECORDS` is prepared in the background
(`records.services.records_export_request`) and offered when ready
(`web.views.library.exports`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import ApplicationError
from backend.exports import exports_visible
from records import selectors, services
from records.models import RecordsExport
from web.library_admin_forms import ProxyPrefixForm
from web.views.library.admin_access import library_staff_required, refusal_on_form, render_library
from web.views.library.exports import EXPORTS_SHOWN, export_refused

CURRENT = "web:library-records"
UPDATE_FILES_SHOWN = 30
FORMATS = (("marc21", "MARC 21"), ("unimarc", "UNIMARC"), ("marcxml", "MARCXML"))


@library_staff_required
@require_http_methods(["GET", "POST"])
def records_page(request):
    user = request.user
    institution = user.institution
    prefix = selectors.proxy_prefix_of(institution)
    form = ProxyPrefixForm(request.POST or None, initial={"proxy_prefix": prefix})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                selectors.record_settings_manager_required(user)
                services.record_settings_set(
                    institution=institution, proxy_prefix=form.cleaned_data["proxy_prefix"]
                )
            except ApplicationError as exc:
                refusal_on_form(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The proxy prefix is saved."))
                return redirect("web:library-records")
    today = timezone.localdate()
    subscriber = selectors.is_streaming_subscriber(institution, on=today)
    # how many records the full file holds: past the threshold it is prepared by a worker
    records = selectors.available_films(institution, on=today).count() if subscriber else 0
    return render_library(
        request,
        "web/library/records.html",
        {
            "subscriber": subscriber,
            "records": records,
            "large": records > settings.RECORDS_EXPORT_BACKGROUND_RECORDS,
            "exports": list(exports_visible(RecordsExport, institution.pk)[:EXPORTS_SHOWN]),
            "export_kind": "notices",
            "export_back": reverse("web:library-records"),
            "formats": FORMATS,
            "updates": list(selectors.update_files(institution)[:UPDATE_FILES_SHOWN]),
            "example_link": selectors.playback_link(institution, "CN-000001", proxy_prefix=prefix),
            "form": form,
            "can_manage": user.is_institution_admin,
        },
        current=CURRENT,
        title=_("Catalogue records"),
        status=status,
    )


@never_cache
@library_staff_required
@require_POST
def records_export_new(request):
    """Ask for the full file in a format to be prepared in the background (a large
    catalogue): a bad format answers 400, a library without streaming 403."""
    try:
        records = selectors.available_films(request.user.institution).count()
        services.records_export_request(
            user=request.user, fmt=request.POST.get("format", ""), estimated_records=records
        )
    except ApplicationError as exc:
        return export_refused(request, exc.message, status=exc.status_code)
    return redirect(reverse("web:library-records") + "#exports")
