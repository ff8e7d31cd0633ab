"""DRF's single never-expiring tokens become knox tokens (`accounts.ApiToken`): each key
keeps working — stored from now on as a digest only — until it expires like any token,
API_TOKEN_TTL_HOURS from the upgrade. Then `rest_framework.authtoken`'s table, which held
the keys in clear, is dropped (the app is no longer installed)."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

DRF_TOKEN_TABLE = "authtoken_token"


def move_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TOKEN_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", "user_id" FROM "{DRF_TOKEN_TABLE}"')  # noqa: S608
        rows = cursor.fetchall()
    expiry = timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                digest=hash_token(key),
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=expiry,
                device="(token from before the upgrade)",
            )
            for key, user_id in rows
        ]
    )
    schema_editor.execute(f'DROP TABLE "{DRF_TOKEN_TABLE}"')
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_tokens")]

    operations = [migrations.RunPython(move_drf_tokens, migrations.RunPython.noop)]
