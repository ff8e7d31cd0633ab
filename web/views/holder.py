"""The rights holder's pages: their space (contracts and grants, rights ending within
180 days with whom to write to, statements) and a statement with its PDF and CSV. The
same selectors as the API's `/api/v1/my-rights/`; another holder's statement is a 404."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.errors import ApplicationError, NotFoundError
from rights.models import Medium
from royalties import selectors
from royalties.documents import document_response
from royalties.periods import period_parse


def rights_holder_required(view):
    """Signed-in users of a rights holder only: visitors go to the sign-in page and come
    back; other users get a 403 page saying why."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("web:sign-in"))
        holder = selectors.rights_holder_of(request.user)
        if holder is None:
            return render(request, "web/holder/holders_only.html", status=403)
        return view(request, holder, *args, **kwargs)

    return wrapper


@require_GET
@rights_holder_required
def space(request, holder):
    contracts = selectors.holder_contracts(holder).select_related("in_charge").order_by("reference")
    ending = [
        (grant, selectors.service_contact_for(grant.contract))
        for grant in selectors.holder_grants_ending(holder)
    ]
    statements = selectors.statements_visible_to(request.user).order_by("-period_start", "pk")
    return render(
        request,
        "web/holder/space.html",
        {
            "holder": holder,
            "contracts": contracts,
            "ending": ending,
            "statements": statements,
            "nav_section": "holder",
        },
    )


def _statement(request, pk):
    try:
        return selectors.statement_get_for(request.user, pk)
    except NotFoundError:
        raise Http404(_("No such statement.")) from None


@require_GET
@rights_holder_required
def statement_detail(request, holder, pk):
    statement = selectors.statement_for_document(_statement(request, pk).pk)
    totals = [row for row in statement.usage.all() if row.month is None]
    return render(
        request,
        "web/holder/statement.html",
        {
            "statement": statement,
            "totals": totals,
            "crumbs": [(_("My rights"), reverse("web:holder-space"))],
            "nav_section": "holder",
        },
    )


@require_GET
@rights_holder_required
def statement_document(request, holder, pk, kind):
    if kind not in ("pdf", "csv"):
        raise Http404(_("No such document."))
    return document_response(_statement(request, pk), kind)


@require_GET
@rights_holder_required
def film_usage(request, holder, pk):
    """One of the holder's films: its use by month, medium and department over a year or
    a quarter (`?periode=2017`, last year by default)."""
    film = get_object_or_404(selectors.holder_films(holder), pk=pk)
    asked = request.GET.get("periode") or str(timezone.localdate().year - 1)
    error, rows, status = None, [], 200
    try:
        period = period_parse(asked)
    except ApplicationError as exc:
        error, status, period = str(exc.message), 400, None
    if period is not None:
        rows = selectors.holder_film_usage(holder, film, period)
        for row in rows:
            row["minutes"] = f"{row['seconds'] / 60:.2f}"
            row["medium_label"] = Medium(row["medium"]).label
    return render(
        request,
        "web/holder/film_usage.html",
        {
            "film": film,
            "asked": asked,
            "error": error,
            "rows": rows,
            "crumbs": [(_("My rights"), reverse("web:holder-space"))],
            "nav_section": "holder",
        },
        status=status,
    )
