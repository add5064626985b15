"""PostgreSQL bulk-load mode: no secondary indexes or foreign keys while the rows stream in.

Maintaining a dozen B-tree and trigram indexes row by row, and checking every
foreign key with a deferred trigger at commit, costs several times the COPY
itself at a million premises. Building each index once from sorted data and
validating each foreign key with one join is far cheaper. The definitions are
read from the catalogue (so indexes added by later migrations are kept too)
and restored exactly; because DDL is transactional in PostgreSQL, the caller
runs the whole load in one transaction and a failed load rolls back to the
original schema.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

# Index builds sort in memory rather than on disk; a session setting, undone at commit.
MAINTENANCE_WORK_MEM = "512MB"

_FOREIGN_KEYS = """
SELECT con.conname, con.conrelid::regclass::text, pg_get_constraintdef(con.oid)
FROM pg_constraint con
WHERE con.contype = 'f' AND con.conrelid = ANY(%s::regclass[])
ORDER BY 2, 1
"""
# Unique constraints are dropped and re-added as constraints; other indexes by their CREATE INDEX.
_UNIQUE_CONSTRAINTS = """
SELECT con.conname, con.conrelid::regclass::text, pg_get_constraintdef(con.oid)
FROM pg_constraint con
WHERE con.contype = 'u' AND con.conrelid = ANY(%s::regclass[])
ORDER BY 2, 1
"""
_PLAIN_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
ORDER BY 1
"""


@contextmanager
def deferred_indexes(tables: list[str], log=None):
    """Drop the tables' foreign keys and non-primary indexes; recreate them on exit.

    Must run inside a transaction (the load's), so an exception leaves the schema as it was.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred checks of rows written earlier in the transaction
        # (reference data) are pending: run them now, then defer again as Django's constraints expect.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(_FOREIGN_KEYS, [tables])
        foreign_keys = cursor.fetchall()
        cursor.execute(_UNIQUE_CONSTRAINTS, [tables])
        uniques = cursor.fetchall()
        cursor.execute(_PLAIN_INDEXES, [tables])
        indexes = cursor.fetchall()
        for name, table, _definition in foreign_keys + uniques:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # Same again for the rows written meanwhile to tables outside ``tables`` (demo users come later).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for name, table, definition in uniques:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        for _name, definition in indexes:
            cursor.execute(definition)
        if log:
            log("Indexes rebuilt.")
        # Re-adding a foreign key checks every row with one join, instead of one trigger per row.
        for name, table, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
