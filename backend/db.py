"""Database helpers shared by the apps' services.

Uniqueness is the database's to hold: a service inserts and, when a unique column of
the row refuses it, answers the same 400 a form would ("this reference is taken"),
instead of asking first with a query that two concurrent requests both pass.

Mail goes after the commit: a job queues each message's task for once its transaction
commits, so a rolled-back job sends nothing and no mail is sent while rows are locked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

_POSTGRES_KEY = re.compile(r"Key \((?P<columns>.+?)\)=")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")


def _violated_columns(error: IntegrityError) -> set[str]:
    """The columns of the unique key an insert or update collided on (empty when the
    error is not a unique violation, or does not say)."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL: SQLSTATE 23505, "Key (reference)=(C-1) already exists."
        if getattr(cause, "sqlstate", None) != "23505":
            return set()
        match = _POSTGRES_KEY.search(diag.message_detail or "")
        names = match.group("columns").split(",") if match else []
        return {name.strip().strip('"') for name in names}
    match = _SQLITE_UNIQUE.search(str(error))  # "… failed: rights_contract.reference"
    if match is None:
        return set()
    return {column.strip().rsplit(".", 1)[-1] for column in match.group("columns").split(",")}


@contextmanager
def unique_violation_as_field_error(
    model: type[models.Model], messages: Mapping[str, str]
) -> Iterator[None]:
    """Run the block in a savepoint; when the database refuses it because a unique
    column of `model` named in `messages` (field name → message) already holds the value,
    raise a `ValidationError` on that field with code `unique` (a 400 naming the field).
    Any other integrity error goes on unchanged."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        columns = _violated_columns(error)
        for name, message in messages.items():
            if model._meta.get_field(name).column in columns and len(columns) == 1:
                raise ValidationError({name: ValidationError(message, code="unique")}) from error
        raise


def mail_after_commit(task, **kwargs) -> None:
    """Queue the Celery `task` with `kwargs` once the current transaction commits. A
    failure to queue (or, where tasks run in-process, to send) is logged, not raised: one
    message that fails does not keep the job's other messages from going."""
    transaction.on_commit(lambda: task.delay(**kwargs), robust=True)
