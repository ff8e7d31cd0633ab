"""Signing in and out of the web client: patrons with their library card and PIN (or
their library portal's signed link), staff with their username and password. Sessions
with CSRF protection; the same per-account lockout and per-address throttle as every
login route (`accounts.lockout`, `backend.api.throttling`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from accounts.lockout import LoginLocked, login_attempt
from backend.api.throttling import login_rate_limited
from backend.errors import ApplicationError
from institutions.models import Institution
from subscriptions.services.patrons import patron_authenticate, patron_authenticate_with_link
from web.forms import CardSignInForm, StaffSignInForm


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _bib_library(request):
    code = (request.POST.get("bib") or request.GET.get("bib") or "")[:50]
    if not code:
        return None
    return (
        Institution.objects.filter(code=code, is_network=False).only("id", "code", "name").first()
    )


def _locked_message(exc: LoginLocked) -> str:
    return str(exc.detail)


def _refuse(form, message: str, code: str) -> None:
    """A refusal shown above the form, with its reason code kept for the answer's status."""
    form.add_error(None, message)
    form.refusal_codes = (*getattr(form, "refusal_codes", ()), code)


@never_cache
@csrf_protect
@login_rate_limited
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Two ways in, on one page: a library card (the library is given by `?bib=` — the
    catalogue record's link, the library finder — or typed by its code) and a staff
    account."""
    library = _bib_library(request)
    default_next = reverse("web:home")
    card_form = CardSignInForm(library=library, prefix="card")
    staff_form = StaffSignInForm(prefix="staff")
    active = "card"
    if request.method == "POST":
        if "card-card" in request.POST:
            card_form = CardSignInForm(request.POST, library=library, prefix="card")
            if card_form.is_valid():
                try:
                    patron = patron_authenticate(
                        request=request,
                        institution_code=card_form.institution_code(),
                        card=card_form.cleaned_data["card"],
                        pin=card_form.cleaned_data["pin"],
                    )
                except LoginLocked as exc:
                    _refuse(card_form, _locked_message(exc), "login_locked")
                except ApplicationError as exc:
                    card_form.add_error(None, str(exc.message))
                else:
                    login(request, patron.user, backend=patron_login_backend())
                    messages.success(request, _("You are signed in."))
                    return redirect(_next_url(request, reverse("web:patron-space")))
        else:
            active = "staff"
            staff_form = StaffSignInForm(request.POST, prefix="staff")
            if staff_form.is_valid():
                try:
                    user = login_attempt(
                        request,
                        username=staff_form.cleaned_data["username"],
                        password=staff_form.cleaned_data["password"],
                    )
                except LoginLocked as exc:
                    _refuse(staff_form, _locked_message(exc), "login_locked")
                else:
                    if user is None or user.is_patron:
                        staff_form.add_error(None, _("Wrong username or password."))
                    else:
                        login(request, user)
                        messages.success(request, _("You are signed in."))
                        if user.is_institution_staff:  # library staff land on their dashboard
                            default_next = reverse("web:library-dashboard")
                        elif user.is_rights_holder:
                            default_next = reverse("web:holder-space")
                        elif user.is_cinema_staff:  # their working space: the royalties
                            default_next = reverse("web:royalties-statements")
                        return redirect(_next_url(request, default_next))
    locked = any(
        code == "login_locked"
        for form in (card_form, staff_form)
        for code in getattr(form, "refusal_codes", ())
    )
    return render(
        request,
        "web/account/sign_in.html",
        {
            "card_form": card_form,
            "staff_form": staff_form,
            "library": library,
            "active": active,
            "next": _next_url(request, ""),
        },
        status=429 if locked else 200,
    )


def patron_login_backend() -> str:
    return "subscriptions.backends.PatronCardBackend"


@never_cache
@login_rate_limited
@require_http_methods(["GET"])
def link_sign_in(request):
    """A link signed by the library's portal (single use, short-lived): the patron is
    signed in (registered on first use) and taken to `next` (a film's page, say)."""
    params = request.GET
    try:
        expires = int(params.get("expires", ""))
    except ValueError:
        expires = 0
    try:
        patron = patron_authenticate_with_link(
            request=request,
            institution_code=params.get("institution", "")[:50],
            card=params.get("card", "")[:50],
            expires=expires,
            nonce=params.get("nonce", "")[:100],
            signature=params.get("signature", "")[:128],
        )
    except ApplicationError as exc:
        return render(
            request,
            "web/account/link_refused.html",
            {"message": str(exc.message)},
            status=exc.status_code,
        )
    login(request, patron.user, backend=patron_login_backend())
    return redirect(_next_url(request, reverse("web:patron-space")))


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("web:home")


@require_http_methods(["GET"])
def language(request, code):
    """Show the site in another language: a preference (a cookie), not an account's
    state, so a plain link sets it — pages keep no form, and a visitor's page can be
    cached whole."""
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    response = redirect(_next_url(request, reverse("web:home")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
