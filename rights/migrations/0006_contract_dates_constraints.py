from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0005_contract_termination"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["signed", "terminated"]), _negated=True),
                    ("signed_on__isnull", False),
                    _connector="OR",
                ),
                name="contract_signed_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "terminated"), ("terminated_on__isnull", False)),
                    models.Q(
                        models.Q(("status", "terminated"), _negated=True),
                        ("terminated_on__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="contract_terminated_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("terminated_on__isnull", True),
                    ("terminated_on__gte", models.F("signed_on")),
                    _connector="OR",
                ),
                name="contract_terminated_after_signature",
            ),
        ),
    ]
