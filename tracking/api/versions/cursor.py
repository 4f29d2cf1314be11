"""Cursors of the list endpoint: the last row of a page, signed for one partner and version.

A cursor names the position after which the next page starts ((created_at, id), the list's
order), so deep pages stay as cheap as the first. It is signed (django.core.signing, with the
version in the salt and the partner in the value): a cursor from another partner or version, or
an edited one, is refused rather than read.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db.models import Q

SALT = "tracking.api.cursor"


class CursorError(ValueError):
    pass


def cursor_make(*, partner_id: int, version: str, created_at: datetime, row_id: int) -> str:
    return signing.dumps([partner_id, created_at.isoformat(), row_id], salt=f"{SALT}:{version}")


def cursor_read(cursor: str, *, partner_id: int, version: str) -> tuple[datetime, int]:
    """(created_at, id) of the row the page ends with; CursorError when it is not one of this
    partner's cursors for this version."""
    try:
        owner, created_at, row_id = signing.loads(cursor, salt=f"{SALT}:{version}")
        when = datetime.fromisoformat(created_at)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise CursorError("is not a cursor this list gave.") from exc
    if owner != partner_id or not isinstance(row_id, int):
        raise CursorError("is not a cursor this list gave.")
    return when, row_id


def after(created_at: datetime, row_id: int) -> Q:
    """The rows after this one in the list's order (newest first)."""
    return Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=row_id)
