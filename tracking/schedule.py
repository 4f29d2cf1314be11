"""When to look at a shipment again (pure)."""

from datetime import timedelta

from tracking.choices import Tag

# Nominal interval while a shipment is moving; the refresh budget decides what really runs.
BASE_INTERVAL = {
    Tag.OUT_FOR_DELIVERY: timedelta(hours=1),
    Tag.ATTEMPT_FAIL: timedelta(hours=2),
    Tag.AVAILABLE_FOR_PICKUP: timedelta(hours=6),
    Tag.IN_TRANSIT: timedelta(hours=3),
    Tag.EXCEPTION: timedelta(hours=6),
    Tag.INFO_RECEIVED: timedelta(hours=6),
    Tag.PENDING: timedelta(hours=4),
}
QUIET_AFTER = timedelta(hours=48)
MAX_INTERVAL = timedelta(hours=24)
RETRY_SOON = timedelta(minutes=15)
RETRY_AFTER_ERROR = timedelta(hours=6)


def next_check_delay(
    *, tag: str, since_last_event: timedelta | None, error: str = "", retryable: bool = False
) -> timedelta:
    """Sooner while moving, later when quiet; soon after a passing failure."""
    if error:
        return RETRY_SOON if retryable else RETRY_AFTER_ERROR
    base = BASE_INTERVAL.get(Tag(tag), timedelta(hours=6))
    if since_last_event is not None and since_last_event > QUIET_AFTER:
        quiet_days = since_last_event / timedelta(days=1)
        base = base * min(8, 1 + quiet_days / 2)
    return min(base, MAX_INTERVAL)
