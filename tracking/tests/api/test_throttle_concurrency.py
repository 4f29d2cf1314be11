"""The per-key throttle counts exactly when several connections count at the same moment.

Each thread below has its own database connection (as each gunicorn process has); the counter
is one atomic upsert, so no request is lost or counted twice and the limit is never exceeded.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from shipdesk.api import throttle_count
from shipdesk.models import ThrottleWindow
from shipdesk.services import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def _in_threads(work, count: int = THREADS) -> list:
    """Run `work(index)` in `count` threads released together; each closes its connection."""
    start = threading.Barrier(count)

    def run(index: int):
        start.wait()
        try:
            return work(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_concurrent_counts_are_each_counted_once(partner):
    key, _ = api_key_create(partner=partner, name="busy")
    per_thread = 25

    counts = _in_threads(
        lambda _: [throttle_count(key_id=key.pk, window_start=1_000) for _ in range(per_thread)]
    )

    seen = sorted(n for thread in counts for n in thread)
    assert seen == list(range(1, THREADS * per_thread + 1))  # no count given twice or skipped
    assert ThrottleWindow.objects.get(key=key, window_start=1_000).count == THREADS * per_thread


def test_a_new_window_deletes_the_keys_older_windows(partner, other_partner):
    key, _ = api_key_create(partner=partner, name="one")
    other, _ = api_key_create(partner=other_partner, name="two")
    for window in (10, 11):
        throttle_count(key_id=key.pk, window_start=window)
    throttle_count(key_id=other.pk, window_start=11)

    assert throttle_count(key_id=key.pk, window_start=12) == 1
    assert throttle_count(key_id=key.pk, window_start=12) == 2

    rows = ThrottleWindow.objects.order_by("key_id", "window_start")
    assert [(r.key_id, r.window_start, r.count) for r in rows] == [
        (key.pk, 12, 2),
        (other.pk, 11, 1),  # another key's window is left to that key
    ]


def test_over_http_concurrent_requests_never_exceed_the_limit(live_server, partner, clock):
    key, raw_key = api_key_create(partner=partner, name="burst")
    key.rate_per_second = 5
    key.save(update_fields=["rate_per_second"])
    endpoint = f"{live_server.url}/tracking/2024-04/couriers"

    def burst(_):
        with requests.Session() as session:
            return [
                session.get(endpoint, headers={"as-api-key": raw_key}, timeout=30) for _ in range(6)
            ]

    answers = [r for thread in _in_threads(burst, 4) for r in thread]

    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * 5 + [429] * 19
    remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in answers)
    assert remaining == [0] * 20 + [1, 2, 3, 4]
    for refused in (r for r in answers if r.status_code == 429):
        assert refused.json()["meta"]["type"] == "TooManyRequests"
        assert refused.headers["X-RateLimit-Reset"] == str(int(clock.now) + 1)
