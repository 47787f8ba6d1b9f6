"""A generation number of the rules tables (spatial and works rules) (gis_portal.generations): any change to a rule, a
`queryset.update()` or raw SQL included, sets it in the changing transaction, and the analysis reads
it in its context statement to know when to load the rules again (rules.selectors.active_rules)."""

from django.db import migrations

from gis_portal.generations import generation_sql


class Migration(migrations.Migration):

    dependencies = [
        ('rules', '0003_works_rules_and_revisions'),
    ]

    operations = [migrations.RunSQL(*generation_sql("rules", ("rules_rule", "rules_worksrule")))]
