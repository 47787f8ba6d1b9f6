"""A generation number of the institutions table, set in the same transaction as any change to an
institution or its jurisdiction UATs (statement triggers) to a number never used before, so a process can keep the
institutions in memory and know, from one column of the analysis' context statement, when to
read them again (gis_portal.generations, institutions.selectors.active_institutions)."""

from django.db import migrations

from gis_portal.generations import generation_sql

TABLES = ("institutions_institution", "institutions_institution_jurisdiction_uats")


class Migration(migrations.Migration):

    dependencies = [
        ('institutions', '0002_institution_response_working_days'),
    ]

    operations = [migrations.RunSQL(*generation_sql("institutions", TABLES))]
