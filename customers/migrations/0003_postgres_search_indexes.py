"""Search indexes that only PostgreSQL has.

Agents search "세종대로 17" or "래미안" anywhere in an address; a B-tree index
cannot serve a LIKE '%…%' query, a pg_trgm GIN index can. A name prefix
("김철") is served by a B-tree with varchar_pattern_ops, which works in any
collation. SQLite (the embedded demo) scans instead, fast enough at demo scale.
"""

from django.db import migrations

INDEXES = [
    ("customers_premise", "premise_address_trgm", "address_line"),
    ("customers_customer", "customer_name_trgm", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{column}") gin_trgm_ops)'
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS customer_name_prefix ON customers_customer (name varchar_pattern_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [index for _table, index, _column in INDEXES] + ["customer_name_prefix"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]

    operations = [migrations.RunPython(create, drop)]
