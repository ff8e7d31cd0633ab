"""Operations on editorial collections (the cinema staff's) and on libraries' own
selections: create, edit, add, remove and reorder films. Each checks its input and refuses
with a stable reason code; django-simple-history records every change to a collection, a
selection and their items. Items keep the positions 0..n-1 in order."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, NotFoundError
from catalogue.models import Film, Person, Theme
from catalogue.selectors import PUBLIC_STATUSES
from editorial.errors import EditorialErrorCode
from editorial.locks import lock_collection, lock_library_selection
from editorial.models import Collection, CollectionItem, LibrarySelection, LibrarySelectionItem

_UNSET: Any = object()


def _check_window(published_from, published_until) -> None:
    if published_until is not None and published_from is None:
        raise ApplicationError(
            EditorialErrorCode.INVALID_PUBLICATION_WINDOW,
            _("A collection with an end of publication needs a start."),
            field="published_from",
        )
    if published_until is not None and published_until < published_from:
        raise ApplicationError(
            EditorialErrorCode.INVALID_PUBLICATION_WINDOW,
            _("The publication ends before it starts."),
            field="published_until",
        )


def _resolve_subject(kind: str, theme_id: int | None, person_id: int | None):
    theme = person = None
    if theme_id is not None:
        theme = Theme.objects.filter(pk=theme_id).first()
        if theme is None:
            raise ApplicationError(
                EditorialErrorCode.UNKNOWN_THEME, _("No such theme."), field="theme"
            )
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise ApplicationError(
                EditorialErrorCode.UNKNOWN_PERSON, _("No such director."), field="person"
            )
    if kind == Collection.Kind.THEME and theme is None:
        raise ApplicationError(
            EditorialErrorCode.THEME_REQUIRED,
            _("A theme collection names its theme."),
            field="theme",
        )
    if kind == Collection.Kind.DIRECTOR_PORTRAIT and person is None:
        raise ApplicationError(
            EditorialErrorCode.PERSON_REQUIRED,
            _("A director portrait names its director."),
            field="person",
        )
    return theme, person


def _check_items(items: Sequence[dict]) -> None:
    """Every film named exists, and no film is named twice."""
    film_ids = [item["film"] for item in items]
    seen: set[int] = set()
    for film_id in film_ids:
        if film_id in seen:
            raise ApplicationError(
                EditorialErrorCode.DUPLICATE_ITEM,
                _("The film %(film)s is already in this collection.") % {"film": film_id},
                field="items",
            )
        seen.add(film_id)
    known = set(Film.objects.filter(pk__in=film_ids).values_list("pk", flat=True))
    unknown = [film_id for film_id in film_ids if film_id not in known]
    if unknown:
        raise ApplicationError(
            EditorialErrorCode.UNKNOWN_FILM,
            _("No such film: %(film)s.") % {"film": unknown[0]},
            field="items",
        )


def _replace_items(parent: Collection | LibrarySelection, items: Sequence[dict]) -> None:
    """Make the collection's (or selection's) items exactly `items`, in that order,
    touching only the rows that change (so the history shows what the editor did, not a
    rewrite)."""
    existing = {item.film_id: item for item in parent.items.all()}
    wanted = {item["film"] for item in items}
    for film_id, item in existing.items():
        if film_id not in wanted:
            item.delete()
    for position, data in enumerate(items):
        note = data.get("note", "")
        item = existing.get(data["film"])
        if item is None:
            parent.items.create(film_id=data["film"], position=position, note=note)
        elif (item.position, item.note) != (position, note):
            item.position, item.note = position, note
            item.save(update_fields=["position", "note"])


@transaction.atomic
def collection_create(
    *,
    kind: str,
    title: str,
    description: str = "",
    theme: int | None = None,
    person: int | None = None,
    published_from: datetime.date | None = None,
    published_until: datetime.date | None = None,
    items: Sequence[dict] = (),
    created_by=None,
) -> Collection:
    _check_window(published_from, published_until)
    theme_obj, person_obj = _resolve_subject(kind, theme, person)
    _check_items(items)
    collection = Collection(
        kind=kind,
        title=title,
        description=description,
        theme=theme_obj,
        person=person_obj,
        published_from=published_from,
        published_until=published_until,
        created_by=created_by,
    )
    collection.full_clean()
    collection.save()
    _replace_items(collection, items)
    return collection


@transaction.atomic
def collection_update(
    *, collection: Collection, items: Sequence[dict] | None = None, **fields
) -> Collection:
    """Change the given fields (and, when `items` is given, the whole ordered list)."""
    collection = lock_collection(collection.pk)
    kind = fields.get("kind", collection.kind)
    published_from = fields.get("published_from", collection.published_from)
    published_until = fields.get("published_until", collection.published_until)
    _check_window(published_from, published_until)
    theme_id = fields.pop("theme", collection.theme_id)
    person_id = fields.pop("person", collection.person_id)
    collection.theme, collection.person = _resolve_subject(kind, theme_id, person_id)
    for name, value in fields.items():
        setattr(collection, name, value)
    collection.full_clean()
    collection.save()
    if items is not None:
        _check_items(items)
        _replace_items(collection, items)
    return collection


@transaction.atomic
def collection_item_add(
    *, collection: Collection, film: int, note: str = "", position: int | None = None
) -> CollectionItem:
    """Put a film in the collection at `position` (the end by default); the films from
    there on move one place down."""
    collection = lock_collection(collection.pk)
    current = [
        {"film": item.film_id, "note": item.note}
        for item in collection.items.order_by("position", "pk")
    ]
    if any(item["film"] == film for item in current):
        raise ApplicationError(
            EditorialErrorCode.DUPLICATE_ITEM,
            _("The film %(film)s is already in this collection.") % {"film": film},
            field="film",
        )
    if not Film.objects.filter(pk=film).exists():
        raise ApplicationError(
            EditorialErrorCode.UNKNOWN_FILM,
            _("No such film: %(film)s.") % {"film": film},
            field="film",
        )
    position = len(current) if position is None else min(position, len(current))
    current.insert(position, {"film": film, "note": note})
    _replace_items(collection, current)
    return collection.items.get(film_id=film)


@transaction.atomic
def collection_item_remove(*, collection: Collection, item_id: int) -> None:
    """Take an item out; the films after it move one place up."""
    collection = lock_collection(collection.pk)
    current = [
        {"film": item.film_id, "note": item.note, "id": item.pk}
        for item in collection.items.order_by("position", "pk")
    ]
    if not any(item["id"] == item_id for item in current):
        raise NotFoundError("not_found", _("No such item in this collection."))
    _replace_items(collection, [item for item in current if item["id"] != item_id])


@transaction.atomic
def collection_delete(*, collection: Collection) -> None:
    collection.items.all().delete()
    collection.delete()


# --- a library's own selections -----------------------------------------------------------


@transaction.atomic
def library_selection_create(
    *, institution, title: str, description: str = "", created_by=None
) -> LibrarySelection:
    selection = LibrarySelection(
        institution=institution, title=title, description=description, created_by=created_by
    )
    selection.full_clean()
    selection.save()
    return selection


@transaction.atomic
def library_selection_update(
    *, selection: LibrarySelection, title: str = _UNSET, description: str = _UNSET
) -> LibrarySelection:
    """Change the title and/or the description (the films: `library_selection_item_*`)."""
    selection = lock_library_selection(selection.pk)
    if title is not _UNSET:
        selection.title = title
    if description is not _UNSET:
        selection.description = description
    selection.full_clean()
    selection.save()
    return selection


@transaction.atomic
def library_selection_delete(*, selection: LibrarySelection) -> None:
    selection.items.all().delete()
    selection.delete()


@transaction.atomic
def library_selection_item_add(
    *, selection: LibrarySelection, film: int, note: str = "", position: int | None = None
) -> LibrarySelectionItem:
    """Put a film of the public catalogue in the selection at `position` (the end by
    default); the films from there on move one place down. A film not in the public
    catalogue (a proposal only the cinema staff see) is refused like an unknown one."""
    selection = lock_library_selection(selection.pk)
    current = [
        {"film": item.film_id, "note": item.note}
        for item in selection.items.order_by("position", "pk")
    ]
    if not Film.objects.filter(pk=film, status__in=PUBLIC_STATUSES).exists():
        raise ApplicationError(
            EditorialErrorCode.UNKNOWN_FILM,
            _("No such film: %(film)s.") % {"film": film},
            field="film",
        )
    if any(item["film"] == film for item in current):
        raise ApplicationError(
            EditorialErrorCode.DUPLICATE_ITEM,
            _("The film %(film)s is already in this selection.") % {"film": film},
            field="film",
        )
    position = len(current) if position is None else min(position, len(current))
    current.insert(position, {"film": film, "note": note})
    _replace_items(selection, current)
    return selection.items.get(film_id=film)


@transaction.atomic
def library_selection_item_remove(*, selection: LibrarySelection, item_id: int) -> None:
    """Take an item out; the films after it move one place up."""
    selection = lock_library_selection(selection.pk)
    current = [
        {"film": item.film_id, "note": item.note, "id": item.pk}
        for item in selection.items.order_by("position", "pk")
    ]
    if not any(item["id"] == item_id for item in current):
        raise NotFoundError("not_found", _("No such item in this selection."))
    _replace_items(selection, [item for item in current if item["id"] != item_id])


@transaction.atomic
def library_selection_item_move(
    *,
    selection: LibrarySelection,
    item_id: int,
    position: int | None = None,
    step: int | None = None,
) -> LibrarySelectionItem:
    """Move an item to `position` (0 is the first place; past the end: the last) or by
    `step` places from where it is (-1: one up) — one of the two —, under the selection's
    lock: a step counts from the item's place when the lock is held, so two people
    pressing "up" at once move it two places. The films between its old place and the new
    one shift by one, so positions stay 0..n-1, each once."""
    if (position is None) == (step is None):
        raise TypeError("library_selection_item_move takes a position or a step")
    selection = lock_library_selection(selection.pk)
    current = list(selection.items.order_by("position", "pk"))
    moved = next((item for item in current if item.pk == item_id), None)
    if moved is None:
        raise NotFoundError("not_found", _("No such item in this selection."))
    target = current.index(moved) + step if step is not None else position
    current.remove(moved)
    current.insert(max(0, min(target, len(current))), moved)
    _replace_items(selection, [{"film": item.film_id, "note": item.note} for item in current])
    moved.refresh_from_db()
    return moved
