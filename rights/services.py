"""Operations on rights holders."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from rights.models import RightsHolder, RightsHolderContact


def _set_contacts(holder: RightsHolder, contacts: Iterable[dict]) -> None:
    holder.contacts.all().delete()
    rows = [RightsHolderContact(rights_holder=holder, **item) for item in contacts]
    for row in rows:
        row.full_clean(exclude=["rights_holder"])
    RightsHolderContact.objects.bulk_create(rows)


@transaction.atomic
def rights_holder_create(*, contacts: Iterable[dict] = (), **fields) -> RightsHolder:
    holder = RightsHolder(**fields)
    holder.full_clean()
    holder.save()
    _set_contacts(holder, contacts)
    return holder


@transaction.atomic
def rights_holder_update(
    *, rights_holder: RightsHolder, contacts: Iterable[dict] | None = None, **fields
) -> RightsHolder:
    """Edit a rights holder; `contacts`, when given, replaces the list of contacts."""
    for name, value in fields.items():
        setattr(rights_holder, name, value)
    rights_holder.full_clean()
    rights_holder.save()
    if contacts is not None:
        _set_contacts(rights_holder, contacts)
    return rights_holder
