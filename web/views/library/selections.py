"""Selections, in the library's back office: the library's own ordered lists of films,
which its patrons see (`editorial.services.library_selection_*`; each film shown with the
media the library may use it on, as the rights engine decides, through
`editorial.selectors.library_selections_with_items`). Another library's: 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import ApplicationError, NotFoundError
from catalogue import selectors as catalogue_selectors
from editorial import selectors, services
from rights.models import Medium
from web.library_admin_forms import SelectionForm, SelectionItemForm
from web.views.library.admin_access import library_staff_required, refusal_on_form, render_library

CURRENT = "web:library-selections"
MEDIUM_LABELS = dict(Medium.choices)


@library_staff_required
@require_http_methods(["GET", "POST"])
def selection_list(request):
    user = request.user
    form = SelectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                selection = services.library_selection_create(
                    institution=user.institution, created_by=user, **form.cleaned_data
                )
            except ApplicationError as exc:
                refusal_on_form(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The selection is created: add its films."))
                return redirect("web:library-selection-detail", selection_id=selection.pk)
    selections = list(selectors.library_selections_visible_to(user))
    blocks = selectors.library_selections_with_items(selections, selectors.audience_for(user))
    return render_library(
        request,
        "web/library/selections.html",
        {"blocks": blocks, "form": form},
        current=CURRENT,
        title=_("Selections"),
        status=status,
    )


@library_staff_required
@require_http_methods(["GET", "POST"])
def selection_detail(request, selection_id):
    user = request.user
    selection = selectors.library_selection_get_for(user, selection_id, to_edit=True)
    edit_form = SelectionForm(
        initial={"title": selection.title, "description": selection.description}
    )
    item_form = SelectionItemForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        status = 400
        try:
            if action == "edit":
                edit_form = SelectionForm(request.POST)
                if edit_form.is_valid():
                    services.library_selection_update(selection=selection, **edit_form.cleaned_data)
                    messages.success(request, _("The selection is saved."))
                    return redirect("web:library-selection-detail", selection_id=selection.pk)
            elif action == "add":
                item_form = SelectionItemForm(request.POST)
                if item_form.is_valid():
                    film = (
                        catalogue_selectors.films_visible_to(user)
                        .filter(reference=item_form.cleaned_data["reference"].strip().upper())
                        .values_list("pk", flat=True)
                        .first()
                    )
                    if film is None:
                        item_form.add_error(
                            "reference", _("No film of the catalogue has this reference.")
                        )
                    else:
                        position = item_form.cleaned_data["position"]
                        services.library_selection_item_add(
                            selection=selection,
                            film=film,
                            note=item_form.cleaned_data["note"],
                            position=None if position is None else position - 1,
                        )
                        messages.success(request, _("The film is added."))
                        return redirect("web:library-selection-detail", selection_id=selection.pk)
            elif action == "move":
                return _move(request, selection)
            elif action == "remove":
                services.library_selection_item_remove(
                    selection=selection, item_id=int(request.POST.get("item", "0") or 0)
                )
                messages.success(request, _("The film is taken out of the selection."))
                return redirect("web:library-selection-detail", selection_id=selection.pk)
        except ApplicationError as exc:
            if action == "add":
                item_form.add_error("reference" if exc.field == "film" else None, str(exc.message))
            elif action == "edit":
                refusal_on_form(edit_form, exc)
            else:
                raise
            status = exc.status_code
        except ValueError:
            status = 400
    return render_library(
        request,
        "web/library/selection_detail.html",
        {
            "selection": selection,
            "items": _items(user, selection),
            "edit_form": edit_form,
            "item_form": item_form,
            "crumbs": [(_("Selections"), reverse("web:library-selections"))],
        },
        current=CURRENT,
        title=selection.title,
        status=status,
    )


def _items(user, selection) -> list[dict]:
    """The selection's films in order, each with the media the library may use it on."""
    block = selectors.library_selections_with_items([selection], selectors.audience_for(user))[0]
    for item in block["items"]:
        item["media_labels"] = [MEDIUM_LABELS.get(m, m) for m in item["film"]["media"]]
    return block["items"]


def _move(request, selection):
    """Move a film one place up or down (`editorial.services.library_selection_item_move`).
    Under htmx the list alone is sent back, the moved film's button focused again (the
    other one when it reached an end) and the move said to screen readers; otherwise back
    to the page with a message."""
    raw_item, direction = request.POST.get("item", ""), request.POST.get("direction")
    if not (raw_item.isdigit() and len(raw_item) < 12 and direction in ("up", "down")):
        raise Http404(_("No such film in this selection."))
    try:
        # the step is taken from the film's place once the selection is locked
        moved = services.library_selection_item_move(
            selection=selection, item_id=int(raw_item), step=-1 if direction == "up" else 1
        )
    except NotFoundError as exc:
        raise Http404(_("No such film in this selection.")) from exc
    items = _items(request.user, selection)
    said = _("“%(film)s” is now in place %(place)s of %(count)s.") % {
        "film": items[moved.position]["film"]["title"],
        "place": moved.position + 1,
        "count": len(items),
    }
    if not request.headers.get("HX-Request"):
        messages.success(request, said)
        url = reverse("web:library-selection-detail", kwargs={"selection_id": selection.pk})
        return redirect(f"{url}#selection-item-{moved.pk}")
    focus = direction
    if moved.position == 0:
        focus = "down"
    elif moved.position == len(items) - 1:
        focus = "up"
    return render(
        request,
        "web/library/partials/selection_items.html",
        {"items": items, "moved": moved.pk, "focus": focus, "said": said},
    )


@library_staff_required
@require_POST
def selection_delete(request, selection_id):
    selection = selectors.library_selection_get_for(request.user, selection_id, to_edit=True)
    services.library_selection_delete(selection=selection)
    messages.success(request, _("The selection is deleted."))
    return redirect("web:library-selections")
