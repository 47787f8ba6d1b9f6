"""A generation number of the rules table (gis_portal.generations): any change to a rule, a
`queryset.update()` or raw SQL included, sets it in the changing transaction, and the analysis reads
it in its context statement to know when to load the rules again (rules.selectors.active_rules)."""

from django.db import migrations

from gis_portal.generations import generation_sql


class Migration(migrations.Migration):

    dependencies = [
        ('rules', '0002_analysis_geometry_without_index'),
    ]

    operations = [migrations.RunSQL(*generation_sql("rules", ("rules_rule",)))]
