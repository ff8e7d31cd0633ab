"""Who may open the library's back office: the staff of an institution (its
administrators and members). Visitors are sent to sign in and come back; anyone else
(patrons, the cinema staff) gets a 403 page saying why. What a role may *do* on a page
is the role check the API makes for the same operation."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from backend.errors import NotFoundError


def library_staff_required(view=None, *, libraries_only: bool = False):
    """`libraries_only`: the page is a library's (screenings, DVD orders); a network's
    staff are told it is done by each member library."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("web:sign-in"))
            if not user.is_institution_staff or user.institution_id is None:
                return render(request, "web/library/staff_only.html", status=403)
            if libraries_only and user.institution.is_network:
                return render(request, "web/library/staff_only.html", {"network": True}, status=403)
            try:
                return view(request, *args, **kwargs)
            except NotFoundError as exc:  # another library's object: as if unknown
                raise Http404(str(exc.message)) from None

        return wrapper

    return decorate(view) if view is not None else decorate
