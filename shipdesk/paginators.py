"""Admin pagination that never counts a whole big table.

Django's changelist asks its paginator for `count` on every page; over a million shipments or
checkpoints that `COUNT(*)` is the slowest query of the page. `LargeTablePaginator` answers it
without one:

- unfiltered, on PostgreSQL, when the planner's estimate (`pg_class.reltuples`, kept by
  ANALYZE/autovacuum) is at least ESTIMATE_FROM rows: that estimate ("about 1,000,000");
- otherwise (a filter or a search, a small table, or SQLite): a count capped at COUNT_CAP rows,
  `SELECT COUNT(*) FROM (SELECT … LIMIT COUNT_CAP + 1)`. Past the cap the list says "more than
  10,000" and pages up to the cap; a filter or a search narrows it down.

Use it with `show_full_result_count = False` (which drops the admin's second, unfiltered count).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

COUNT_CAP = 10_000
ESTIMATE_FROM = 100_000


class LargeTablePaginator(Paginator):
    count_cap = COUNT_CAP
    estimate_from = ESTIMATE_FROM

    #: "estimate", "capped" or "" (exact): the pagination template words the count from it.
    count_kind = ""

    @cached_property
    def count(self) -> int:
        estimate = self._estimate()
        if estimate is not None:
            self.count_kind = "estimate"
            return estimate
        counted = self.object_list.order_by()[: self.count_cap + 1].count()
        if counted > self.count_cap:
            self.count_kind = "capped"
            return self.count_cap
        return counted

    def _estimate(self) -> int | None:
        qs = self.object_list
        connection = connections[qs.db]
        query = qs.query
        if connection.vendor != "postgresql" or query.where or query.combinator or query.distinct:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [connection.ops.quote_name(qs.model._meta.db_table)],
            )
            row = cursor.fetchone()
        # -1 (never analysed) or a small table: counting is cheap and exact.
        if row is None or row[0] < self.estimate_from:
            return None
        return int(row[0])
