"""Keyset (cursor) pagination: a page starts after the last row seen, not after N skipped rows,
so page 5,000 of a million rows costs what page 1 costs.

The cursor is the sort key's value and the primary key of a row, URL-safe. A sort key names one
model field and a direction; the primary key breaks ties in the same direction. A nullable
field's empty values come last whichever way it is sorted.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet


class InvalidCursor(ValueError):
    """A cursor that this sort key did not make (edited or truncated by hand)."""


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool
    nullable: bool = False

    def ordering(self, *, backward: bool = False) -> list:
        descending = self.descending != backward
        pk = "-pk" if descending else "pk"
        if not self.nullable:
            return [f"-{self.field}" if descending else self.field, pk]
        column = F(self.field)
        nulls = {"nulls_first": True} if backward else {"nulls_last": True}
        return [column.desc(**nulls) if descending else column.asc(**nulls), pk]

    def beyond(self, value, pk: int, *, backward: bool = False) -> Q:
        """Rows strictly after (value, pk) in this order (or in the reversed one)."""
        descending, nulls_last = self.descending != backward, not backward
        strict, weak = ("lt", "lte") if descending else ("gt", "gte")
        name = self.field
        if value is None:
            same = Q(**{f"{name}__isnull": True, f"pk__{strict}": pk})
            return same if nulls_last else same | Q(**{f"{name}__isnull": False})
        # The weak bound alone is what an index range serves; the OR refines it.
        q = Q(**{f"{name}__{weak}": value}) & (
            Q(**{f"{name}__{strict}": value}) | Q(**{name: value, f"pk__{strict}": pk})
        )
        if self.nullable and nulls_last:
            q |= Q(**{f"{name}__isnull": True})
        return q

    def cursor(self, row) -> str:
        value = getattr(row, self.field)
        text = "" if value is None else value.isoformat()
        raw = f"{text}|{row.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str, model) -> tuple[object, int]:
        """(value, pk) from a cursor; InvalidCursor when it is not one of ours."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            text, _, pk = raw.rpartition("|")
            value = model._meta.get_field(self.field).to_python(text) if text else None
            pk = int(pk)
        except (binascii.Error, UnicodeDecodeError, ValueError, ValidationError) as exc:
            raise InvalidCursor(cursor) from exc
        naive = isinstance(value, datetime) and value.tzinfo is None  # ours carry an offset
        if pk < 1 or naive or (value is None and not self.nullable):
            raise InvalidCursor(cursor)
        return value, pk


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None = None
    previous_cursor: str | None = None


def keyset_page(
    qs: QuerySet,
    key: SortKey,
    *,
    size: int,
    after: tuple | None = None,
    before: tuple | None = None,
    offset: int = 0,
    wrap=None,
) -> KeysetPage:
    """One page of `qs` in `key` order: after a cursor, before one, or at a (small) offset.

    One query: a row more than the page is read to know whether another page follows.
    `wrap` turns each row (e.g. a dict of .values()) into an object with the sort field and pk.
    """

    def fetch(rows) -> list:
        return [wrap(row) for row in rows] if wrap else list(rows)

    if before is not None:
        backward = qs.filter(key.beyond(*before, backward=True))
        rows = fetch(backward.order_by(*key.ordering(backward=True))[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows,
            next_cursor=key.cursor(rows[-1]) if rows else None,
            previous_cursor=key.cursor(rows[0]) if rows and more_before else None,
        )
    if after is not None:
        qs = qs.filter(key.beyond(*after))
    rows = fetch(qs.order_by(*key.ordering())[offset : offset + size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    came_from_before = after is not None or offset > 0
    return KeysetPage(
        rows,
        next_cursor=key.cursor(rows[-1]) if rows and more_after else None,
        previous_cursor=key.cursor(rows[0]) if rows and came_from_before else None,
    )


def capped_count(qs: QuerySet, cap: int) -> int:
    """How many rows `qs` has, counting no further than cap + 1 (never a full COUNT(*))."""
    return qs.order_by()[: cap + 1].count()
