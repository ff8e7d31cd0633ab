"""Statistics, in the library's back office: views, public screenings and DVD orders by
month (charts drawn by `stats.charts`, the table beside each), the films most watched,
where the library's patrons live against where it is; a period and a grouping to
choose; the CSV of every table; and the SUSHI credentials (COUNTER harvesting) — created
with the key shown once, revoked. A network's administrator reads the network's figures
or one member's. Whose figures a user may read is `stats.selectors.scope`'s answer:
another library's answer 404. A table longer than `STATS_EXPORT_BACKGROUND_ROWS` offers
its CSV prepared in the background (`stats.services.stats_export_request`) instead of at
once — its `?csv=` address typed by hand leads back to that offer —: the page lists the
files being prepared and ready (`web.views.library.exports`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from backend.errors import ApplicationError
from backend.exports import exports_visible
from institutions.selectors import network_members
from stats.charts import bar_chart_svg
from stats.exports import table_csv_response
from stats.models import StatsExport, SushiCredential
from stats.selectors.scope import period_from, stats_scope_get_for
from stats.selectors.sushi import sushi_manager_required
from stats.selectors.tables import TABLES, stats_table, stats_table_size
from stats.selectors.territory import home_area_summary
from stats.selectors.usage import MEASURE_LABELS, SOURCES, monthly_series
from stats.services import (
    stats_export_request,
    sushi_credential_create,
    sushi_credential_revoke,
)
from web.library_admin_forms import StatsForm, SushiCredentialForm
from web.views.library.admin_access import library_staff_required, refusal_on_form, render_library
from web.views.library.exports import EXPORTS_SHOWN, export_refused

CURRENT = "web:library-stats"
CHART_TEMPLATE = "web/library/charts/bar_chart.svg"

#: headers of the tables' columns that are not measures
COLUMN_LABELS = {
    "month": _("Month"),
    "film_reference": _("Reference"),
    "film_title": _("Film"),
    "library_code": _("Code"),
    "library_name": _("Library"),
    "department": _("Department"),
    "region": _("Region"),
    "region_name": _("Region name"),
    "relation_label": _("Where"),
    "label": _("Where"),
}
#: what the HTML tables leave out (ids, codes repeated); the CSV keeps every column
HIDDEN_COLUMNS = {"film_pk", "library_pk", "network_pk", "relation", "region"}
SOURCE_TITLES = {
    "views": _("Views"),
    "screenings": _("Public screenings"),
    "orders": _("DVD orders"),
}
#: the measure each source's monthly chart draws
CHARTED = {"views": "views", "screenings": "screenings", "orders": "copies"}


def _label(column: str) -> str:
    return str(COLUMN_LABELS.get(column) or MEASURE_LABELS.get(column) or column)


def _table(key: str, title, rows: list[dict]) -> dict:
    columns = [c for c in (rows[0] if rows else {}) if c not in HIDDEN_COLUMNS]
    return {
        "key": key,
        "title": title,
        "headers": [_label(c) for c in columns],
        "rows": [[row[c] for c in columns] for row in rows],
        # the CSV's rows: the table built (no query to count them)
        "size": len(rows),
        # its CSV is prepared in the background rather than written at once
        "large": len(rows) > settings.STATS_EXPORT_BACKGROUND_ROWS,
    }


def _chart(key: str, title, labels, values, unit="") -> str:
    return bar_chart_svg(
        title=str(title),
        labels=[str(label) for label in labels],
        values=list(values),
        unit=str(unit),
        template=CHART_TEMPLATE,
        chart_id=f"chart-{key}",
    )


def _asked(request, data):
    """(form, status, group_by, period, scope) of the page's choices in `data`."""
    user = request.user
    own = user.institution
    institutions = (
        [own, *network_members(network=own).order_by("name")] if own.is_network else [own]
    )
    form = StatsForm(data or None, institutions=institutions)
    status = 200
    group_by, start, end, institution_id = "month", None, None, None
    if form.is_bound:
        if form.is_valid():
            group_by = form.cleaned_data["group_by"] or "month"
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            # a single library has no choice to make: an id it sends anyway is still
            # asked of the scope helper (another's: 404)
            institution_id = form.cleaned_data.get("institution") or data.get("institution")
        else:
            status = 400
    try:
        period = period_from(start, end)
    except ApplicationError as exc:
        refusal_on_form(form, exc)
        period, status = period_from(None, None), exc.status_code
    scope = stats_scope_get_for(user, institution_id)  # another's: 404
    return form, status, group_by, period, scope


def _tables_of(scope) -> tuple[str, ...]:
    """The tables the page shows for a scope (where the patrons live: a library's only)."""
    if scope.institution is not None and not scope.institution.is_network:
        return TABLES
    return tuple(name for name in TABLES if name != "home_areas")


def _csv_or_background(request, wanted, scope, period, group_by):
    """`?csv=<table>`: the table's CSV, written at once when it is short. A long one (more
    than `STATS_EXPORT_BACKGROUND_ROWS` rows, counted by the database, the table not
    built) is not written in the request even when its address is typed by hand: back to
    the page, at the table, whose button prepares it in the background, with a message
    saying so. A GET asks for nothing to be prepared (a prefetched or crawled link would)."""
    size = stats_table_size(wanted, scope=scope, period=period, group_by=group_by)
    if size > settings.STATS_EXPORT_BACKGROUND_ROWS:
        messages.info(
            request,
            _(
                "This table has %(rows)s rows: its CSV is too long to be written at once. "
                "Press “Prepare the CSV” below the table: the file is prepared in the "
                "background and offered under “Files prepared for you” when ready."
            )
            % {"rows": size},
        )
        query = request.GET.copy()
        query.pop("csv", None)
        back = reverse("web:library-stats") + (f"?{query.urlencode()}" if query else "")
        return redirect(f"{back}#stats-{wanted}")
    rows = stats_table(wanted, scope=scope, period=period, group_by=group_by)
    who = scope.institution.code if scope.institution else "national"
    return table_csv_response(
        f"{wanted}-{who}-{period.start:%Y%m%d}-{period.end:%Y%m%d}",
        rows,
        list(rows[0]) if rows else [],
    )


