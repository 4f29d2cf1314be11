"""OAuth access tokens shared by every process through the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tracking.models import CarrierToken

# Refresh a little before expiry so a request never leaves with a token about to die.
EARLY = timedelta(minutes=5)


def get_token(*, carrier: str, fetch: Callable[[], tuple[str, int]]) -> str:
    """Return a live token for `carrier`; call `fetch() -> (token, expires_in)` only if none.

    The row is locked while fetching, so two workers never fetch at the same time.
    """
    CarrierToken.objects.get_or_create(carrier=carrier)
    with transaction.atomic():
        row = CarrierToken.objects.select_for_update().get(carrier=carrier)
        now = timezone.now()
        if row.access_token and row.expires_at and row.expires_at - EARLY > now:
            return row.access_token
        try:
            token, expires_in = fetch()
        except Exception as exc:
            # Leave the block normally so the budget slots the attempt took stay counted.
            failure = exc
        else:
            row.access_token = token
            row.expires_at = now + timedelta(seconds=expires_in)
            row.save(update_fields=["access_token", "expires_at", "updated_at"])
            return token
    raise failure


def forget_token(*, carrier: str, token: str | None = None) -> None:
    """Drop a token the carrier refused (401) so the next call fetches a new one.

    With `token`, only that token is dropped: a newer one another worker already fetched stays.
    """
    rows = CarrierToken.objects.filter(carrier=carrier)
    if token is not None:
        rows = rows.filter(access_token=token)
    rows.update(access_token="", expires_at=None)
