"""The migrations are the schema: every model change has its migration, and the whole
history applies from nothing (the test database of each pass is built by it)."""

import io

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # --check exits non-zero when a migration is missing
        pytest.fail(f"missing migrations (exit {exit_.code}):\n{out.getvalue()}")


@pytest.mark.django_db(transaction=True)
def test_the_catalogue_revision_keeps_its_row_when_it_moves_to_backend():
    """The revision moved from the catalogue app to backend.revision by Django's state
    only: the table and its row are the same before and after (SQLite and PostgreSQL)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from backend.revision.models import CatalogueRevision

    MigrationExecutor(connection).migrate(
        [("catalogue", "0006_field_verbose_names"), ("revision", None)]
    )
    with connection.cursor() as cursor:  # the catalogue app's table, as it was
        cursor.execute("DELETE FROM catalogue_cataloguerevision")
        cursor.execute("INSERT INTO catalogue_cataloguerevision (id, number) VALUES (1, 41)")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(CatalogueRevision.objects.values_list("pk", "number")) == [(1, 41)]
    assert CatalogueRevision._meta.db_table == "catalogue_cataloguerevision"
