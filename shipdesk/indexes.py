"""Indexes that serve prefix searches (`LIKE 'abc%'`) on every database shipdesk runs on."""

from __future__ import annotations

import copy

from django.db import models


class PrefixIndex(models.Index):
    """A B-tree index on expressions that also answers `LIKE 'prefix%'`.

    PostgreSQL uses a plain index for LIKE only under the C collation, so there each expression
    gets the `text_pattern_ops` operator class. Elsewhere (SQLite, searched by range, see
    tracking.selectors.prefix_q) it is a plain index.

    `covering` names fields PostgreSQL stores in the index beside the key (INCLUDE), so a
    search that reads only them (and the key's own columns) is answered from the index alone;
    SQLite has no such indexes and builds the plain one.
    """

    def __init__(self, *expressions, covering=(), **kwargs):
        super().__init__(*expressions, **kwargs)
        self.covering = tuple(covering)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        if self.covering:
            kwargs["covering"] = list(self.covering)
        return path, args, kwargs

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        from django.contrib.postgres.indexes import OpClass
        from django.db.models import OrderBy
        from django.db.models.functions import Collate
        from django.db.models.indexes import IndexExpression

        # What django.contrib.postgres does when installed: an operator class follows its
        # expression instead of being wrapped in parentheses with it.
        IndexExpression.register_wrappers(OrderBy, OpClass, Collate)
        index = copy.copy(self)
        index.expressions = tuple(OpClass(e, name="text_pattern_ops") for e in self.expressions)
        index.include = self.covering
        return models.Index.create_sql(index, model, schema_editor, using=using, **kwargs)
