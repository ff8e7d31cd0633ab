"""Who may open the library's back-office pages, and how a service's refusal is shown.

Library staff only (an institution's administrators and members): visitors go to the
sign-in page and come back; patrons and the cinema staff get a 403 page saying why. What
an account may *do* there is each service's to decide (an administrator's operations
refuse a member with their reason); a page only hides the forms that would be refused.
Another institution's object is a 404, as in the API (the apps' `…_get_for` helpers)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from backend.errors import ApplicationError, NotFoundError


def library_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("web:sign-in"))
        if not user.is_institution_staff:
            return render(request, "web/library/admin_staff_only.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:  # another institution's object: the site's 404 page
            raise Http404(str(exc.message)) from exc

    return wrapper


def refusal_on_form(form, exc: ApplicationError) -> None:
    """A service's refusal shown where it belongs: on its field when it names one the
    form has, else above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


#: each page's entry in the back office's menu (`web.library_menu`)
SECTIONS = {
    "web:library-staff": "staff",
    "web:library-patrons": "patrons",
    "web:library-subscription": "subscription",
    "web:library-stats": "stats",
    "web:library-selections": "selections",
    "web:library-records": "records",
}


def render_library(request, template: str, context: dict, *, current: str, title, status=200):
    """A back-office page: its side menu, breadcrumb and title."""
    context = {
        "library_section": SECTIONS.get(current, ""),
        "nav_section": "library",
        "page_title": title,
        "crumbs": context.pop("crumbs", []),
        **context,
    }
    return render(request, template, context, status=status)
