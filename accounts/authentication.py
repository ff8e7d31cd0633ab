"""Token authentication for the API: django-rest-knox's tokens, checked in one query.

Clients send `Authorization: Token <key>`. Only a digest of each key is stored (knox's
SHA-512, the table's primary key), so the token and its user are read by one prepared SQL
statement on that key — not knox's own lookup, which reads the user's other tokens on every
request to sweep the expired ones. Every authenticated request pays for this check (the
playback start is a benchmarked hot path, and on cached pages building an ORM query cost
as much as the rest of the request), so it stays one statement and writes nothing: an
expired token is refused here and deleted by `accounts.tasks.expired_api_tokens_delete`.
"""

from __future__ import annotations

import functools

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions

from accounts.models import ApiToken, User

#: knox's keys are 64 hexadecimal characters; anything much longer is not one of ours.
MAX_KEY_LENGTH = 128
#: The token's columns read with the user's, after them, in this order.
TOKEN_FIELDS = ("digest", "token_key", "created", "expiry", "device")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token):
        try:
            key = token.decode("ascii") if isinstance(token, bytes) else token
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        db = router.db_for_read(ApiToken)
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(_user_by_token_sql(), [hash_token(key)])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        values = list(row)
        for index, column, converters in _converters(connection):
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        user_values, token_values = values[: len(_user_columns())], values[len(_user_columns()) :]
        read = dict(zip(TOKEN_FIELDS, token_values, strict=True), user_id=user_values[0])
        token = ApiToken.from_db(db, _token_columns(), [read[name] for name in _token_columns()])
        if token.expiry is not None and token.expiry <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("The token has expired: log in again."), code="token_expired"
            )
        user = User.from_db(db, _user_columns(), user_values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        return user, token


def _selected_fields() -> list:
    token_fields = [ApiToken._meta.get_field(name) for name in TOKEN_FIELDS]
    return [
        *((User._meta.db_table, field) for field in User._meta.concrete_fields),
        *((ApiToken._meta.db_table, field) for field in token_fields),
    ]


@functools.lru_cache(maxsize=16)
def _converters(connection) -> tuple:
    """What the ORM applies to the values it reads (e.g. SQLite's datetimes), for the
    selected columns that need it: (position, column, converters)."""
    found = []
    for index, (table, field) in enumerate(_selected_fields()):
        column = field.get_col(table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((index, column, tuple(converters)))
    return tuple(found)


@functools.cache
def _user_columns() -> tuple[str, ...]:
    # the primary key comes first: the token's user_id is read from it
    assert User._meta.concrete_fields[0].primary_key
    return tuple(field.attname for field in User._meta.concrete_fields)


@functools.cache
def _token_columns() -> tuple[str, ...]:
    # from_db() takes the values in the model's field order
    columns = tuple(field.attname for field in ApiToken._meta.concrete_fields)
    assert set(columns) == {*TOKEN_FIELDS, "user_id"}
    return columns


@functools.cache
def _user_by_token_sql() -> str:
    # Identifiers come from the models' metadata; the digest is a bound parameter.
    user_columns = [f'u."{field.column}"' for field in User._meta.concrete_fields]
    token_columns = [f't."{ApiToken._meta.get_field(name).column}"' for name in TOKEN_FIELDS]
    return (
        f"SELECT {', '.join([*user_columns, *token_columns])} "  # noqa: S608
        f'FROM "{ApiToken._meta.db_table}" t '
        f'INNER JOIN "{User._meta.db_table}" u ON u."{User._meta.pk.column}" = t."user_id" '
        f'WHERE t."digest" = %s'
    )
