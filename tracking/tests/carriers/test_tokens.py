"""The shared OAuth token: fetched by one worker at a time, with no database lock held."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shipdesk.models import Partner
from tracking.carriers import tokens
from tracking.models import CarrierToken

pytestmark = pytest.mark.django_db(transaction=True)


def _own_connection(work):
    """Run `work` as another process would: on its own connection, closed afterwards."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    return run


def test_the_database_stays_writable_while_a_token_is_fetched():
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_fetch():
        calls.append(1)
        started.set()
        assert release.wait(20)
        return "tok-1", 28799

    def must_not_fetch():
        raise AssertionError("a second worker fetched while the first was fetching")

    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(
            _own_connection(lambda: tokens.get_token(carrier="usps", fetch=slow_fetch))
        )
        assert started.wait(20)
        # Another process writes while the carrier has not answered: no lock is held, so
        # this does not wait for the fetch (it would wait the whole busy timeout on SQLite).
        wrote = pool.submit(
            _own_connection(lambda: Partner.objects.create(name="Meanwhile", slug="meanwhile"))
        )
        assert wrote.result(timeout=5).pk
        # A second worker needing the token waits for the first one's rather than fetching.
        second = pool.submit(
            _own_connection(lambda: tokens.get_token(carrier="usps", fetch=must_not_fetch))
        )
        release.set()
        assert first.result(timeout=20) == "tok-1"
        assert second.result(timeout=20) == "tok-1"

    assert len(calls) == 1
    row = CarrierToken.objects.get(carrier="usps")
    assert row.access_token == "tok-1"
    assert row.expires_at > timezone.now() + timedelta(hours=7)


def test_a_failed_fetch_ends_its_lease_so_the_next_caller_tries_at_once():
    def broken():
        raise ConnectionError("USPS unreachable")

    with pytest.raises(ConnectionError):
        tokens.get_token(carrier="usps", fetch=broken)

    row = CarrierToken.objects.get(carrier="usps")
    assert (row.access_token, row.expires_at) == ("", None)
    assert tokens.get_token(carrier="usps", fetch=lambda: ("tok-2", 60 * 60)) == "tok-2"


def test_a_lease_left_by_a_worker_that_died_expires(monkeypatch):
    monkeypatch.setattr(tokens, "POLL_SECONDS", 0.01)
    # A worker took the lease and died: it ends 0.3 s from now, then anyone may fetch.
    CarrierToken.objects.create(
        carrier="usps", access_token="", expires_at=timezone.now() + timedelta(seconds=0.3)
    )

    assert tokens.get_token(carrier="usps", fetch=lambda: ("tok-3", 60 * 60)) == "tok-3"
    assert CarrierToken.objects.get(carrier="usps").access_token == "tok-3"


def test_a_live_token_is_reused_and_one_near_expiry_is_replaced():
    CarrierToken.objects.create(
        carrier="usps", access_token="tok-old", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert tokens.get_token(carrier="usps", fetch=lambda: ("unused", 60)) == "tok-old"

    CarrierToken.objects.filter(carrier="usps").update(
        expires_at=timezone.now() + tokens.EARLY - timedelta(seconds=1)
    )
    assert tokens.get_token(carrier="usps", fetch=lambda: ("tok-new", 28799)) == "tok-new"
