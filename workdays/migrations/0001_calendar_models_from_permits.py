"""ClosedDay and DeadlinePolicy move from permits to workdays in Django's state only: their tables
(`permits_closedday`, `permits_deadlinepolicy`, created by permits' migrations) stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


def content_types_follow(apps, schema_editor, source="permits", target="workdays"):
    """The models' content types (and so their permissions, already granted) move with them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=["closedday", "deadlinepolicy"]).update(app_label=target)


def content_types_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, source="workdays", target="permits")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('parcels', '0004_one_cadastral_index'),
        ('permits', '0006_closed_day_per_issuer'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='ClosedDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('reason', models.CharField(max_length=200)),
                ('issuer', models.ForeignKey(blank=True, help_text='Empty: closed for every issuer.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='closed_days', to='parcels.issuer')),
            ],
            options={
                'db_table': 'permits_closedday',
                'ordering': ['date'],
                'constraints': [
                    models.UniqueConstraint(fields=('date', 'issuer'), name='closed_day_unique_per_issuer'),
                    models.UniqueConstraint(condition=models.Q(('issuer__isnull', True)), fields=('date',), name='closed_day_unique_for_everyone'),
                ],
            },
        ),
        migrations.CreateModel(
            name='DeadlinePolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.SlugField(max_length=40, unique=True)),
                ('amount', models.PositiveIntegerField()),
                ('unit', models.CharField(choices=[('working_days', 'Zile lucrătoare'), ('days', 'Zile calendaristice'), ('months', 'Luni')], max_length=12)),
                ('legal_basis', models.CharField(blank=True, max_length=255)),
            ],
            options={
                'db_table': 'permits_deadlinepolicy',
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
