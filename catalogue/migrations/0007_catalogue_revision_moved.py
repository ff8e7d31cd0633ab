# The catalogue revision moves to backend.revision (its migration 0001 takes the model
# into its state): the table stays, with its rows; only Django's state moves.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0006_field_verbose_names'),
        ('revision', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CatalogueRevision')],
            database_operations=[],
        ),
    ]
