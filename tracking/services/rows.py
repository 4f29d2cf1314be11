"""Many rows written in one statement each, with the values Django's save and bulk_create
would write (every value prepared by its field), but without the ORM's per-value SQL
compilation: for a batch of carrier answers that compilation costs more than the database's
own work.

On PostgreSQL the rows travel as one array per column (`UNNEST`, as Django's bulk_create does
there): a statement with thousands of placeholders takes longer to plan than to run.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

# Fields whose prepared value is the Python value itself (str, int, float, bool, a key's id).
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)
# Rows per INSERT: well under SQLite's 32,766 parameters for a table of two dozen columns.
INSERT_CHUNK = 500


def _values(fields: Sequence[models.Field], obj, *, add: bool, memo: dict) -> list:
    """The row's values as the database takes them; `memo` keeps conversions made for earlier
    rows (a batch repeats the same timestamps and dates)."""
    values = []
    for field in fields:
        if getattr(field, "auto_now", False) or (add and getattr(field, "auto_now_add", False)):
            value = field.pre_save(obj, add)  # stamped, as a save does
        else:
            value = getattr(obj, field.attname)
        if value is not None and not isinstance(field, PLAIN):
            key = (field.get_internal_type(), value)
            try:
                value = memo[key]
            except KeyError:
                value = memo[key] = field.get_db_prep_save(value, connection)
            except TypeError:  # not hashable (a JSON value)
                value = field.get_db_prep_save(value, connection)
        values.append(value)
    return values


def _array_types(fields: Sequence[models.Field]) -> list[str]:
    # Without the length (varchar[], not varchar(50)[]), as Django's bulk_create does.
    return [f"%s::{field.db_type(connection).split('(')[0]}[]" for field in fields]


def rows_insert_new(model, rows: Sequence, *, unique: Sequence[str]) -> int:
    """INSERT `rows` (objects with an attribute per concrete field but the primary key) in
    statements of INSERT_CHUNK rows, skipping rows that collide on the `unique` fields;
    returns how many were inserted."""
    if not rows:
        return 0
    meta, qn = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    into = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    conflict = ", ".join(qn(meta.get_field(name).column) for name in unique)
    unnest = connection.vendor == "postgresql"
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    inserted, memo = 0, {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = [
                _values(fields, row, add=True, memo=memo)
                for row in rows[start : start + INSERT_CHUNK]
            ]
            if unnest:
                sql = f"{into} SELECT * FROM UNNEST({', '.join(_array_types(fields))})"
                params = [list(column) for column in zip(*chunk, strict=True)]
            else:
                sql = f"{into} VALUES {', '.join([one] * len(chunk))}"
                params = [value for values in chunk for value in values]
            cursor.execute(f"{sql} ON CONFLICT ({conflict}) DO NOTHING", params)
            inserted += cursor.rowcount
    return inserted


def rows_update(objects: Sequence[models.Model], *, fields: Sequence[str]) -> None:
    """UPDATE `fields` of each model instance by its primary key, in one statement
    (auto_now fields are stamped, as save(update_fields=…) does)."""
    if not objects:
        return
    meta, qn = objects[0]._meta, connection.ops.quote_name
    chosen = [meta.get_field(name) for name in fields]
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    memo: dict = {}
    rows = [[obj.pk, *_values(chosen, obj, add=False, memo=memo)] for obj in objects]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [f"v{i}" for i in range(len(chosen))]
            assignments = ", ".join(f"{qn(f.column)} = v.v{i}" for i, f in enumerate(chosen))
            arrays = ", ".join(_array_types([meta.pk, *chosen]))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM UNNEST({arrays}) "
                f"AS v(pk, {', '.join(names)}) WHERE {table}.{pk} = v.pk",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            # SQLite: one prepared statement run for every row.
            assignments = ", ".join(f"{qn(f.column)} = %s" for f in chosen)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
                [[*values, obj_pk] for obj_pk, *values in rows],
            )
