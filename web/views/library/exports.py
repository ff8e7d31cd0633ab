"""Files prepared in the background (a long statistics CSV, a large full MARC file), in
the library's back office: the part of a page that says a file is being prepared — htmx
asks for it again every 2 seconds until it is ready or failed, a plain link reloads the
page without JavaScript — then offers the download. The files are the institution's
staff's only (another institution's, or an expired one, is a 404: `backend.exports`).
Each kind is owned by its app (`stats.StatsExport`, `records.RecordsExport`)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.exports import export_get_for
from records.models import RecordsExport
from stats.models import StatsExport
from web.views.library.admin_access import library_staff_required

#: the files of a kind listed on its page
EXPORTS_SHOWN = 5
#: the kind in the URL → its model and the page that lists its files
KINDS = {
    "statistiques": (StatsExport, "web:library-stats"),
    "notices": (RecordsExport, "web:library-records"),
}


def _export(request, kind: str, pk: int):
    if kind not in KINDS:
        raise Http404(_("No such file."))
    model, page = KINDS[kind]
    return export_get_for(model, request.user, pk), page


def export_refused(request, message, *, status: int):
    """A request for a file refused: the sentence, and the way back (4xx)."""
    return render(
        request,
        "web/library/export_refused.html",
        {"message": message, "page_title": _("The file cannot be prepared")},
        status=status,
    )


@never_cache
@library_staff_required
@require_GET
def export_status(request, kind: str, pk: int):
    """The file's part of its page (htmx polls it while the file is prepared); without
    htmx, the page itself."""
    export, page = _export(request, kind, pk)
    if not request.headers.get("HX-Request"):
        return redirect(reverse(page) + "#exports")
    return render(
        request,
        "web/library/partials/export.html",
        {"export": export, "export_kind": kind, "export_back": reverse(page)},
    )


@never_cache
@library_staff_required
@require_GET
def export_download(request, kind: str, pk: int):
    """The prepared file, once ready (404 before, or once expired)."""
    export, _page = _export(request, kind, pk)
    if not export.is_ready or not export.file:
        raise Http404(_("This file is not ready."))
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )
