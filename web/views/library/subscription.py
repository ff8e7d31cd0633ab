"""Subscription and invoices, in the library's back office: the tariff grid with the
price for the library's size (`subscriptions.selectors.plan_quote`), a quote for a
subscription or a discovery pack, paying it (administrative invoice — purchase order and
bank transfer — or card / SEPA debit through Stripe Checkout, `subscriptions.services.
billing.subscription_payment_start`), cancelling a quote, renewing; the invoices with
their PDF and status. Committing is for administrators
(`subscriptions.selectors.subscriber_get_for_purchase`); every staff member reads."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.errors import ApplicationError
from subscriptions import selectors
from subscriptions.models import Invoice, Subscription
from subscriptions.services import billing
from subscriptions.services import subscriptions as subscription_services
from web.library_admin_forms import PaymentForm, QuoteForm
from web.views.library.admin_access import library_staff_required, refusal_on_form, render_library

CURRENT = "web:library-subscription"
Status = Subscription.Status
STRIPE = (Subscription.PaymentMethod.CARD, Subscription.PaymentMethod.SEPA_DEBIT)
RECENT = 6


def _grid(institution) -> dict:
    """This year's grid: each plan with its tiers and, when one covers the library's
    population, its quote."""
    today = timezone.localdate()
    try:
        grid = selectors.grid_for(today.year)
    except ApplicationError as exc:
        return {"grid": None, "refusal": str(exc.message), "plans": []}
    plans = []
    for plan in selectors.plans_of_year(grid.year):
        try:
            quote = selectors.plan_quote(plan=plan, population_served=institution.population_served)
        except ApplicationError:
            quote = None
        plans.append({"plan": plan, "tiers": list(plan.tiers.all()), "quote": quote})
    return {"grid": grid, "plans": plans}


@library_staff_required
@require_http_methods(["GET", "POST"])
def subscription_overview(request):
    """The library's subscriptions (its own and its network's), the tariff grid with its
    price, the quote form (administrators) and the invoices."""
    user = request.user
    institution = user.institution
    grid = _grid(institution)
    form = QuoteForm(
        request.POST or None,
        plans=[row["plan"] for row in grid["plans"]],
        quotes={row["plan"].pk: row["quote"] for row in grid["plans"] if row["quote"]},
        initial={"starts_on": timezone.localdate().isoformat()},  # as <input type=date> reads it
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                subscriber = selectors.subscriber_get_for_purchase(user, institution.pk)
                quote = subscription_services.subscription_quote_create(
                    subscriber=subscriber,
                    plan=form.cleaned_data["plan"],
                    starts_on=form.cleaned_data["starts_on"],
                    created_by=user,
                )
            except ApplicationError as exc:
                refusal_on_form(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Your quote is ready: choose how to pay."))
                return redirect("web:library-subscription-detail", subscription_id=quote.pk)
    # the latest ones: a library subscribing since 2017 has a line a year
    subscriptions = list(
        selectors.subscriptions_visible_to(user).order_by("-starts_on", "-pk")[:RECENT]
    )
    for subscription in subscriptions:
        subscription.status_label = Subscription.Status(subscription.current_status).label
    invoices = list(selectors.invoices_visible_to(user).select_related("subscription__plan"))
    return render_library(
        request,
        "web/library/subscription.html",
        {
            **grid,
            "institution": institution,
            "subscriptions": subscriptions,
            "invoices": invoices,
            "form": form,
            "can_buy": user.is_institution_admin,
        },
        current=CURRENT,
        title=_("Subscription and invoices"),
        status=status,
    )


@library_staff_required
@require_http_methods(["GET", "POST"])
def subscription_detail(request, subscription_id):
    """One subscription or pack: its terms, its invoices and, for an administrator of
    the subscriber, paying it, cancelling it (a quote, or one awaiting payment) or
    renewing it."""
    user = request.user
    subscription = selectors.subscription_get_for(user, subscription_id)
    online = selectors.online_payment_available()
    form = PaymentForm(request.POST or None, online=online)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                selectors.subscriber_get_for_purchase(user, subscription.subscriber_id)
                started = billing.subscription_payment_start(
                    subscription=subscription, **form.cleaned_data
                )
            except ApplicationError as exc:
                refusal_on_form(form, exc)
                status = exc.status_code
            else:
                if started.checkout_url:
                    return redirect(started.checkout_url)
                messages.success(
                    request,
                    _(
                        "Your order is recorded and the invoice issued: pay it by bank "
                        "transfer (the details are below). The subscription starts once "
                        "the payment is received."
                    ),
                )
                return redirect("web:library-subscription-detail", subscription_id=subscription.pk)
    may_commit = user.is_institution_admin and subscription.subscriber_id == user.institution_id
    current = subscription.current_status
    running = (Status.ACTIVE, Status.EXPIRED)
    subscription.status_label = Subscription.Status(current).label
    invoices = list(subscription.invoices.order_by("-year", "-sequence"))
    return render_library(
        request,
        "web/library/subscription_detail.html",
        {
            "subscription": subscription,
            "invoices": invoices,
            # the invoice to pay by transfer, with what the transfer needs
            "to_pay": next(
                (invoice for invoice in invoices if invoice.status == Invoice.Status.ISSUED),
                None,
            ),
            "payee": {
                "name": settings.INVOICE_ISSUER_NAME,
                "iban": settings.INVOICE_ISSUER_IBAN,
            },
            "online": online,
            "payment_days": settings.INVOICE_PAYMENT_DAYS,
            "credits": (
                selectors.credit_balance(subscription.pk)
                if subscription.plan.screenings_per_year and current in running
                else None
            ),
            "form": form,
            # a quote is paid; a payment awaited through Stripe may be started again (a
            # Checkout session expires); an invoice issued is paid by transfer
            "may_pay": may_commit
            and (
                current == Status.QUOTE
                or (current == Status.AWAITING_PAYMENT and subscription.payment_method in STRIPE)
            ),
            "may_cancel": may_commit and current in (Status.QUOTE, Status.AWAITING_PAYMENT),
            "may_renew": may_commit and current in running,
            "crumbs": [(_("Subscription and invoices"), reverse("web:library-subscription"))],
        },
        current=CURRENT,
        title=_("%(plan)s, from %(start)s")
        % {"plan": subscription.plan.name, "start": subscription.starts_on.strftime("%d/%m/%Y")},
        status=status,
    )


def _commit(request, subscription_id, operation, done_message):
    user = request.user
    subscription = selectors.subscription_get_for(user, subscription_id)
    try:
        selectors.subscriber_get_for_purchase(user, subscription.subscriber_id)
        result = operation(subscription=subscription, by=user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:library-subscription-detail", subscription_id=subscription.pk)
    messages.success(request, done_message)
    return redirect("web:library-subscription-detail", subscription_id=result.pk)


@library_staff_required
@require_POST
def subscription_cancel(request, subscription_id):
    return _commit(
        request,
        subscription_id,
        subscription_services.subscription_cancel,
        _("The quote is cancelled."),
    )


@library_staff_required
@require_POST
def subscription_renew(request, subscription_id):
    return _commit(
        request,
        subscription_id,
        subscription_services.subscription_renew,
        _("Here is the quote for the next period: choose how to pay."),
    )


@library_staff_required
@require_GET
def invoice_pdf(request, invoice_id):
    """An invoice of the library as a PDF (another's: 404)."""
    invoice = selectors.invoices_visible_to(request.user).filter(pk=invoice_id).first()
    if invoice is None or not invoice.pdf:
        raise Http404(_("No such invoice."))
    return FileResponse(
        invoice.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"facture-{invoice.number}.pdf",
    )


@require_GET
def payment_done(request):
    """Where Stripe Checkout sends the payer back (`STRIPE_CHECKOUT_SUCCESS_URL`): the
    subscription is activated by Stripe's signed notification, not by this visit."""
    return render(request, "web/library/payment_done.html", {"cancelled": False})


@require_GET
def payment_cancelled(request):
    return render(request, "web/library/payment_done.html", {"cancelled": True})
