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
from datetime import datetime

from django.conf import settings
from django.db import connections
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
    if converters:
        rows = _converted(rows, converters)
    if names is None:
        return [tuple(row) for row in rows] if converters else rows
    return [dict(zip(names, row, strict=True)) for row in rows]


def _converted(rows, converters) -> list[list]:
    converted = []
    for row in rows:
        row = list(row)
        for position, function in converters:
            row[position] = function(row[position])
        converted.append(row)
    return converted


def _one_argument(functions, expression, connection):
    """A column's Django converters as one function of its value."""

    def convert(value):
        for function in functions:
            value = function(value, expression, connection)
        return value

    if len(functions) == 1 and _is_sqlite_datetime(functions[0], connection):
        return _aware(connection.timezone, convert)
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
