"""Token authentication for the API.

DRF's `TokenAuthentication`, with the token and its user read by one prepared SQL
statement instead of an ORM query built on every request: every authenticated request
pays for it, and on cached pages (the catalogue's film list) building that query cost
as much as the rest of the request. Same tokens, same answers, same error messages.
"""

from __future__ import annotations

import functools

from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import User


class TokenAuthentication(authentication.TokenAuthentication):
    model = Token

    def authenticate_credentials(self, key):
        db = router.db_for_read(User)
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(_user_by_token_sql(), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        values = list(row)
        for index, column, converters in _converters(connection):
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        *values, created = values
        user = User.from_db(db, _user_columns(), values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(db, ["key", "user_id", "created"], [key, user.pk, created])
        token.user = user
        return user, token


@functools.lru_cache(maxsize=16)
def _converters(connection) -> tuple:
    """What the ORM applies to the values it reads (e.g. SQLite's datetimes), for the
    selected columns that need it: (position, column, converters)."""
    columns = [field.get_col(User._meta.db_table) for field in User._meta.concrete_fields]
    columns.append(Token._meta.get_field("created").get_col(Token._meta.db_table))
    found = []
    for index, column in enumerate(columns):
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((index, column, tuple(converters)))
    return tuple(found)


@functools.cache
def _user_columns() -> tuple[str, ...]:
    return tuple(field.attname for field in User._meta.concrete_fields)


@functools.cache
def _user_by_token_sql() -> str:
    # Identifiers come from the models' metadata; the key is a bound parameter.
    user_columns = ", ".join(f'u."{field.column}"' for field in User._meta.concrete_fields)
    return (
        f'SELECT {user_columns}, t."created" '  # noqa: S608
        f'FROM "{User._meta.db_table}" u '
        f'INNER JOIN "{Token._meta.db_table}" t ON t."user_id" = u."{User._meta.pk.column}" '
        f'WHERE t."key" = %s'
    )
