"""Read queries whose SQL is built once: `values()` rows of the objects whose field is in a list.

Building the SQL of a wide `values()` query (the tracking row has about 70 columns) costs more
than running it: Django resolves and quotes every column, every time. A PreparedIn keeps the
SQL it compiled for each database and number of values, and runs it with the new values,
applying Django's own converters to what the database answers: the same rows as iterating
`queryset.filter(field__in=values)`, without rebuilding the query.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections
from django.db.models.query import ValuesIterable, ValuesListIterable


class PreparedIn:
    def __init__(self, queryset, field: str):
        if queryset._iterable_class not in (ValuesIterable, ValuesListIterable):
            raise TypeError("PreparedIn reads values() or values_list() querysets")
        self.queryset, self.lookup = queryset, f"{field}__in"
        self._compiled: dict[tuple[str, int], tuple] = {}

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
        compiled = self._compiled.get((alias, len(values)))
        if compiled is None:
            compiled = self._compile(alias, values)
            if compiled is None:
                return list(self.filter_in(values))
            self._compiled[(alias, len(values))] = compiled
        sql, names, converters = compiled
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        if converters:
            rows = [_converted(row, converters, connection) for row in rows]
        if names is None:
            return [tuple(row) for row in rows] if converters else rows
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _compile(self, alias: str, values: list):
        queryset = self.filter_in(values)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != values:  # the values are not the query's only parameters, as is
            return None
        query = queryset.query
        names = None
        if queryset._iterable_class is ValuesIterable:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        return sql, names, converters


def _converted(row, converters, connection) -> list:
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row
