"""A database trigger makes the audit trail append-only even for raw SQL and other clients."""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION avize_avizevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'avize_avizevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER avize_avizevent_no_change
  BEFORE UPDATE OR DELETE ON avize_avizevent
  FOR EACH ROW EXECUTE FUNCTION avize_avizevent_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS avize_avizevent_no_change ON avize_avizevent;
DROP FUNCTION IF EXISTS avize_avizevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("avize", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
