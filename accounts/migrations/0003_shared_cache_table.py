"""The table of the "shared" cache (settings.CACHES): rate-limit counters every worker sees.

The schema is the one `manage.py createcachetable` makes for Django's DatabaseCache; it is created
here so that `migrate` (make run, make test, docker-compose, a restore) is the only setup step.
"""
from django.db import migrations

CREATE = """
CREATE TABLE IF NOT EXISTS gis_portal_cache (
    cache_key varchar(255) NOT NULL PRIMARY KEY,
    value text NOT NULL,
    expires timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS gis_portal_cache_expires ON gis_portal_cache (expires);
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_login_attempt")]

    operations = [migrations.RunSQL(CREATE, "DROP TABLE IF EXISTS gis_portal_cache")]
