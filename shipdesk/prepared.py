"""Read queries whose SQL is built once: `values()` rows of the objects whose field is in a list.

Building the SQL of a wide `values()` query (the tracking row has about 70 columns) costs more
than running it: Django resolves and quotes every column, every time. A PreparedIn keeps the
SQL it compiled for each database and number of values, and runs it with the new values,
applying Django's own converters to what the database answers: the same rows as iterating
`queryset.filter(field__in=values)`, without rebuilding the query. A PreparedWhere does the
same for `queryset.filter(a=…, b=…)` (one row by its key).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import partial

import orjson
from django.conf import settings
from django.db import connections
from django.db.models import JSONField
from django.db.models.expressions import Col
from django.db.models.query import ValuesIterable, ValuesListIterable


class PreparedIn:
    def __init__(self, queryset, field: str):
        _check(queryset)
        self.queryset, self.lookup = queryset, f"{field}__in"
        self._compiled: dict[tuple[str, int], tuple | None] = {}

    def filter_in(self, values: Sequence):
        """The queryset this reads (for anything but plain rows)."""
        return self.queryset.filter(**{self.lookup: values})

    def rows(self, values: Sequence) -> list:
        """Dicts (values()) or tuples (values_list()), as the queryset would yield them."""
        values = list(values)
        if not values:
            return []
        if None in values or len(set(values)) != len(values):
            return list(self.filter_in(values))  # Django drops these from the IN: let it
        alias = self.queryset.db
        key = (alias, len(values))
        if key not in self._compiled:
            self._compiled[key] = _compile(self.filter_in(values), alias, values)
        if self._compiled[key] is None:
            return list(self.filter_in(values))
        return _run(self._compiled[key], alias, values)


class PreparedWhere:
    """The rows whose fields equal the values given (`queryset.filter(a=…, b=…)`), its SQL
    built once per database: a single-row read by a key, without rebuilding the query."""

    def __init__(self, queryset, *fields: str):
        _check(queryset)
        self.queryset, self.fields = queryset, fields
        self._compiled: dict[str, tuple | None] = {}

    def filter(self, values: Sequence):
        return self.queryset.filter(**dict(zip(self.fields, values, strict=True)))

    def rows(self, *values) -> list:
        values = list(values)
        if None in values:
            return list(self.filter(values))  # Django writes IS NULL: let it
        alias = self.queryset.db
        if alias not in self._compiled:
            self._compiled[alias] = _compile(self.filter(values), alias, values)
        if self._compiled[alias] is None:
            return list(self.filter(values))
        return _run(self._compiled[alias], alias, values)


def _check(queryset) -> None:
    if queryset._iterable_class not in (ValuesIterable, ValuesListIterable):
        raise TypeError("prepared reads read values() or values_list() querysets")


def _compile(queryset, alias: str, values: list):
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params) != values:  # the values are not the query's only parameters, as is
        return None
    query = queryset.query
    names = None
    if queryset._iterable_class is ValuesIterable:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    connection = connections[alias]
    converters = [
        (position, _one_argument(functions, expression, connection))
        for position, (functions, expression) in compiler.get_converters(fields).items()
    ]
    return sql, names, converters


def _run(compiled, alias: str, values: list) -> list:
    sql, names, converters = compiled
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if converters and rows:
        rows = _converted(rows, converters)
    elif names is None:
        return rows
    if names is None:
        return list(rows)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _converted(rows, converters):
    """The rows with their converted columns: column by column (each converter mapped over
    its column), not value by value in a loop over the rows."""
    columns = list(zip(*rows, strict=True))
    for position, function in converters:
        columns[position] = map(function, columns[position])
    return zip(*columns, strict=True)


def _one_argument(functions, expression, connection):
    """A column's Django converters as one function of its value (a quicker equivalent for
    the common columns: SQLite's datetimes, dates and booleans, JSON)."""
    if len(functions) == 1:
        (function,) = functions
        quick = _quick(function, expression, connection)
        if quick is not None:
            return quick

        def convert_one(value):
            return function(value, expression, connection)

        return convert_one

    def convert(value):
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


def _quick(function, expression, connection):
    general = partial(function, expression=expression, connection=connection)
    if _is_sqlite_datetime(function, connection):
        return _aware(connection.timezone, general)
    if connection.vendor == "sqlite" and function == connection.ops.convert_datefield_value:
        return _date(general)
    if connection.vendor == "sqlite" and function == connection.ops.convert_booleanfield_value:
        return _BOOLEANS.get  # bool(value) if value in (1, 0) else value
    field = getattr(expression, "target", None)
    if (
        isinstance(field, JSONField)
        and field.decoder is None
        and function == field.from_db_value
        and expression.__class__ is Col
    ):
        return _json(general)
    return None


_BOOLEANS = {1: True, 0: False}


def _date(general):
    """SQLite's DateField converter, quick for the dates its column type already parsed."""

    def convert(value):
        if value is None or value.__class__ is date:
            return value
        return general(value)

    return convert


def _json(general):
    """JSONField's converter (json.loads of the column's text) with orjson, which reads
    valid JSON into the same objects; what it refuses (NaN, integers past 64 bits, lone
    surrogates, invalid text …) goes through Django's own converter, as before."""

    def convert(value):
        if value is None:
            return None
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return general(value)

    return convert


def _is_sqlite_datetime(function, connection) -> bool:
    return (
        connection.vendor == "sqlite"
        and settings.USE_TZ
        and function == connection.ops.convert_datetimefield_value
    )


def _aware(zone, general):
    """SQLite's DateTimeField converter, quick for what its column type already parsed: a
    naive datetime is in the connection's zone (as Django's make_aware), an aware one is kept;
    anything else goes through Django's own converter."""

    def convert(value):
        if value.__class__ is not datetime:
            return None if value is None else general(value)
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)

    return convert
