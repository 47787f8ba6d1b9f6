"""One scheme for every per-process cache that must follow the database: a generation number.

Each cached thing NAME has a one-row table `NAME_generation(n)`. Statement triggers on the tables
it is read from set `n` to a new number from a sequence in the same transaction as any change to
them: INSERT, UPDATE (a `queryset.update()` included), DELETE, TRUNCATE, from the ORM or raw SQL.
A number from a sequence rather than n + 1, so a rolled-back change never hands its number to a
later one. A process keeps the value with the generation it was read at and reads it again when a
statement it runs anyway (e.g. the analysis' context statement) returns another generation.

Used by the rules (rules.selectors.active_rules) and the institutions
(institutions.selectors.active_institutions).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from django.db import connection

T = TypeVar("T")


def generation_sql(name: str, tables: Sequence[str]) -> tuple[str, str]:
    """Forward and backward SQL (for migrations.RunSQL) creating NAME_generation and its triggers."""
    forward = f"""
CREATE SEQUENCE {name}_generation_seq;
CREATE TABLE {name}_generation (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL);
INSERT INTO {name}_generation VALUES (1, nextval('{name}_generation_seq'));
CREATE FUNCTION {name}_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {name}_generation SET n = nextval('{name}_generation_seq') WHERE id = 1;
    RETURN NULL;
END $$;
""" + "".join(f"""
CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_bump_generation();""" for table in tables)
    backward = "".join(f"DROP TRIGGER IF EXISTS {table}_generation ON {table};" for table in tables) + f"""
DROP FUNCTION IF EXISTS {name}_bump_generation();
DROP TABLE IF EXISTS {name}_generation;
DROP SEQUENCE IF EXISTS {name}_generation_seq;
"""
    return forward, backward


class GenerationCache(Generic[T]):
    """A value loaded from the database, kept per process with the generation it was read at."""

    def __init__(self, name: str, load: Callable[[], T]):
        self.sql = f"SELECT n FROM {name}_generation"
        self.load = load
        self._known: tuple[int, T] | None = None

    def get(self, *, generation: int | None = None) -> T:
        """The value; from memory when `generation` (read by the caller in a statement of its own) is
        the one it was loaded at, else loaded again. Without `generation` it is always loaded."""
        known = self._known
        if known is not None and generation is not None and known[0] == generation:
            return known[1]
        # The generation is read BEFORE the value: a change committed in between gives a value newer
        # than its tag, which only costs one more load; never an old value under a new tag.
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            read_at = cursor.fetchone()[0]
        value = self.load()
        self._known = (read_at, value)  # one assignment: threads see the old pair or the new one
        return value

    def last(self) -> T | None:
        """The value as last loaded by this process (None before the first load), unchecked."""
        return None if self._known is None else self._known[1]
