"""The per-client rate-limit counters every worker shares (gis_portal.ratelimit).

UNLOGGED: a counter is worth nothing after a crash, so it costs no WAL; one row per (scope, client),
overwritten when its window passes, pruned hourly (accounts.tasks.prune_counters).
"""
from django.db import migrations

CREATE = """
CREATE UNLOGGED TABLE gis_portal_ratelimit (
    key varchar(200) PRIMARY KEY,
    window_end bigint NOT NULL,  -- epoch seconds at which the counted window ends
    hits integer NOT NULL
);
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_login_attempt")]

    operations = [migrations.RunSQL(CREATE, "DROP TABLE gis_portal_ratelimit")]
