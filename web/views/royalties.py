"""The cinema staff's royalties pages, under `/equipe/redevances/`: the statements due,
overdue and their totals (the API's selectors: `royalties.selectors`), a statement with
its usage, lines, recoupment, guarantee and total and what can be done with it next
(recompute a draft, approve, send, record the payment, correct), a contract's payment
terms with their history and a new version, and a rights holder's users with the
invitation form (and, for an invitation still pending, sending it again or cancelling it). Every change is a `royalties.services` call; a refusal is the service's
sentence, on the field it names when the form has it.

The cinema staff only: visitors go to the sign-in page and come back; everyone else (a
library's staff, a rights holder, a patron) gets a 403 page saying why."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.errors import ApplicationError, NotFoundError
from rights.models import Contract, RightsHolder
from royalties import selectors, services
from royalties.documents import document_response
from royalties.errors import RoyaltiesErrorCode
from royalties.models import PaymentTerms, PerUseRate, RightsHolderMember, Statement
from royalties.periods import period_parse
from royalties.services.members import (
    rights_holder_invitation_cancel,
    rights_holder_invitation_resend,
    rights_holder_member_invite,
)
from royalties.services.statements import statement_recipients
from web.royalties_forms import (
    HolderMemberInviteForm,
    PaymentTermsForm,
    StatementDraftForm,
    StatementFilterForm,
    StatementPayForm,
)
from web.statement_usage import usage_tables

STATEMENTS_PER_PAGE = 25


def cinema_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("web:sign-in"))
        if not user.is_cinema_staff:
            return render(request, "web/royalties/cinema_staff_only.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(str(exc.message)) from exc

    # amounts, contracts and contacts' addresses: never kept by a browser or a proxy
    return never_cache(wrapper)


def _refusal_on_form(form, exc: ApplicationError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _crumbs(*extra):
    return [(_("Royalties"), reverse("web:royalties-statements")), *extra]


def _render(request, template, context, *, status=200):
    return render(request, template, {"nav_section": "royalties", **context}, status=status)


# --- the statements ----------------------------------------------------------------------
@cinema_staff_required
@require_http_methods(["GET", "POST"])
def statement_list(request):
    """Statements to approve, due, overdue and paid, with their totals (the filters
    apply to both), and the form that drafts a contract's statement of a period."""
    today = timezone.localdate()
    filters = StatementFilterForm(request.GET)
    statements = selectors.statements_visible_to(request.user)
    status = 200
    if filters.is_valid():
        data = filters.cleaned_data
        if data["period"]:
            try:
                statements = selectors.statements_within(statements, period_parse(data["period"]))
            except ApplicationError as exc:
                filters.add_error("period", str(exc.message))
        if data["state"]:
            statements = statements.filter(
                selectors.statement_state_filter(data["state"], today=today)
            )
        if data["holder"]:
            statements = statements.filter(contract__rights_holder=data["holder"])
    if not filters.is_valid():
        statements, status = statements.none(), 400

    draft_form = StatementDraftForm(request.POST or None, prefix="draft")
    if request.method == "POST":
        status = 400
        if draft_form.is_valid():
            contract = Contract.objects.filter(
                reference=draft_form.cleaned_data["contract"]
            ).first()
            if contract is None:
                draft_form.add_error("contract", _("No contract has this reference."))
            else:
                try:
                    statement = services.statement_draft(
                        contract=contract, period=period_parse(draft_form.cleaned_data["period"])
                    )
                except ApplicationError as exc:
                    _refusal_on_form(draft_form, exc)
                    status = exc.status_code
                else:
                    messages.success(
                        request,
                        _("The statement %(period)s of contract %(contract)s is drafted.")
                        % {"period": statement.period_label, "contract": contract.reference},
                    )
                    return redirect("web:royalties-statement", pk=statement.pk)

    summary = selectors.statements_summary(statements, today=today)
    page = Paginator(
        statements.order_by("-period_start", "contract__reference", "pk"), STATEMENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "web/royalties/statements.html",
        {
            "filters": filters,
            "summary": summary,
            "page": page,
            "today": today,
            "query_without_page": query.urlencode(),
            "draft_form": draft_form,
        },
        status=status,
    )


def _state_of(statement: Statement, today) -> str:
    if statement.status == Statement.Status.PAID:
        return "paid"
    if statement.due_on < today:
        return "overdue"
    return "draft" if statement.status == Statement.Status.DRAFT else "due"


ACTIONS = {
    "recompute": lambda statement, user: services.statement_recompute(statement=statement),
    "approve": lambda statement, user: services.statement_approve(statement=statement, by=user),
    "send": lambda statement, user: services.statement_send(statement=statement, by=user),
    "correct": lambda statement, user: services.statement_correct(statement=statement),
}


def _done_message(action: str, statement: Statement) -> str:
    if action == "recompute":
        return _("The draft is computed again from the records and terms as they are now.")
    if action == "approve":
        return _("The statement is approved: its lines are frozen.")
    if action == "send":
        return _("The statement is sent to %(emails)s, its PDF attached.") % {
            "emails": ", ".join(statement.sent_to)
        }
    if action == "correct":
        return _("A correction of the statement is drafted: check it, then approve it.")
    return _("The payment is recorded.")


