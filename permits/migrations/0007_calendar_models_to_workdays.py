"""ClosedDay and DeadlinePolicy now belong to the workdays app: removed from permits' state only, their
tables stay (workdays' models name them with db_table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('permits', '0006_closed_day_per_issuer'),
        ('workdays', '0001_calendar_models_from_permits'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ClosedDay'), migrations.DeleteModel(name='DeadlinePolicy')],
            database_operations=[],
        ),
    ]
