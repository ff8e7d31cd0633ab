"""Patrons, in the library's back office: register a patron (card number, PIN handed
once), find one by card, reset a PIN (shown once), export a patron's data, erase a
patron; the portal key that signs the library portal's links (administrators; shown
once). All on `subscriptions.services.patrons` and `subscriptions.selectors`: another
library's patron is a 404, and a PIN or a key is never stored where it could be shown
again (it is in the answer to the POST only, never in a message or a redirect)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import ApplicationError
from subscriptions import selectors
from subscriptions.pins import pin_generate
from subscriptions.services import patrons as patron_services
from web.library_admin_forms import (
    PatronCardForm,
    PatronEraseForm,
    PatronPinForm,
    PatronRegisterForm,
)
from web.views.library.admin_access import library_staff_required, refusal_on_form, render_library

CURRENT = "web:library-patrons"
PAGE_SIZE = 25


def _list_page(request, *, register_form, find_form, status=200, shown_pin=None, new=None):
    user = request.user
    patrons = selectors.patrons_visible_to(user).filter(erased_at__isnull=True)
    paginator = Paginator(patrons.order_by("-created_at", "-pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render_library(
        request,
        "web/library/patrons.html",
        {
            "page": page,
            "register_form": register_form,
            "find_form": find_form,
            "shown_pin": shown_pin,
            "new_patron": new,
            "can_rotate_key": user.is_institution_admin,
        },
        current=CURRENT,
        title=_("Patrons"),
        status=status,
    )


@never_cache
@library_staff_required
@require_http_methods(["GET", "POST"])
def patron_list(request):
    """The library's registered patrons (pseudonyms only), finding one by card, and
    registering one. A registration answers with the PIN to hand over, once."""
    find_form = PatronCardForm(request.GET if "card" in request.GET else None, auto_id="find_%s")
    if find_form.is_bound and find_form.is_valid():
        found = selectors.patron_get_by_card(
            institution_code=request.user.institution.code, card=find_form.cleaned_data["card"]
        )
        if found is not None:
            return redirect("web:library-patron-detail", patron_id=found.pk)
        find_form.add_error("card", _("No patron of your library has this card number."))
    register_form = PatronRegisterForm(request.POST or None)
    if request.method == "POST":
        if not register_form.is_valid():
            return _list_page(request, register_form=register_form, find_form=find_form, status=400)
        pin = register_form.cleaned_data["pin"] or pin_generate()
        try:
            patron = patron_services.patron_register(
                institution=request.user.institution,
                card=register_form.cleaned_data["card"],
                pin=pin,
                home_area=register_form.cleaned_data["home_area"],
            )
        except ApplicationError as exc:
            refusal_on_form(register_form, exc)
            return _list_page(
                request, register_form=register_form, find_form=find_form, status=exc.status_code
            )
        return _list_page(
            request,
            register_form=PatronRegisterForm(),
            find_form=PatronCardForm(auto_id="find_%s"),
            status=201,
            shown_pin=pin,
            new=patron,
        )
    return _list_page(request, register_form=register_form, find_form=find_form)


@never_cache
@library_staff_required
@require_http_methods(["GET", "POST"])
def patron_detail(request, patron_id):
    """One patron: what is kept; a new PIN (shown once), the data export, the erasure."""
    patron = selectors.patron_get_for(request.user, patron_id)
    pin_form = PatronPinForm()
    erase_form = PatronEraseForm()
    shown_pin = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "pin":
            pin_form = PatronPinForm(request.POST)
            status = 400
            if pin_form.is_valid():
                pin = pin_form.cleaned_data["pin"] or pin_generate()
                try:
                    patron = patron_services.patron_pin_reset(patron=patron, pin=pin)
                except ApplicationError as exc:
                    refusal_on_form(pin_form, exc)
                    status = exc.status_code
                else:
                    shown_pin, status, pin_form = pin, 200, PatronPinForm()
        elif action == "erase":
            erase_form = PatronEraseForm(request.POST)
            status = 400
            if erase_form.is_valid():
                patron_services.patron_erase(patron=patron)
                messages.success(
                    request,
                    _("The patron %(pseudonym)s is erased: their card no longer signs in.")
                    % {"pseudonym": patron.user.username},
                )
                return redirect("web:library-patrons")
        else:
            status = 400
    return render_library(
        request,
        "web/library/patron_detail.html",
        {
            "patron": patron,
            "pin_form": pin_form,
            "erase_form": erase_form,
            "shown_pin": shown_pin,
            "crumbs": [(_("Patrons"), reverse("web:library-patrons"))],
        },
        current=CURRENT,
        title=_("Patron %(pseudonym)s") % {"pseudonym": patron.user.username},
        status=status,
    )


@library_staff_required
@require_http_methods(["GET"])
def patron_export(request, patron_id):
    """Everything kept about the patron, as a JSON file (a data access request)."""
    patron = selectors.patron_get_for(request.user, patron_id)
    data = patron_services.patron_export(patron=patron)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="patron-{patron.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@library_staff_required
@require_POST
def card_unlock(request):
    """Lift the lockout of one of the library's cards (after too many wrong PINs)."""
    form = PatronCardForm(request.POST)
    if form.is_valid():
        patron_services.patron_card_unlock(
            institution=request.user.institution, card=form.cleaned_data["card"]
        )
        messages.success(request, _("The card may be used to sign in again."))
    else:
        messages.error(request, _("Give the card number to unlock."))
    return redirect("web:library-patrons")


@never_cache
@library_staff_required
@require_POST
def portal_key(request):
    """A new secret for the library's portal (administrators): shown in this answer only;
    links signed with the previous one stop working."""
    try:
        key = patron_services.portal_key_rotate_by(
            actor=request.user, institution=request.user.institution
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:library-patrons")
    return render_library(
        request,
        "web/library/portal_key.html",
        {
            "secret": key.secret,
            "institution": request.user.institution,
            "crumbs": [(_("Patrons"), reverse("web:library-patrons"))],
        },
        current=CURRENT,
        title=_("Portal key"),
    )
