"""Set-based writes for hot paths: PostgreSQL COPY, bulk INSERT elsewhere.

Used by the demo-city generator now and by imports and billing runs later. The
caller passes plain tuples in the order of ``fields`` (model field names); ids
for rows that other rows must point at are reserved first with
:func:`reserve_ids`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection, models

SQLITE_BATCH = 500


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for ``count`` rows about to be inserted with explicit ids."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite has one writer at a time; the caller is inside a write transaction.
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


_encode_json = json.JSONEncoder(ensure_ascii=False).encode


def _json(value):
    """JSON text; text the caller already encoded passes as it is."""
    if value is None or isinstance(value, str):
        return value
    return _encode_json(value)


def _adapters(model: type[models.Model], fields: Sequence[str]) -> list:
    """Per column, how a Python value becomes what the driver takes (None: as it is).

    psycopg adapts dates, aware datetimes, UUIDs and decimals itself; SQLite needs
    Django's own conversions (UTC datetimes, hex UUIDs). JSON is text for both.
    """
    adapters = []
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.JSONField):
            adapters.append(_json)
        elif connection.vendor != "postgresql" and isinstance(
            field, models.DateTimeField | models.UUIDField | models.DecimalField | models.DateField
        ):
            adapters.append(lambda value, field=field: field.get_db_prep_save(value, connection))
        else:
            adapters.append(None)
    return adapters


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows without per-row ORM saves; returns how many were written."""
    table = model._meta.db_table
    columns = _columns(model, fields)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    adapters = list(enumerate(_adapters(model, fields)))
    converted = [(index, adapt) for index, adapt in adapters if adapt is not None]

    def adapt(row):
        if not converted:
            return row
        row = list(row)
        for index, convert in converted:
            row[index] = convert(row[index])
        return row

    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(adapt(row))
                    written += 1
            return written
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"
        batch: list = []
        for row in rows:
            batch.append(adapt(row))
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format (``\\N`` is NULL)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _constant(column: Sequence) -> bool:
    try:
        return len(set(column)) == 1
    except TypeError:  # unhashable values
        return False


def insert_columns(model: type[models.Model], fields: Sequence[str], columns: Sequence[Sequence]) -> int:
    """Insert rows given column by column (``columns[i]`` holds every row's value of ``fields[i]``).

    The billing run's hot path: on PostgreSQL each column is turned into COPY text in
    one pass and the rows are sent as one block, without the driver adapting value by
    value; ints (the most of a bill) go through ``str`` alone, and a column given as a
    numpy array of ints or booleans is written without looking at each value. Elsewhere
    it is :func:`insert_rows`.
    """
    if connection.vendor != "postgresql":
        columns = [c.tolist() if isinstance(c, np.ndarray) else c for c in columns]
        return insert_rows(model, fields, zip(*columns, strict=True))
    if not columns or not len(columns[0]):
        return 0
    adapters = _adapters(model, fields)
    names = _columns(model, fields)
    # A value the same on every row (the run, the month, the dates) is written once: such
    # columns go last in the COPY's column list and every line ends with their text.
    varying, varying_names, constant, constant_names = [], [], [], []
    for name, column, adapt in zip(names, columns, adapters, strict=True):
        if isinstance(column, np.ndarray) and column.dtype.kind in "iub":  # numbers known without looking
            varying_names.append(name)
            varying.append(
                np.where(column, "t", "f").tolist() if column.dtype.kind == "b" else map(str, column.tolist())
            )
            continue
        if adapt is not None:
            column = [adapt(value) for value in column]
        if _constant(column):
            constant_names.append(name)
            constant.append(_copy_text(column[0]))
            continue
        varying_names.append(name)
        if all(type(value) is int for value in column):
            varying.append(map(str, column))
        elif all(type(value) is str for value in column) and not _NEEDS_ESCAPE.search("".join(column)):
            varying.append(column)  # text with nothing to escape (codes, JSON of numbers)
        else:
            varying.append(map(_copy_text, column))
    count = len(columns[0])
    if varying:
        end = "".join("\t" + text for text in constant) + "\n"
        block = end.join(map("\t".join, zip(*varying, strict=True))) + end
    else:
        block = ("\t".join(constant) + "\n") * count
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in varying_names + constant_names)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        copy.write(block)
    return count


# Past this many rows written at once, the planner's statistics of the table are refreshed
# right away rather than when autovacuum next comes by: a billing run that starts straight
# after a city's readings were imported would otherwise plan its queries on yesterday's counts.
ANALYZE_AFTER_ROWS = 10_000


def refresh_statistics(*models: type[models.Model]) -> None:
    """``ANALYZE`` the models' tables, or the whole database without models (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not models:
            cursor.execute("ANALYZE")
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def sums_by_id(ids: Sequence[int], amounts: Sequence[int]) -> dict[int, int]:
    """{id: Σ amounts} for ids that may repeat (one row written per id)."""
    totals: dict[int, int] = {}
    for pk, amount in zip(ids, amounts, strict=True):
        totals[int(pk)] = totals.get(int(pk), 0) + int(amount)
    return totals


def add_to_column(model: type[models.Model], column: str, ids: Sequence[int], amounts: Sequence[int]) -> None:
    """``column += amount`` for each (id, amount), in one statement on PostgreSQL (ids need not be unique)."""
    if not len(ids):
        return
    totals = sums_by_id(ids, amounts)
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(model._meta.get_field(column).column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS t SET {name} = t.{name} + v.amount "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, amount) WHERE t.id = v.id",
                [list(totals), list(totals.values())],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET {name} = {name} + %s WHERE id = %s",
                [(amount, pk) for pk, amount in totals.items()],
            )
