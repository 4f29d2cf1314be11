"""Many rows written in one statement each, with the values Django's save and bulk_create
would write (every value prepared by its field), but without the ORM's per-value SQL
compilation: for a batch of carrier answers that compilation costs more than the database's
own work.

Each row's values are read in one call (`operator.attrgetter` of every column) and only the
columns whose Python value is not what the database takes (dates, times, JSON, UUIDs) go
through their field, memoised across the batch (a batch repeats the same times and dates).

On PostgreSQL the rows travel as one binary array per column (`UNNEST`, as Django's
bulk_create does there, but bound by the server): a statement with thousands of placeholders
takes longer to plan than to run, and arrays written as quoted text cost more to escape and to
parse than the rows cost to store. On SQLite one prepared single-row statement is run for
every row (a statement of thousands of placeholders costs more to prepare than to run).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from operator import attrgetter

from django.conf import settings
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
# Rows per INSERT on PostgreSQL (one array per column, whatever the number of rows).
INSERT_CHUNK = 500


class _Plan:
    """How to read one row of `fields` from an object: one attrgetter for every column, the
    stamped (auto_now) fields and the positions whose value the field must prepare."""

    def __init__(self, fields: Sequence[models.Field], *, add: bool):
        self.fields = list(fields)
        names = [f.attname for f in self.fields]
        get = attrgetter(*names)
        self.get = get if len(names) > 1 else (lambda obj: (get(obj),))
        self.stamped = [
            f
            for f in self.fields
            if getattr(f, "auto_now", False) or (add and getattr(f, "auto_now_add", False))
        ]
        self.add = add
        self.prepared = [
            (i, f, f.get_internal_type(), _aware_datetime(f))
            for i, f in enumerate(self.fields)
            if not isinstance(f, PLAIN) or f in self.stamped
        ]

    def values(self, objects: Sequence, memo: dict) -> list[list]:
        """Each object's values as the database takes them."""
        rows = []
        stamped, prepared, add = self.stamped, self.prepared, self.add
        for obj in objects:
            for field in stamped:
                field.pre_save(obj, add)  # stamped (and set on the object), as a save does
            values = list(self.get(obj))
            for i, field, kind, aware in prepared:
                value = values[i]
                if value is None:
                    continue
                if aware is not None and value.__class__ is datetime and value.tzinfo is not None:
                    values[i] = aware(value)
                    continue
                key = (kind, value)
                try:
                    values[i] = memo[key]
                except KeyError:
                    values[i] = memo[key] = field.get_db_prep_save(value, connection)
                except TypeError:  # not hashable (a JSON value)
                    values[i] = field.get_db_prep_save(value, connection)
            rows.append(values)
        return rows


def _aware_datetime(field: models.Field):
    """What a plain DateTimeField's get_db_prep_save makes of an aware datetime, without its
    checks (an aware value passes them unchanged): PostgreSQL takes it as it is, SQLite as its
    text in the connection's time zone; None for other fields."""
    if type(field) is not models.DateTimeField or not settings.USE_TZ:
        return None
    if connection.vendor == "postgresql":
        return _same
    if connection.vendor == "sqlite":
        zone = connection.timezone
        return lambda value: str(value.astimezone(zone).replace(tzinfo=None))
    return None


def _same(value):
    return value


def _plan(model, names: tuple[str, ...] | None, add: bool) -> _Plan:
    return _plan_for(model, names, add, connection.vendor)


@lru_cache(maxsize=64)
def _plan_for(model, names: tuple[str, ...] | None, add: bool, vendor: str) -> _Plan:
    meta = model._meta
    if names is None:
        fields = [f for f in meta.concrete_fields if not f.primary_key]
    else:
        fields = [meta.get_field(name) for name in names]
    return _Plan(fields, add=add)


def _array_types(fields: Sequence[models.Field]) -> list[str]:
    # Without the length (varchar[], not varchar(50)[]), as Django's bulk_create does.
    return [f"%b::{field.db_type(connection).split('(')[0]}[]" for field in fields]


def _bound_cursor():
    """A cursor of Django's connection whose parameters the server binds (binary arrays,
    no quoting), wrapped as Django wraps its own: errors translated, execute_wrapper hooks
    and captured queries see it."""
    import psycopg

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def _columns(rows: list[list]) -> list[list]:
    return [list(column) for column in zip(*rows, strict=True)]


