"""A database trigger makes the audit trail append-only even for raw SQL and other clients."""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION permits_transitionevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'permits_transitionevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER permits_transitionevent_no_change
  BEFORE UPDATE OR DELETE ON permits_transitionevent
  FOR EACH ROW EXECUTE FUNCTION permits_transitionevent_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS permits_transitionevent_no_change ON permits_transitionevent;
DROP FUNCTION IF EXISTS permits_transitionevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
