"""The per-key limit and key revocation hold across web processes, as deployed.

Two gunicorn servers (one worker each, so two processes with their own memory) serve the test
database; the key's budget is shared between them, counted in the database by default or in
Redis when CACHE_URL names it, and a key revoked elsewhere stops working in both within a
second although each process keeps the keys it read in memory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from urllib.parse import quote

import pytest
import requests
from django.db import connection

from shipdesk.services import api_key_create, api_key_revoke
from shipdesk.tests.processes import BASE_DIR
from tracking.tests.api.support import PREFIX, REDIS, redis_required

pytestmark = pytest.mark.django_db(transaction=True)


def redis_url() -> str:
    """A Redis database URL with a key prefix of its own (test runs may share the server)."""
    redis_required()
    return f"redis://{REDIS[0]}:{REDIS[1]}/0?key_prefix=t{uuid.uuid4().hex[:12]}"


def database_url() -> str:
    """The test database, for other processes."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(cache_url: str):
    """One gunicorn process (one sync worker) on the test database; yields its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "API_RATE_PER_SECOND": "1000",  # keys of these tests without a rate of their own
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    if cache_url:
        environment["CACHE_URL"] = cache_url
    else:
        environment.pop("CACHE_URL", None)
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "shipdesk.wsgi:application", "--workers", "1"),
            *("--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}{PREFIX}/couriers", timeout=60)  # the first loads Django
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode()[-3000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.fixture(scope="module", params=["database", "redis"])
def two_servers(request, django_db_setup):
    """Started once per module and cache: each test makes keys of its own."""
    cache_url = redis_url() if request.param == "redis" else ""
    with ExitStack() as stack:
        yield [stack.enter_context(server(cache_url)) for _ in range(2)]


def headers(response) -> tuple[int, int, int]:
    return tuple(int(response.headers[f"X-RateLimit-{n}"]) for n in ("Limit", "Remaining", "Reset"))


def test_one_keys_limit_is_shared_by_two_processes(two_servers, partner):
    key, raw_key = api_key_create(partner=partner, name="busy")
    key.rate_per_second = 3
    key.save(update_fields=["rate_per_second"])
    sessions = [requests.Session() for _ in two_servers]
    for session in sessions:
        session.headers["as-api-key"] = raw_key

    def alternate():
        """Six requests, first one process then the other, within one second."""
        while time.time() % 1 > 0.3:  # start early in a second: the six fit in it
            time.sleep(0.01)
        return [
            sessions[i % 2].get(f"{two_servers[i % 2]}{PREFIX}/couriers", timeout=30)
            for i in range(6)
        ]

    for _ in range(5):
        answers = alternate()
        if len({headers(r)[2] for r in answers}) == 1:
            break
        time.sleep(1.1)  # the six straddled two seconds (a busy machine): the next second's
    else:
        pytest.fail("six requests never fitted in one second")

    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429, 429]
    reset = headers(answers[0])[2]
    assert [headers(r) for r in answers] == [(3, 2, reset), (3, 1, reset), (3, 0, reset)] + [
        (3, 0, reset)
    ] * 3
    for refused in answers[3:]:
        assert refused.json()["meta"]["type"] == "TooManyRequests"
        assert refused.headers["Retry-After"] == "1"

    while time.time() < reset:
        time.sleep(0.05)
    again = sessions[1].get(f"{two_servers[1]}{PREFIX}/couriers", timeout=30)
    assert again.status_code == 200
    assert headers(again)[:2] == (3, 2)


def test_a_revoked_key_stops_working_in_every_process_within_a_second(two_servers, partner):
    key, raw_key = api_key_create(partner=partner, name="leaving")
    for base in two_servers:  # each process has read the key and keeps it in memory
        response = requests.get(f"{base}{PREFIX}/couriers", headers={"as-api-key": raw_key})
        assert response.status_code == 200

    api_key_revoke(key=key)  # in a third process: this one
    revoked_at = time.monotonic()

    refused_after = {}
    while len(refused_after) < len(two_servers) and time.monotonic() - revoked_at < 5:
        for base in two_servers:
            if base not in refused_after:
                answer = requests.get(f"{base}{PREFIX}/couriers", headers={"as-api-key": raw_key})
                if answer.status_code == 401:
                    assert answer.json()["meta"]["type"] == "Unauthorized"
                    refused_after[base] = time.monotonic() - revoked_at
        time.sleep(0.02)

    assert set(refused_after) == set(two_servers)
    assert max(refused_after.values()) < 1.0
