"""Indexes of parcels_parcel that a bulk load builds after its commit.

The address trigram index serves only the speed of address search (ILIKE '%word%' is answered
without it, by a scan), and its GIN build takes ~10 s on a county's million addresses, as long
as the rest of the import. A bulk load therefore drops it with the other indexes, commits the
parcels with their primary key, unique, foreign-key and spatial indexes, then builds it in a
transaction of its own before the import returns. If that build fails or is interrupted, the
parcels stay imported, the failure is reported, and the next import builds the missing index.
"""
from __future__ import annotations

from django.db import connection, transaction

DEFERRED = ("parcel_address_trgm_idx",)


def build_missing() -> list[str]:
    """Create the deferred indexes of Parcel that do not exist; return their names."""
    from parcels.models import Parcel

    with transaction.atomic(), connection.cursor() as cursor:
        # The imports' own lock: two imports finishing together do not both create the index.
        cursor.execute("LOCK TABLE parcels_parcel IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("""SELECT indexname FROM pg_indexes
                          WHERE schemaname = current_schema() AND tablename = 'parcels_parcel'""")
        present = {name for (name,) in cursor.fetchall()}
        missing = [index for index in Parcel._meta.indexes if index.name in DEFERRED and index.name not in present]
        if missing:
            with connection.schema_editor(atomic=False) as editor:
                for index in missing:
                    editor.add_index(Parcel, index)
    return [index.name for index in missing]
