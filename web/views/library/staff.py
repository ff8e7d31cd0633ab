"""Staff accounts, in the library's back office: the institution's accounts; its
administrators invite a colleague by e-mail with a role, change a role, deactivate or
reactivate an account (`accounts.staff`). And, for anyone with a password: a forgotten
password (a one-time link by e-mail), and the page an e-mailed link opens (an invitation
or a forgotten password) to choose one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import selectors, staff
from backend.api.throttling import login_rate_limited
from backend.errors import ApplicationError
from web.library_admin_forms import (
    PasswordChooseForm,
    PasswordResetRequestForm,
    StaffInviteForm,
    StaffRoleForm,
)
from web.views.library.admin_access import library_staff_required, refusal_on_form, render_library

CURRENT = "web:library-staff"


@library_staff_required
@require_http_methods(["GET", "POST"])
def staff_list(request):
    """The institution's staff accounts, and (administrators) the invitation form."""
    user = request.user
    form = StaffInviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                member = staff.staff_invite(
                    actor=user, institution=user.institution, **form.cleaned_data
                )
            except ApplicationError as exc:
                refusal_on_form(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s: the link in it works once.")
                    % {"email": member.email},
                )
                return redirect("web:library-staff")
        else:
            status = 400
    members = list(selectors.staff_of(institution_id=user.institution_id))
    return render_library(
        request,
        "web/library/staff_list.html",
        {"members": members, "form": form, "can_manage": user.is_institution_admin},
        current=CURRENT,
        title=_("Staff accounts"),
        status=status,
    )


@library_staff_required
@require_http_methods(["GET", "POST"])
def staff_detail(request, member_id):
    """One colleague's account: role, state; an administrator changes the role,
    deactivates or reactivates it."""
    user = request.user
    member = selectors.staff_member_get_for(
        user, institution_id=user.institution_id, member_id=member_id
    )
    form = StaffRoleForm(initial={"role": member.role})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "role":
                form = StaffRoleForm(request.POST)
                if form.is_valid():
                    staff.staff_role_change(
                        actor=user, member=member, role=form.cleaned_data["role"]
                    )
                    messages.success(request, _("The role is changed."))
                    return redirect("web:library-staff-detail", member_id=member.pk)
                status = 400
            elif action == "deactivate":
                staff.staff_deactivate(actor=user, member=member)
                messages.success(request, _("The account is deactivated."))
                return redirect("web:library-staff-detail", member_id=member.pk)
            elif action == "resend":
                staff.staff_invitation_resend(actor=user, member=member)
                messages.success(
                    request,
                    _("A new invitation is sent to %(email)s.") % {"email": member.email},
                )
                return redirect("web:library-staff-detail", member_id=member.pk)
            elif action == "reactivate":
                staff.staff_reactivate(actor=user, member=member)
                messages.success(request, _("The account is active again."))
                return redirect("web:library-staff-detail", member_id=member.pk)
            else:
                status = 400
        except ApplicationError as exc:
            if action == "role":  # a refusal of the role change is about the role
                form.add_error("role", str(exc.message))
            else:
                messages.error(request, str(exc.message))
                return redirect("web:library-staff-detail", member_id=member.pk)
            status = exc.status_code
    return render_library(
        request,
        "web/library/staff_detail.html",
        {
            "member": member,
            "form": form,
            "can_manage": user.is_institution_admin and member.pk != user.pk,
            "crumbs": [(_("Staff accounts"), reverse("web:library-staff"))],
        },
        current=CURRENT,
        title=member.get_full_name() or member.email or member.username,
        status=status,
    )


# --- passwords (any account with one) ---------------------------------------------------------
@never_cache
@login_rate_limited
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a one-time link by e-mail. The answer is the same whether or not an account
    uses the address (nobody learns who has one); rate-limited like the logins."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff.password_reset_request(email=form.cleaned_data["email"])
        return redirect("web:password-reset-sent")
    return render(
        request,
        "web/account/password_reset.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET"])
def password_reset_sent(request):
    return render(request, "web/account/password_reset_sent.html")


@never_cache
@login_rate_limited
@require_http_methods(["GET", "POST"])
def password_choose(request, uidb64, token, invitation=False):
    """The page an e-mailed link opens: choose a password (a colleague's invitation, or
    a forgotten password). A link already used, expired or of a closed account says so."""
    account = staff.user_from_link(uidb64=uidb64, token=token)
    template = "web/account/password_choose.html"
    context = {"invitation": invitation, "account": account}
    if account is None:
        return render(request, template, {**context, "form": None}, status=400)
    form = PasswordChooseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                staff.password_set_with_link(
                    uidb64=uidb64, token=token, password=form.cleaned_data["password1"]
                )
            except ApplicationError as exc:
                form.add_error("password1" if exc.field == "password" else None, str(exc.message))
            else:
                messages.success(
                    request, _("Your password is set: sign in with your username and it.")
                )
                return redirect(reverse("web:sign-in") + "#staff-sign-in")
    # the link is a secret until used: the site's Referrer-Policy (same-origin) keeps it
    # from other sites
    return render(request, template, {**context, "form": form}, status=status)
