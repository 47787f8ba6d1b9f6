"""A generation number of the institutions table, set in the same transaction as any change to an
institution or its jurisdiction UATs (statement triggers) to a number never used before, so a process can keep the
institutions in memory and know, from one column of the analysis' context statement, when to
read them again (institutions.selectors.institutions_covering)."""

from django.db import migrations

TABLES = ("institutions_institution", "institutions_institution_jurisdiction_uats")

FORWARD = """
CREATE SEQUENCE institutions_generation_seq;
CREATE TABLE institutions_generation (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL);
INSERT INTO institutions_generation VALUES (1, nextval('institutions_generation_seq'));
-- From a sequence, not n + 1: a rolled-back change must not hand its number to the next one.
CREATE FUNCTION institutions_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE institutions_generation SET n = nextval('institutions_generation_seq') WHERE id = 1;
    RETURN NULL;
END $$;
""" + "".join(f"""
CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION institutions_bump_generation();""" for table in TABLES)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_generation ON {table};" for table in TABLES) + """
DROP FUNCTION IF EXISTS institutions_bump_generation();
DROP TABLE IF EXISTS institutions_generation;
DROP SEQUENCE IF EXISTS institutions_generation_seq;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('institutions', '0002_institution_response_working_days'),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
