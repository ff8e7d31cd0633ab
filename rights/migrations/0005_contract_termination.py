"""Contracts keep the date and the reason of their termination; the contracts recorded
before get dates from their history, so the constraints of 0006 hold for every row."""

from django.db import migrations, models
from django.utils import timezone

SIGNED, TERMINATED = "signed", "terminated"
#: the reason given to terminations recorded before reasons were kept (the site's language)
EARLIER_TERMINATION = (
    "Résiliation enregistrée avant que sa date et son motif ne soient conservés ; "
    "date reprise de l'historique du contrat."
)


def _first_day_with(records, statuses):
    for record in records:
        if record.status in statuses:
            return timezone.localtime(record.history_date).date()
    return None


def contracts_dated(apps, schema_editor):
    """A signed or terminated contract without its signature date gets the day it was
    first recorded signed (else the day it was created); a terminated one without its
    termination date the day it was first recorded terminated (else its last change)."""
    Contract = apps.get_model("rights", "Contract")
    HistoricalContract = apps.get_model("rights", "HistoricalContract")
    undated = Contract.objects.filter(
        models.Q(status__in=[SIGNED, TERMINATED], signed_on__isnull=True)
        | models.Q(status=TERMINATED, terminated_on__isnull=True)
    )
    for contract in undated.iterator():
        records = list(
            HistoricalContract.objects.filter(id=contract.pk).order_by("history_date", "history_id")
        )
        if contract.signed_on is None:
            contract.signed_on = _first_day_with(records, {SIGNED, TERMINATED}) or (
                timezone.localtime(contract.created_at).date()
            )
        if contract.status == TERMINATED and contract.terminated_on is None:
            contract.terminated_on = _first_day_with(records, {TERMINATED}) or (
                timezone.localtime(contract.updated_at).date()
            )
            contract.termination_reason = contract.termination_reason or EARLIER_TERMINATION
        if contract.terminated_on is not None:
            contract.terminated_on = max(contract.terminated_on, contract.signed_on)
        contract.save(update_fields=["signed_on", "terminated_on", "termination_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0004_field_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="terminated_on",
            field=models.DateField(
                blank=True,
                help_text="First day without rights: the contract gave them until the day before.",
                null=True,
                verbose_name="terminated from",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="termination_reason",
            field=models.TextField(blank=True, verbose_name="reason for the termination"),
        ),
        migrations.AddField(
            model_name="historicalcontract",
            name="terminated_on",
            field=models.DateField(
                blank=True,
                help_text="First day without rights: the contract gave them until the day before.",
                null=True,
                verbose_name="terminated from",
            ),
        ),
        migrations.AddField(
            model_name="historicalcontract",
            name="termination_reason",
            field=models.TextField(blank=True, verbose_name="reason for the termination"),
        ),
        migrations.RunPython(contracts_dated, migrations.RunPython.noop),
    ]
