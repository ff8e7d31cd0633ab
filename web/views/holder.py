"""The rights holder's pages: their space (contracts and grants, rights ending within
180 days with whom to write to, statements) and a statement with its PDF and CSV. The
same selectors as the API's `/api/v1/my-rights/`; another holder's statement is a 404.
And the page an invitation's e-mailed link opens, where the invited user chooses a
password (the library staff's invitation page and form, `web.views.library.staff`, on the
royalties service that accepts an invitation)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.staff import user_from_link
from backend.api.throttling import login_rate_limited
from backend.errors import ApplicationError, NotFoundError
from rights.models import Medium
from royalties import selectors
from royalties.documents import document_response
from royalties.errors import RoyaltiesErrorCode
from royalties.periods import period_parse
from royalties.services.members import rights_holder_invitation_accept
from web.library_admin_forms import PasswordChooseForm
from web.statement_usage import usage_tables


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

    # amounts, contracts and contacts' addresses: never kept by a browser or a proxy
    return never_cache(wrapper)


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
    return render(
        request,
        "web/holder/statement.html",
        {
            "statement": statement,
            "usage": usage_tables(request, statement),
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


@never_cache
@login_rate_limited
@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64, token):
    """The page an invitation's link opens: the invited user of a rights holder chooses a
    password (Django's validators, errors in place), then signs in and lands on their
    space. A link already used, expired, mistyped or of another kind of account says so
    (400)."""
    account = user_from_link(uidb64=uidb64, token=token)
    holder = selectors.rights_holder_of(account) if account is not None else None
    template = "web/account/password_choose.html"
    context = {"invitation": "holder", "holder": holder, "account": account}
    if holder is None:
        return render(request, template, {**context, "form": None}, status=400)
    form = PasswordChooseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                rights_holder_invitation_accept(
                    uid=uidb64, token=token, password=form.cleaned_data["password1"]
                )
            except ApplicationError as exc:
                if exc.code == RoyaltiesErrorCode.INVALID_INVITATION:  # spent meanwhile
                    return render(request, template, {**context, "form": None}, status=400)
                form.add_error("password1" if exc.field == "password" else None, str(exc.message))
            else:
                messages.success(
                    request, _("Your password is set: sign in with your username and it.")
                )
                query = urlencode({"next": reverse("web:holder-space")})
                return redirect(f"{reverse('web:sign-in')}?{query}#staff-sign-in")
    return render(request, template, {**context, "form": form}, status=status)
