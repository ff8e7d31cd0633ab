# The catalogue revision moves from the catalogue app to backend.revision: the table
# (created by catalogue 0005) stays as it is, with its rows; only Django's state moves.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalogue', '0006_field_verbose_names'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CatalogueRevision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveBigIntegerField(default=0, verbose_name='number')),
                    ],
                    options={
                        'verbose_name': 'catalogue revision',
                        'verbose_name_plural': 'catalogue revisions',
                        'db_table': 'catalogue_cataloguerevision',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
