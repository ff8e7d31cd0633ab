"""The data migration that dates the contracts recorded before their termination date
and reason were kept (rights 0005), so the constraints of 0006 hold for every row."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# migrating back and forth takes about 3 s: the one way to prove a data migration
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("rights", "0004_field_verbose_names")]
AFTER = [("rights", "0006_contract_dates_constraints")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _every_migration_applied_after():
    """Back to rights 0004 unapplies the migrations of every app that depends on a later
    rights migration (royalties' tables are dropped); forward to 0006 does not apply them
    again. The whole history is applied after the test, whatever it did, so that the
    tests after it on this database find every table."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.slow
def test_earlier_contracts_get_their_dates_from_their_history():
    """Slow on purpose (3 to 6 s): it migrates the schema back to rights 0004 and forward
    again, the one way to prove a data migration."""
    apps = _migrate(BEFORE)
    holder = apps.get_model("rights", "RightsHolder").objects.create(name="Ancien", kind="producer")
    Contract = apps.get_model("rights", "Contract")
    History = apps.get_model("rights", "HistoricalContract")
    paris = timezone.get_current_timezone()

    def record(contract, status, day):
        History.objects.create(
            id=contract.pk,
            reference=contract.reference,
            rights_holder_id=holder.pk,
            status=status,
            signed_on=contract.signed_on,
            fee=contract.fee,
            document="",
            notes="",
            created_at=contract.created_at,
            updated_at=contract.updated_at,
            history_date=datetime.datetime(*day, 12, tzinfo=paris),
            history_type="~",
        )

    terminated = Contract.objects.create(
        reference="OLD-T", rights_holder=holder, status="terminated", signed_on=None
    )
    record(terminated, "draft", (2016, 1, 10))
    record(terminated, "signed", (2016, 2, 1))
    record(terminated, "terminated", (2018, 5, 3))
    record(terminated, "terminated", (2018, 6, 1))
    no_history = Contract.objects.create(
        reference="OLD-S", rights_holder=holder, status="signed", signed_on=None
    )
    Contract.objects.create(
        reference="OLD-D",
        rights_holder=holder,
        status="signed",
        signed_on=datetime.date(2015, 4, 1),
    )
    Contract.objects.create(reference="OLD-DR", rights_holder=holder, status="draft")

    apps = _migrate(AFTER)
    Contract = apps.get_model("rights", "Contract")
    rows = {
        c.reference: (c.status, c.signed_on, c.terminated_on, bool(c.termination_reason))
        for c in Contract.objects.all()
    }
    assert rows == {
        "OLD-T": ("terminated", datetime.date(2016, 2, 1), datetime.date(2018, 5, 3), True),
        "OLD-S": ("signed", timezone.localtime(no_history.created_at).date(), None, False),
        "OLD-D": ("signed", datetime.date(2015, 4, 1), None, False),
        "OLD-DR": ("draft", None, None, False),
    }