@never_cache
@library_staff_required
@require_GET
def stats_page(request):
    user = request.user
    own = user.institution
    form, status, group_by, period, scope = _asked(request, request.GET)
    wanted = request.GET.get("csv")
    if wanted in _tables_of(scope) and status == 200:
        return _csv_or_background(request, wanted, scope, period, group_by)
    sections = []
    for name, source in SOURCES.items():
        series = monthly_series(source, scope=scope, period=period)
        measure = CHARTED[name]
        grouped = stats_table(name, scope=scope, period=period, group_by=group_by, series=series)
        sections.append(
            {
                "table": _table(name, SOURCE_TITLES[name], grouped),
                "chart": _chart(
                    name,
                    _("%(what)s by month") % {"what": SOURCE_TITLES[name]},
                    [row["month"] for row in series],
                    [row[measure] for row in series],
                    MEASURE_LABELS[measure],
                ),
            }
        )
    top = stats_table("top_films", scope=scope, period=period)
    extra = [
        {
            "table": _table("top_films", _("Most watched films"), top),
            "chart": _chart(
                "top_films",
                _("Most watched films"),
                [row["film_title"] for row in top],
                [row["views"] for row in top],
                MEASURE_LABELS["views"],
            ),
        }
    ]
    if "home_areas" in _tables_of(scope):
        areas = stats_table("home_areas", scope=scope, period=period)
        summary = home_area_summary(areas)
        extra.append(
            {
                "table": _table("home_areas", _("Where the patrons live"), areas),
                "chart": _chart(
                    "home_areas",
                    _("Views by where the patrons live"),
                    [row["label"] for row in summary],
                    [row["views"] for row in summary],
                    MEASURE_LABELS["views"],
                ),
            }
        )
    query = request.GET.copy()
    query.pop("csv", None)
    return render_library(
        request,
        "web/library/stats.html",
        {
            "form": form,
            "scope": scope,
            "period": period,
            "sections": sections + extra,
            "query": query.urlencode(),
            "credentials": list(
                SushiCredential.objects.filter(institution=own).order_by("-created_at")
            ),
            "credential_form": SushiCredentialForm(),
            "can_manage_sushi": user.is_institution_admin,
            "exports": list(exports_visible(StatsExport, own.pk)[:EXPORTS_SHOWN]),
            "export_kind": "statistiques",
            "export_back": reverse("web:library-stats")
            + (f"?{query.urlencode()}" if query else ""),
            "group_by": group_by,
        },
        current=CURRENT,
        title=_("Statistics"),
        status=status,
    )


@never_cache
@library_staff_required
@require_POST
def stats_export_new(request):
    """Ask for a table's CSV to be prepared in the background (a long table): the page's
    choices (period, grouping, whose figures) and the table, as the page's form sent
    them. Bad choices answer 400, another institution's figures 404. The file's rows are
    counted by the database (`stats_table_size`, the table not built): the part of the
    file being prepared says about how many it holds."""
    form, status, group_by, period, scope = _asked(request, request.POST)
    if status != 200:
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return export_refused(request, errors, status=status)
    table = request.POST.get("table", "")

    def estimated() -> int:  # a COUNT: only for a request admitted, and a new export
        if table in _tables_of(scope) and scope.institution is not None:
            return stats_table_size(table, scope=scope, period=period, group_by=group_by)
        return 0

    try:
        stats_export_request(
            user=request.user,
            table=table,
            scope=scope,
            period=period,
            group_by=group_by,
            estimated_rows=estimated,
        )
    except ApplicationError as exc:
        return export_refused(request, exc.message, status=exc.status_code)
    query = urlencode(
        {
            key: request.POST[key]
            for key in ("start", "end", "group_by", "institution")
            if request.POST.get(key)
        }
    )
    back = reverse("web:library-stats") + (f"?{query}" if query else "")
    return redirect(f"{back}#exports")


@never_cache
@library_staff_required
@require_POST
def sushi_credential_new(request):
    """A new SUSHI credential (administrators): the key is in this answer only."""
    user = request.user
    form = SushiCredentialForm(request.POST)
    try:
        sushi_manager_required(user)
        if not form.is_valid():
            raise ApplicationError("validation_error", _("The label is too long."), field="label")
        new = sushi_credential_create(
            institution=user.institution, created_by=user, label=form.cleaned_data["label"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:library-stats")
    return render_library(
        request,
        "web/library/sushi_new.html",
        {"new": new, "institution": user.institution},
        current=CURRENT,
        title=_("New SUSHI credential"),
    )


@library_staff_required
@require_POST
def sushi_credential_end(request, credential_id):
    """Revoke a SUSHI credential (administrators): harvesting with it stops at once."""
    user = request.user
    credential = SushiCredential.objects.filter(
        institution_id=user.institution_id, pk=credential_id
    ).first()
    if credential is None:
        raise Http404(_("No such SUSHI credential."))
    try:
        sushi_manager_required(user)
        sushi_credential_revoke(credential=credential)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The SUSHI credential is revoked."))
    return redirect("web:library-stats")
