"""OAuth access tokens shared by every process through the database.

A token is fetched by one worker at a time under a lease, and outside any transaction: the
carrier may take its whole timeout to answer, and no database lock is held meanwhile (on
SQLite a transaction would hold the one write lock). The lease lives in the token's own row:
an empty `access_token` with an `expires_at` in the future means "being fetched until then".
It is taken by one conditional UPDATE, which only one worker can win; the others wait for the
token (or for the lease to end: a worker that died leaves a lease that simply expires).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tracking.models import CarrierToken

# Refresh a little before expiry so a request never leaves with a token about to die.
EARLY = timedelta(minutes=5)
POLL_SECONDS = 0.1


def default_lease() -> timedelta:
    """Long enough for a fetch with all its retries (each up to the timeout)."""
    return timedelta(seconds=settings.USPS_TIMEOUT_SECONDS * (settings.USPS_MAX_RETRIES + 1) + 30)


def _live(row: CarrierToken, now: datetime) -> bool:
    return bool(row.access_token and row.expires_at and row.expires_at - EARLY > now)


def _lease_take(*, carrier: str, now: datetime, until: datetime) -> bool:
    """Take the fetch lease unless the token is live or another worker holds the lease."""
    live = Q(expires_at__gt=now + EARLY) & ~Q(access_token="")
    leased = Q(access_token="", expires_at__gt=now)
    taken = (
        CarrierToken.objects.filter(carrier=carrier)
        .exclude(live | leased)
        .update(access_token="", expires_at=until, updated_at=now)
    )
    return taken == 1


def get_token(
    *,
    carrier: str,
    fetch: Callable[[], tuple[str, int]],
    lease: timedelta | None = None,
) -> str:
    """Return a live token for `carrier`; call `fetch() -> (token, expires_in)` only if none.

    Two workers never fetch at the same time (while the lease holds), and a worker that finds
    another fetching waits for its token. A failed fetch ends the lease and raises, so the next
    caller tries at once.
    """
    lease = lease or default_lease()
    CarrierToken.objects.get_or_create(carrier=carrier)
    while True:
        row = CarrierToken.objects.get(carrier=carrier)
        now = timezone.now()
        if _live(row, now):
            return row.access_token
        until = now + lease
        if _lease_take(carrier=carrier, now=now, until=until):
            break
        time.sleep(POLL_SECONDS)  # another worker is fetching: wait for its token
    mine = CarrierToken.objects.filter(carrier=carrier, access_token="", expires_at=until)
    try:
        token, expires_in = fetch()
    except BaseException:
        mine.update(expires_at=None)  # end the lease: the next caller may try at once
        raise
    CarrierToken.objects.filter(carrier=carrier).update(
        access_token=token,
        expires_at=timezone.now() + timedelta(seconds=expires_in),
        updated_at=timezone.now(),
    )
    return token


def forget_token(*, carrier: str, token: str | None = None) -> None:
    """Drop a token the carrier refused (401) so the next call fetches a new one.

    With `token`, only that token is dropped: a newer one another worker already fetched stays.
    """
    rows = CarrierToken.objects.filter(carrier=carrier)
    if token is not None:
        rows = rows.filter(access_token=token)
    rows.update(access_token="", expires_at=None)