def rows_insert_new(model, rows: Sequence, *, unique: Sequence[str]) -> int:
    """INSERT `rows` (objects with an attribute per concrete field but the primary key),
    skipping rows that collide on the `unique` fields; returns how many were inserted."""
    if not rows:
        return 0
    meta, qn = model._meta, connection.ops.quote_name
    plan = _plan(model, None, True)
    fields = plan.fields
    into = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    conflict = ", ".join(qn(meta.get_field(name).column) for name in unique)
    on_conflict = f"ON CONFLICT ({conflict}) DO NOTHING"
    memo: dict = {}
    if connection.vendor == "postgresql":
        sql = f"{into} SELECT * FROM UNNEST({', '.join(_array_types(fields))}) {on_conflict}"
        inserted = 0
        with _bound_cursor() as cursor:
            for start in range(0, len(rows), INSERT_CHUNK):
                chunk = plan.values(rows[start : start + INSERT_CHUNK], memo)
                cursor.execute(sql, _columns(chunk))
                inserted += cursor.rowcount
        return inserted
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        # One prepared statement stepped for every row; rowcount sums what each inserted.
        cursor.executemany(f"{into} VALUES {one} {on_conflict}", plan.values(rows, memo))
        return cursor.rowcount


def rows_insert(objects: Sequence[models.Model]) -> None:
    """INSERT unsaved model instances of one model in one statement and give each its primary
    key, as bulk_create does (defaults were set when the instances were made)."""
    if not objects:
        return
    model = type(objects[0])
    meta, qn = model._meta, connection.ops.quote_name
    plan = _plan(model, None, True)
    into = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in plan.fields)})"
    returning = f"RETURNING {qn(meta.pk.column)}"
    rows = plan.values(objects, {})
    if connection.vendor == "postgresql":
        with _bound_cursor() as cursor:
            cursor.execute(
                f"{into} SELECT * FROM UNNEST({', '.join(_array_types(plan.fields))}) {returning}",
                _columns(rows),
            )
            pks = [pk for (pk,) in cursor.fetchall()]
    else:
        one = "(" + ", ".join(["%s"] * len(plan.fields)) + ")"
        step = max(1, connection.features.max_query_params // len(plan.fields))
        pks = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                cursor.execute(
                    f"{into} VALUES {', '.join([one] * len(chunk))} {returning}",
                    [value for values in chunk for value in values],
                )
                pks += [pk for (pk,) in cursor.fetchall()]
    for obj, pk in zip(objects, pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def rows_update(objects: Sequence[models.Model], *, fields: Sequence[str]) -> None:
    """UPDATE `fields` of each model instance by its primary key, in one statement
    (auto_now fields are stamped, as save(update_fields=…) does)."""
    if not objects:
        return
    meta, qn = objects[0]._meta, connection.ops.quote_name
    plan = _plan(type(objects[0]), tuple(fields), False)
    chosen = plan.fields
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    rows = plan.values(objects, {})
    if connection.vendor == "postgresql":
        names = [f"v{i}" for i in range(len(chosen))]
        assignments = ", ".join(f"{qn(f.column)} = v.v{i}" for i, f in enumerate(chosen))
        pk_array, *arrays = _array_types([meta.pk, *chosen])
        pks = [obj.pk for obj in objects]
        with _bound_cursor() as cursor:
            # The rows named by their keys as well as joined to them: the table is read by its
            # key index whatever the planner believes of its size (a fresh table's statistics
            # would have it hash every row).
            cursor.execute(
                f"WITH v (pk, {', '.join(names)}) AS MATERIALIZED (SELECT * FROM "
                f"UNNEST({pk_array}, {', '.join(arrays)})) UPDATE {table} SET {assignments} "
                f"FROM v WHERE {table}.{pk} = v.pk AND {table}.{pk} = ANY({pk_array})",
                [pks, *_columns(rows), pks],
            )
        return
    # SQLite: one prepared statement run for every row.
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in chosen)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
            [[*values, obj.pk] for values, obj in zip(rows, objects, strict=True)],
        )
