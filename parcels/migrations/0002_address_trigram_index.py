"""Address search (the map's search box, ILIKE '%word%') uses a trigram GIN index instead of a
sequential scan of the county's parcels. pg_trgm is a trusted extension (PostgreSQL 13+)."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('parcels', '0001_initial'),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name='parcel',
            index=django.contrib.postgres.indexes.GinIndex(fields=['address'], name='parcel_address_trgm_idx', opclasses=['gin_trgm_ops']),
        ),
    ]
