"""Parallel writers on a SQLite file, the embedded default of `make run`; run by
tests/api/test_sqlite_writes.py in a fresh process:

    DATABASE_URL=sqlite:///<file> python -m tests.api.sqlite_writers WRITERS

Creates the tables (from the models: the migrations take half a minute), one grant and a
cinema-staff token, then WRITERS threads — each with its own database connection, as
runserver's threads have — send `PATCH /api/v1/grants/{id}/` at the same moment through
Django's whole request stack. Prints one JSON line: the status of each answer, the
database's journal mode, and the grant's final value.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import threading


def main(writers: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.test")
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection, connections
    from django.test import Client

    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)

    from accounts.models import ApiToken, User
    from catalogue.models import Film
    from rights.models import Contract, Medium, RightsGrant, RightsHolder

    staff = User.objects.create(username="editor", role=User.Role.CATALOGUE_EDITOR)
    _token, token = ApiToken.objects.create(user=staff)
    contract = Contract.objects.create(
        reference="CTR-1",
        rights_holder=RightsHolder.objects.create(name="Production"),
        status=Contract.Status.SIGNED,
        signed_on=datetime.date(2016, 1, 1),
    )
    film = Film.objects.create(reference="F-1", title="Film", year=2016, runtime_minutes=90)
    grant = RightsGrant.objects.create(
        contract=contract,
        film=film,
        medium=Medium.PUBLIC_SCREENING,
        starts_on=datetime.date(2017, 1, 1),
        max_screenings_per_year=1,
    )
    journal_mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()

    start = threading.Barrier(writers)
    statuses: list[int] = []

    def write(n: int) -> None:
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        try:
            response = client.patch(
                f"/api/v1/grants/{grant.pk}/",
                {"max_screenings_per_year": n + 2},
                content_type="application/json",
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    grant.refresh_from_db()
    print(
        json.dumps(
            {
                "statuses": sorted(statuses),
                "journal_mode": journal_mode,
                "max_screenings_per_year": grant.max_screenings_per_year,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