@cinema_staff_required
@require_http_methods(["GET", "POST"])
def statement_detail(request, pk):
    """A statement: its figures, and the forms of what can be done with it next."""
    statement = selectors.statement_get_for(request.user, pk)
    today = timezone.localdate()
    pay_form = StatementPayForm(initial={"paid_on": today.isoformat()})
    refusal, status = None, 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        status = 400
        try:
            if action in ACTIONS:
                done = ACTIONS[action](statement, request.user)
                messages.success(request, _done_message(action, done))
                return redirect("web:royalties-statement", pk=done.pk)
            if action == "pay":
                pay_form = StatementPayForm(request.POST)
                if pay_form.is_valid():
                    done = services.statement_pay(
                        statement=statement,
                        paid_on=pay_form.cleaned_data["paid_on"],
                        reference=pay_form.cleaned_data["reference"],
                        by=request.user,
                    )
                    messages.success(request, _done_message(action, done))
                    return redirect("web:royalties-statement", pk=done.pk)
            else:
                refusal = _("Unknown action.")
        except ApplicationError as exc:
            if action == "pay" and exc.field in pay_form.fields:
                _refusal_on_form(pay_form, exc)
            else:
                refusal = str(exc.message)
            status = exc.status_code
    statement = selectors.statement_for_document(statement.pk)
    lines = list(statement.lines.all())
    for line in lines:
        line.minutes = line.quantity / 60 if line.unit == "minute" else None
    correction = Statement.objects.filter(corrects=statement).only("pk").first()
    return _render(
        request,
        "web/royalties/statement.html",
        {
            "statement": statement,
            "state": _state_of(statement, today),
            "usage": usage_tables(request, statement),
            "lines": lines,
            "recipients": statement_recipients(statement),
            "correction": correction,
            "pay_form": pay_form,
            "refusal": refusal,
            "crumbs": _crumbs(),
        },
        status=status,
    )


@cinema_staff_required
@require_GET
def statement_document(request, pk, kind):
    if kind not in ("pdf", "csv"):
        raise Http404(_("No such document."))
    return document_response(selectors.statement_get_for(request.user, pk), kind)


# --- a contract's payment terms ----------------------------------------------------------
def _labelled(history: list[dict]) -> list[dict]:
    """Each change named by its field's label (in the page's language)."""
    for entry in history:
        model = PaymentTerms if entry["object"] == "terms" else PerUseRate
        for change in entry["changes"]:
            change["label"] = model._meta.get_field(change["field"]).verbose_name
    return history


@cinema_staff_required
@require_http_methods(["GET", "POST"])
def contract_terms(request, contract_id):
    """A contract's payment terms: its versions, every recorded change to them (who,
    what, when), and the form of a new version."""
    contract = get_object_or_404(Contract.objects.select_related("rights_holder"), pk=contract_id)
    form = PaymentTermsForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.payment_terms_create(
                    contract=contract, rates=form.rates(), by=request.user, **form.terms_fields()
                )
            except ApplicationError as exc:
                if exc.field == "rates":
                    form.rate_errors.append(str(exc.message))
                else:
                    _refusal_on_form(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The new version of the terms is recorded."))
                return redirect("web:royalties-contract-terms", contract_id=contract.pk)
    return _render(
        request,
        "web/royalties/contract_terms.html",
        {
            "contract": contract,
            "versions": selectors.contract_terms_versions(contract),
            "history": _labelled(selectors.contract_terms_history(contract)),
            "form": form,
            "crumbs": _crumbs(),
        },
        status=status,
    )


# --- a rights holder's users -------------------------------------------------------------
@cinema_staff_required
@require_http_methods(["GET", "POST"])
def holder_members(request, holder_id):
    """A rights holder's users of their read-only space, and the invitation form."""
    holder = get_object_or_404(RightsHolder, pk=holder_id)
    form = HolderMemberInviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member = rights_holder_member_invite(
                    rights_holder=holder, by=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                field = "username" if exc.code == RoyaltiesErrorCode.USERNAME_TAKEN else exc.field
                form.add_error(field if field in form.fields else None, str(exc.message))
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s: the link in it works once.")
                    % {"email": member.user.email},
                )
                return redirect("web:royalties-holder-members", holder_id=holder.pk)
    members = (
        RightsHolderMember.objects.filter(rights_holder=holder)
        .select_related("user", "invited_by")
        .order_by("user__username")
    )
    return _render(
        request,
        "web/royalties/holder_members.html",
        {"holder": holder, "members": members, "form": form, "crumbs": _crumbs()},
        status=status,
    )


def _pending_member(holder_id, user_id) -> RightsHolderMember:
    return get_object_or_404(
        RightsHolderMember.objects.select_related("user"),
        rights_holder_id=holder_id,
        user_id=user_id,
    )


@cinema_staff_required
@require_POST
def holder_invitation_resend(request, holder_id, user_id):
    """Send a pending invitation again: a fresh link, the one sent before stops working."""
    member = _pending_member(holder_id, user_id)
    try:
        rights_holder_invitation_resend(member=member)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("A new invitation is sent to %(email)s; the link sent before no longer works.")
            % {"email": member.user.email},
        )
    return redirect("web:royalties-holder-members", holder_id=holder_id)


@cinema_staff_required
@require_POST
def holder_invitation_cancel(request, holder_id, user_id):
    """Cancel an invitation not yet accepted: the account goes, its link no longer works."""
    member = _pending_member(holder_id, user_id)
    username = member.user.username
    try:
        rights_holder_invitation_cancel(member=member)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The invitation of %(username)s is cancelled: its link no longer works.")
            % {"username": username},
        )
    return redirect("web:royalties-holder-members", holder_id=holder_id)
