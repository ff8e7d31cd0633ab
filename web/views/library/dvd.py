"""The DVD ordering interface, for a library's staff: the editions with copies free to
order, a cart whose every line is checked as the submission will check it (the library
in the authorised network, the rights engine's `dvd` answer, the per-line cap, the
stock) with the reason shown, an idempotent submission (a double click orders once: the
form carries a key the orders service claims once), each order followed through
validated → shipped (carrier reference, delivery note) → delivered, cancelled before
shipping, and the library's order history. Ordering is open to the library's staff, as
in the API; every rule is the orders service's."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.errors import ApplicationError
from catalogue import selectors as catalogue_selectors
from catalogue.filters import FilmFilter
from catalogue.models import Film
from orders import selectors as order_selectors
from orders import services as order_services
from orders.errors import LineRefusal, OrderErrorCode
from orders.models import DvdEdition, Order, OrderLine
from rights.decisions import decide_many
from rights.models import Medium
from rights.selectors import films_available
from web import rights
from web.views.library.access import library_staff_required

EDITIONS_PER_PAGE = 20
ORDERS_PER_PAGE = 20
#: the steps an order goes through, as the library follows it
STEPS = (
    Order.Status.SUBMITTED,
    Order.Status.VALIDATED,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
)


def line_refusal_sentence(code: str) -> str:
    """Why a line cannot be ordered (or was rejected), in words."""
    sentences = {
        LineRefusal.LIBRARY_NOT_AUTHORISED: _("Your library is not in the DVD ordering network."),
        LineRefusal.LIBRARY_SUSPENDED: _("Your library's DVD ordering is suspended."),
        LineRefusal.OUT_OF_STOCK: _("Not enough copies are free in stock."),
        LineRefusal.QUANTITY_INVALID: _("Order at least one copy."),
        LineRefusal.QUANTITY_ABOVE_CAP: _("At most %(cap)s copies of one edition per order.")
        % {"cap": settings.ORDERS_MAX_QUANTITY_PER_LINE},
        LineRefusal.REJECTED_BY_STAFF: _("Rejected by the cinema service."),
    }
    if code in sentences:
        return sentences[code]
    return _("DVD: %(reason)s") % {"reason": rights.refusal_sentence(code)}


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Title, director, theme"), max_length=200, required=False
    )
    available = forms.BooleanField(
        label=gettext_lazy("Only what my library may order"), required=False
    )


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=gettext_lazy("Copies"),
        min_value=1,
        max_value=1000,  # the per-line cap is the orders service's, with its sentence
        error_messages={
            "required": gettext_lazy("Order at least one copy."),
            "min_value": gettext_lazy("Order at least one copy."),
        },
    )


def _page(request, queryset, per_page):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        raise Http404(_("This page of results does not exist.")) from None


def _cart(library, *, lines: bool = False) -> Order | None:
    queryset = Order.objects.filter(library=library, status=Order.Status.CART).select_related(
        "library"
    )
    if lines:
        queryset = queryset.prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("edition", "edition__film").order_by(
                    "pk"
                ),
            )
        )
    return queryset.first()


def _cart_summary(library) -> dict:
    cart = _cart(library)
    if cart is None:
        return {"lines": 0, "copies": 0}
    quantities = list(cart.lines.values_list("quantity", flat=True))
    return {"lines": len(quantities), "copies": sum(quantities)}


@require_GET
@library_staff_required(libraries_only=True)
def editions(request):
    """The editions with copies free to order, what the rights say of each film for the
    library today, and the cart's size. "Only what my library may order": the editions
    of the films the rights engine lets the library order on DVD today, asked in the
    list's own query (`rights.selectors.films_available`, the engine's SQL form), so the
    count and the pages are of those only."""
    library = request.user.institution
    today = timezone.localdate()
    form = SearchForm(request.GET or None)
    queryset = order_selectors.editions_with_stock().filter(stock_available__gt=0)
    if form.is_valid():
        if form.cleaned_data["q"]:
            films = FilmFilter(
                {"q": form.cleaned_data["q"]},
                queryset=catalogue_selectors.films_visible_to(request.user),
                request=request,
            ).qs
            queryset = queryset.filter(film__in=films.values("pk"))
        if form.cleaned_data["available"]:
            orderable = films_available(
                Film.objects.all(), institution=library, medium=Medium.DVD, on=today
            )
            queryset = queryset.filter(film__in=orderable.values("pk"))
    page = _page(request, queryset.order_by("film__title", "pk"), EDITIONS_PER_PAGE)
    rows = list(page.object_list)
    films = list({edition.film_id: edition.film for edition in rows}.values())
    decisions = decide_many(library, films, [Medium.DVD], on=today) if films else {}
    entries = [
        {
            "edition": edition,
            "allowed": decisions[edition.film_id][Medium.DVD].allowed,
            "sentence": rights.sentence(decisions[edition.film_id][Medium.DVD]),
        }
        for edition in rows
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/library/dvd_editions.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "cart": _cart_summary(library),
            "cap": settings.ORDERS_MAX_QUANTITY_PER_LINE,
            "query_without_page": query.urlencode(),
            "page_title": _("DVD ordering"),
            "library_section": "dvd-ordering",
            "nav_section": "library",
        },
    )


@require_POST
@library_staff_required(libraries_only=True)
def cart_add(request):
    """Put copies of an edition in the cart. Under htmx only the cart's summary is sent
    back (the page stays where it is); otherwise back to the list with a message.

    An edition whose film the rights engine refuses the library on DVD today is not put in
    the cart (`cart_line_add` refuses it; the list offers no button for it, and a forged
    request gets the engine's reason as the list words it, with no cart created). The
    submission checks every line again, for rights that end while a line waits."""
    library = request.user.institution
    raw = request.POST.get("edition", "")
    edition = None
    if raw.isdigit() and len(raw) < 12:
        edition = DvdEdition.objects.select_related("film").filter(pk=int(raw)).first()
    form = QuantityForm(request.POST)
    said, ok = "", False
    if edition is None:
        said = _("No such DVD edition.")
    elif not form.is_valid():
        said = " ".join(form.errors["quantity"])
    else:
        try:
            order_services.cart_add(
                library=library,
                by=request.user,
                edition=edition,
                quantity=form.cleaned_data["quantity"],
            )
        except ApplicationError as exc:
            if exc.extra.get("condition") == "rights":
                reason = rights.refusal_sentence(exc.code, exc.extra.get("valid_until"))
                said = _("DVD: %(reason)s") % {"reason": reason}
            else:
                said = str(exc.message)
        else:
            ok = True
            said = _("“%(film)s” is in the cart (%(copies)s copies added).") % {
                "film": edition.film.title,
                "copies": form.cleaned_data["quantity"],
            }
    if request.headers.get("HX-Request"):
        return render(
            request,
            "web/library/partials/cart_summary.html",
            {"cart": _cart_summary(library), "said": said, "ok": ok},
        )
    (messages.success if ok else messages.error)(request, said)
    back = request.POST.get("back", "")
    if not back.startswith("/bibliotheque/dvd/"):
        back = reverse("web:library-dvd")
    return redirect(back)


@require_GET
@library_staff_required(libraries_only=True)
def cart(request):
    """The cart, each line checked as the submission would check it now."""
    return _cart_page(request)


def _cart_page(request, *, refused_change: dict | None = None, status: int = 200):
    """The cart page. Each line's refusal — the submission's checks now, or the change of
    copies just refused (`refused_change`: the line, the copies typed, the sentence) — is
    shown beside its copies field, and listed above the lines with a link to the field."""
    library = request.user.institution
    order = _cart(library, lines=True)
    lines, refusals = [], {}
    if order is not None:
        lines = list(order.lines.all())
        refusals = order_services.cart_check(order=order)
    entries = []
    for line in lines:
        refusal = line_refusal_sentence(refusals[line.pk]) if line.pk in refusals else ""
        typed = line.quantity
        if refused_change and refused_change["line"] == line.pk:
            refusal, typed = refused_change["sentence"], refused_change["typed"]
        entries.append({"line": line, "refusal": refusal, "typed": typed})
    return render(
        request,
        "web/library/dvd_cart.html",
        {
            "order": order,
            "entries": entries,
            "refused": [entry for entry in entries if entry["refusal"]],
            "change_refused": bool(refused_change),
            "copies": sum(line.quantity for line in lines),
            "submission_key": uuid.uuid4().hex,
            "cap": settings.ORDERS_MAX_QUANTITY_PER_LINE,
            "page_title": _("Cart"),
            "crumbs": [(_("DVD ordering"), reverse("web:library-dvd"))],
            "library_section": "dvd-ordering",
            "nav_section": "library",
        },
        status=status,
    )


@require_POST
@library_staff_required(libraries_only=True)
def cart_line(request, line_id):
    """Change a cart line's copies, or take it out. A refused change is shown beside the
    line's field, with the copies typed (the page again, 400)."""
    order = _cart(request.user.institution)
    line = order.lines.filter(pk=line_id).first() if order is not None else None
    if line is None:
        raise Http404(_("No such line in the cart."))
    if request.POST.get("action") == "remove":
        try:
            order_services.cart_line_remove(line=line)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The line was taken out of the cart."))
        return redirect("web:library-dvd-cart")
    form = QuantityForm(request.POST)
    sentence = ""
    if not form.is_valid():
        sentence = " ".join(form.errors["quantity"])
    else:
        try:
            order_services.cart_line_update(line=line, quantity=form.cleaned_data["quantity"])
        except ApplicationError as exc:
            sentence = str(exc.message)
    if sentence:
        typed = request.POST.get("quantity", "")[:12]
        return _cart_page(
            request,
            refused_change={"line": line.pk, "typed": typed, "sentence": sentence},
            status=400,
        )
    messages.success(request, _("The number of copies was changed."))
    return redirect("web:library-dvd-cart")


def _submission_key(request) -> str | None:
    key = request.POST.get("submission_key", "")
    if 1 <= len(key) <= 200 and key.isascii() and key.isprintable():
        return key
    return None


@require_POST
@library_staff_required(libraries_only=True)
def cart_submit(request):
    """Submit the cart. The form's key makes it idempotent: a second submission with the
    same key (a double click, a reload) answers the order the first one made."""
    key = _submission_key(request)
    raw_id = request.POST.get("order", "")
    if key is None or not raw_id.isdigit():
        messages.error(
            request, _("The cart could not be submitted: reload the page and try again.")
        )
        return redirect("web:library-dvd-cart")
    order = order_selectors.order_get_for(request.user, int(raw_id))
    try:
        order = order_services.order_submit(order=order, by=request.user, idempotency_key=key)
    except ApplicationError as exc:
        if exc.code == OrderErrorCode.ORDER_REFUSED:
            messages.error(
                request,
                _("The order was not submitted: some lines cannot be ordered (see each line)."),
            )
        else:
            messages.error(request, str(exc.message))
        return redirect("web:library-dvd-cart")
    messages.success(
        request,
        _("Order no. %(number)s submitted: the copies are reserved for your library.")
        % {"number": order.pk},
    )
    return redirect("web:library-dvd-order", pk=order.pk)


@require_GET
@library_staff_required(libraries_only=True)
def orders(request):
    """The library's order history, newest first."""
    queryset = (
        order_selectors.order_list_queryset(request.user)
        .exclude(status=Order.Status.CART)
        .order_by("-submitted_at", "-pk")
    )
    page = _page(request, queryset, ORDERS_PER_PAGE)
    return render(
        request,
        "web/library/dvd_orders.html",
        {
            "page": page,
            "orders": list(page.object_list),
            "query_without_page": "",
            "page_title": _("My DVD orders"),
            "crumbs": [(_("DVD ordering"), reverse("web:library-dvd"))],
            "library_section": "dvd-ordering",
            "nav_section": "library",
        },
    )


@require_GET
@library_staff_required(libraries_only=True)
def order_detail(request, pk):
    order = order_selectors.order_get_for(request.user, pk)
    if order.status == Order.Status.CART:
        return redirect("web:library-dvd-cart")
    reached = STEPS.index(order.status) if order.status in STEPS else None
    lines = [
        {
            "line": line,
            "refusal": line_refusal_sentence(line.rejection_reason)
            if line.rejection_reason
            else "",
        }
        for line in order.lines.all()
    ]
    return render(
        request,
        "web/library/dvd_order.html",
        {
            "order": order,
            "lines": lines,
            "events": list(order.events.all()),
            "steps": [
                {"label": Order.Status(status).label, "done": reached is not None and i <= reached}
                for i, status in enumerate(STEPS)
            ],
            "step_number": None if reached is None else reached + 1,
            "step_count": len(STEPS),
            "current_step": None if reached is None else Order.Status(STEPS[reached]).label,
            "next_step": Order.Status(STEPS[reached + 1]).label
            if reached is not None and reached + 1 < len(STEPS)
            else None,
            "cancellable": order.status in (Order.Status.SUBMITTED, Order.Status.VALIDATED),
            "copies": sum(
                line.quantity
                for line in order.lines.all()
                if line.status not in (OrderLine.Status.REJECTED, OrderLine.Status.CANCELLED)
            ),
            "page_title": _("Order no. %(number)s") % {"number": order.pk},
            "crumbs": [
                (_("DVD ordering"), reverse("web:library-dvd")),
                (_("My DVD orders"), reverse("web:library-dvd-orders")),
            ],
            "library_section": "dvd-ordering",
            "nav_section": "library",
        },
    )


@require_POST
@library_staff_required(libraries_only=True)
def order_cancel(request, pk):
    order = order_selectors.order_get_for(request.user, pk)
    try:
        order_services.order_cancel(order=order, by=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Order no. %(number)s cancelled: the reserved copies are back in stock.")
            % {"number": order.pk},
        )
    return redirect("web:library-dvd-order", pk=order.pk)


@require_GET
@library_staff_required(libraries_only=True)
def delivery_note(request, pk):
    order = order_selectors.order_get_for(request.user, pk)
    if not order.delivery_note:
        raise Http404(_("This order has not been shipped."))
    return FileResponse(
        order.delivery_note.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"bon-de-livraison-{order.pk}.pdf",
    )
