"""The USPS client and carrier against a real HTTP server on 127.0.0.1 (see conftest's FakeUsps).

Shipments are real rows refreshed through `refresh_due`, so these tests cover the whole path:
claim, token, batch request, parse, ingest, schedule.
"""

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from email.utils import format_datetime
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tracking.carriers import budget, tokens
from tracking.carriers.usps.carrier import UspsCarrier
from tracking.choices import Subtag, Tag
from tracking.models import CarrierBudget, CarrierRequest, CarrierToken, Checkpoint, Shipment
from tracking.schedule import RETRY_AFTER_ERROR, RETRY_SOON

pytestmark = pytest.mark.django_db


def fresh(shipments):
    return list(Shipment.objects.filter(pk__in=[s.pk for s in shipments]).order_by("id"))


def due_again(shipments):
    Shipment.objects.filter(pk__in=[s.pk for s in shipments]).update(next_check_at=timezone.now())


def assert_between(value, low, high):
    assert value is not None
    assert low <= value <= high, f"{value} not within [{low}, {high}]"


# --- tokens and batches --------------------------------------------------------------------


def test_80_due_numbers_become_3_batches_and_every_number_is_sent_once(
    fake_usps, usps_carrier, make_shipments, refresh
):
    shipments = make_shipments(80)

    report = refresh(usps_carrier)

    assert report.batches == 3
    assert report.shipments == 80
    assert [len(r.numbers) for r in fake_usps.tracking_requests] == [35, 35, 10]
    sent = fake_usps.numbers_sent()
    assert sorted(sent) == sorted(s.tracking_number for s in shipments)
    assert len(sent) == len(set(sent)) == 80
    for shipment in fresh(shipments):
        assert shipment.tracked_count == 1
        assert shipment.tag == Tag.IN_TRANSIT
        assert shipment.last_error == ""
    assert Checkpoint.objects.count() == 80 * fake_usps.events_in("in_transit")


def test_one_token_serves_many_batches_and_later_refreshes(
    fake_usps, usps_carrier, make_shipments, refresh
):
    shipments = make_shipments(80)

    refresh(usps_carrier)
    due_again(shipments)
    report = refresh(UspsCarrier(usps_carrier.client))  # a later cycle, a new carrier object

    assert report.batches == 3
    [token_request] = fake_usps.token_requests
    assert token_request.form == {
        "grant_type": "client_credentials",
        "client_id": fake_usps.client_id,
        "client_secret": fake_usps.client_secret,
    }
    assert len(fake_usps.tracking_requests) == 6
    assert {r.authorization for r in fake_usps.tracking_requests} == {"Bearer tok-1"}
    assert fake_usps.requests_seen == 7
    row = CarrierToken.objects.get(carrier="usps")
    assert row.access_token == "tok-1"
    assert_between(
        row.expires_at,
        timezone.now() + timedelta(seconds=fake_usps.token_lifetime - 60),
        timezone.now() + timedelta(seconds=fake_usps.token_lifetime),
    )


def test_a_token_near_expiry_is_replaced(fake_usps, usps_carrier, make_shipments, refresh):
    shipments = make_shipments(3)
    refresh(usps_carrier)
    CarrierToken.objects.filter(carrier="usps").update(
        expires_at=timezone.now() + timedelta(minutes=2)
    )
    due_again(shipments)

    refresh(usps_carrier)

    assert len(fake_usps.token_requests) == 2
    assert [r.authorization for r in fake_usps.tracking_requests] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    assert CarrierToken.objects.get(carrier="usps").access_token == "tok-2"


def test_mailing_date_and_destination_zip_are_sent(
    fake_usps, usps_carrier, make_shipments, refresh
):
    [with_extras] = make_shipments(1, mailing_date=date(2026, 11, 14), destination_zip="10001")
    [plain] = make_shipments(1)

    refresh(usps_carrier)

    [request] = fake_usps.tracking_requests
    assert request.body == [
        {
            "trackingNumber": with_extras.tracking_number,
            "mailingDate": "2026-11-14",
            "destinationZIPCode": "10001",
        },
        {"trackingNumber": plain.tracking_number},
    ]


# --- two worker processes ------------------------------------------------------------------

WORKER = """
import json, sys
import django
django.setup()
from tracking.carriers import registry
from tracking.carriers.usps.carrier import UspsCarrier
from tracking.services.refresh import refresh_due

carrier = registry.get_carrier("usps")
assert isinstance(carrier, UspsCarrier), carrier
print("ready", flush=True)
sys.stdin.readline()
report = refresh_due(carriers={"usps": carrier})
print(json.dumps({"batches": report.batches, "shipments": report.shipments,
                  "errors": report.errors, "budget_exhausted": report.budget_exhausted}))
"""


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_workers(fake_usps, *, count: int = 2, per_hour: int = 60) -> list[dict]:
    """Start `count` worker processes, let them refresh at the same moment, return reports."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shipdesk.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": "tests-only-secret-key",
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "USPS_CLIENT_ID": fake_usps.client_id,
        "USPS_CLIENT_SECRET": fake_usps.client_secret,
        "USPS_BASE_URL": fake_usps.base_url,
        "USPS_REQUESTS_PER_HOUR": str(per_hour),
        "USPS_TIMEOUT_SECONDS": "10",
        "USPS_MAX_RETRIES": "0",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for worker in workers:
            line = worker.stdout.readline()
            assert line == "ready\n", worker.stderr.read()
        for worker in workers:  # as close to the same moment as two processes get
            worker.stdin.write("go\n")
            worker.stdin.flush()
        reports = []
        for worker in workers:
            out, err = worker.communicate(timeout=60)
            assert worker.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
        return reports
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_one_token_and_never_track_a_number_twice(
    fake_usps, make_shipments
):
    shipments = make_shipments(140)
    # A slow token endpoint: the second worker asks for the token while the first is fetching.
    fake_usps.token_delay = 0.5
    fake_usps.tracking_delay = 0.1

    reports = run_workers(fake_usps)

    assert len(fake_usps.token_requests) == 1
    sent = fake_usps.numbers_sent()
    assert len(sent) == len(set(sent)) == 140, "a tracking number was sent twice"
    assert set(sent) == {s.tracking_number for s in shipments}
    assert sum(r["shipments"] for r in reports) == 140
    assert sum(r["batches"] for r in reports) == 4
    assert all(r["batches"] >= 1 for r in reports), f"one worker did nothing: {reports}"
    assert {r.authorization for r in fake_usps.tracking_requests} == {"Bearer tok-1"}
    assert set(Shipment.objects.values_list("tracked_count", flat=True)) == {1}
    assert not Shipment.objects.exclude(last_error="").exists()


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_one_hourly_budget(fake_usps, make_shipments):
    shipments = make_shipments(300)
    fake_usps.tracking_delay = 0.05

    reports = run_workers(fake_usps, per_hour=4)

    assert fake_usps.requests_seen == 4
    assert len(fake_usps.token_requests) == 1
    assert sum(r["shipments"] for r in reports) == 3 * 35
    assert all(r["budget_exhausted"] for r in reports)
    untracked = Shipment.objects.filter(tracked_count=0)
    assert untracked.count() == 300 - 3 * 35
    assert not untracked.filter(refresh_claimed_until__isnull=False).exists()
    assert untracked.filter(next_check_at__lte=timezone.now()).count() == len(shipments) - 105


# --- 207 and per-item errors ---------------------------------------------------------------


def test_207_with_mixed_results_updates_the_good_and_records_errors_on_the_bad(
    fake_usps, usps_carrier, make_shipments, refresh, item
):
    delivered, found_none, notice_left, unknown = make_shipments(4)
    fake_usps.histories[delivered.tracking_number] = "delivered"
    fake_usps.histories[notice_left.tracking_number] = "notice_left"
    for bad in (found_none, unknown):
        fake_usps.items[bad.tracking_number] = lambda n: {
            "trackingNumber": n,
            "statusCode": "404",
            "error": {"code": "404", "message": "The tracking number may be incorrect."},
        }
    before = timezone.now()

    report = refresh(usps_carrier)

    after = timezone.now()
    [(_, response)] = [e for e in fake_usps.server.log if e[0].path.endswith("/tracking")]
    assert response.status_code == 207
    assert report.errors == 2
    delivered, found_none, notice_left, unknown = fresh(
        [delivered, found_none, notice_left, unknown]
    )

    assert (delivered.tag, delivered.subtag) == (Tag.DELIVERED, Subtag.DELIVERED_001)
    assert delivered.signed_by == "J SMITH"
    assert delivered.active is False and delivered.next_check_at is None
    assert delivered.checkpoints.count() == fake_usps.events_in("delivered")
    assert delivered.unique_tracking_id.startswith(delivered.tracking_number)
    assert delivered.mail_class == "Priority Mail"
    assert delivered.pod_eligible and delivered.rre_eligible
    assert delivered.destination_city == "New York"
    assert delivered.last_error == ""

    assert (notice_left.tag, notice_left.subtag) == (Tag.ATTEMPT_FAIL, Subtag.ATTEMPT_FAIL_003)
    assert notice_left.failed_delivery_attempts == 1
    assert notice_left.active is True
    assert notice_left.checkpoints.count() == fake_usps.events_in("notice_left")

    for bad in (found_none, unknown):
        assert bad.last_error == "USPS 404: The tracking number may be incorrect."
        assert bad.last_error_at is not None
        assert bad.checkpoints.count() == 0
        assert bad.tag == Tag.PENDING
        assert bad.tracked_count == 0
        assert bad.refresh_claimed_until is None
        assert_between(bad.next_check_at, before + RETRY_AFTER_ERROR, after + RETRY_AFTER_ERROR)


def test_ingesting_the_same_response_twice_leaves_one_set_of_checkpoints(
    fake_usps, usps_carrier, make_shipments, refresh
):
    shipments = make_shipments(5)
    for shipment in shipments:
        fake_usps.histories[shipment.tracking_number] = "out_for_delivery"

    refresh(usps_carrier)
    first = sorted(Checkpoint.objects.values_list("shipment_id", "event_key", "checkpoint_time"))
    due_again(shipments)
    report = refresh(usps_carrier)

    assert len(fake_usps.tracking_requests) == 2
    assert report.shipments == 5
    assert (
        sorted(Checkpoint.objects.values_list("shipment_id", "event_key", "checkpoint_time"))
        == first
    )
    assert len(first) == 5 * fake_usps.events_in("out_for_delivery")
    for shipment in fresh(shipments):
        assert shipment.tracked_count == 2
        assert shipment.tag == Tag.OUT_FOR_DELIVERY


# --- 429 -----------------------------------------------------------------------------------


def test_429_with_retry_after_waits_then_succeeds(
    fake_usps, usps_carrier, make_shipments, refresh, sleeps
):
    shipments = make_shipments(3)
    fake_usps.next_tracking(status=429, headers={"Retry-After": "1"})

    report = refresh(usps_carrier)

    assert sleeps == [1.0]
    assert report.errors == 0
    assert [len(r.numbers) for r in fake_usps.tracking_requests] == [3, 3]
    assert all(s.tracked_count == 1 and s.last_error == "" for s in fresh(shipments))
    assert CarrierBudget.objects.get(carrier="usps").blocked_until is None


def test_429_retry_after_is_honoured_in_real_time(fake_usps, make_client, make_shipments, refresh):
    make_shipments(2)
    fake_usps.next_tracking(status=429, headers={"Retry-After": "1"})

    refresh(UspsCarrier(make_client(sleep=time.sleep)))

    first, second = fake_usps.tracking_requests
    assert second.at - first.at >= 1.0


def test_a_long_retry_after_blocks_every_worker_and_is_a_retryable_error(
    fake_usps, usps_carrier, make_client, make_shipments, refresh, sleeps
):
    shipments = make_shipments(50)
    fake_usps.next_tracking(status=429, headers={"Retry-After": "3600"})
    before = timezone.now()

    report = refresh(usps_carrier)

    after = timezone.now()
    assert sleeps == [], "a long Retry-After must not hold the worker"
    assert report.carrier_unavailable  # the pass stops at the refused batch
    assert fake_usps.requests_seen == 2  # the token, the refused batch: nothing more
    blocked = CarrierBudget.objects.get(carrier="usps").blocked_until
    assert_between(blocked, before + timedelta(seconds=3600), after + timedelta(seconds=3600))
    tried = set(fake_usps.tracking_requests[0].numbers)
    assert len(tried) == 35
    for shipment in fresh(shipments):
        assert shipment.tracked_count == 0
        assert shipment.refresh_claimed_until is None
        if shipment.tracking_number in tried:
            assert "rate limit" in shipment.last_error
            assert_between(shipment.next_check_at, before + RETRY_SOON, after + RETRY_SOON)
        else:  # released untouched: due again as soon as the block lifts
            assert shipment.last_error == ""
            assert shipment.next_check_at <= after

    # Another worker, with its own client, does not call USPS until the block lifts.
    due_again(shipments)
    other = refresh(UspsCarrier(make_client()))
    assert other.budget_exhausted and other.batches == 0
    assert fake_usps.requests_seen == 2


def test_a_shorter_block_never_shortens_a_longer_one():
    later = timezone.now() + timedelta(hours=1)
    budget.block_until(carrier="usps", until=later)
    budget.block_until(carrier="usps", until=timezone.now() + timedelta(seconds=10))
    assert CarrierBudget.objects.get(carrier="usps").blocked_until == later
    with pytest.raises(budget.BudgetExhausted):
        budget.take_slot(carrier="usps", per_hour=60, kind="tracking")


def test_retry_after_as_an_http_date_is_understood(
    fake_usps, usps_carrier, make_shipments, refresh, sleeps
):
    make_shipments(1)
    until = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    fake_usps.next_tracking(status=429, headers={"Retry-After": format_datetime(until, True)})

    refresh(usps_carrier)

    assert sleeps == []
    blocked = CarrierBudget.objects.get(carrier="usps").blocked_until
    assert_between(blocked, until - timedelta(seconds=1), until + timedelta(seconds=1))


# --- 5xx, timeouts, unreachable ------------------------------------------------------------


def test_5xx_is_retried_with_backoff_then_gives_up_cleanly(
    fake_usps, usps_carrier, make_shipments, refresh, sleeps
):
    shipments = make_shipments(4)
    fake_usps.always_tracking(status=503)
    before = timezone.now()

    report = refresh(usps_carrier)

    after = timezone.now()
    assert len(fake_usps.tracking_requests) == 3  # max_retries=2
    # Exponential backoff with jitter: base 0.01 s, then 0.02 s, each plus up to half again.
    assert len(sleeps) == 2
    assert 0.01 <= sleeps[0] <= 0.015
    assert 0.02 <= sleeps[1] <= 0.03
    assert report.errors == 4
    for shipment in fresh(shipments):
        assert "HTTP 503" in shipment.last_error
        assert "3 attempts" in shipment.last_error
        assert shipment.tracked_count == 0
        assert shipment.refresh_claimed_until is None
        assert shipment.checkpoints.count() == 0
        assert_between(shipment.next_check_at, before + RETRY_SOON, after + RETRY_SOON)


def test_a_passing_5xx_is_retried_and_the_batch_succeeds(
    fake_usps, usps_carrier, make_shipments, refresh, sleeps
):
    shipments = make_shipments(2)
    fake_usps.next_tracking(status=502)

    report = refresh(usps_carrier)

    assert report.errors == 0
    assert len(sleeps) == 1
    assert len(fake_usps.tracking_requests) == 2
    assert all(s.tracked_count == 1 and s.last_error == "" for s in fresh(shipments))


def test_a_body_that_cannot_be_decoded_is_retried(
    fake_usps, usps_carrier, make_shipments, refresh, sleeps
):
    shipments = make_shipments(2)
    # Says gzip, is not: requests fails while reading the body (not a timeout or refusal).
    fake_usps.next_tracking(raw="plainly not gzip", headers={"Content-Encoding": "gzip"})

    report = refresh(usps_carrier)

    assert report.errors == 0
    assert len(fake_usps.tracking_requests) == 2
    assert len(sleeps) == 1
    assert all(s.tracked_count == 1 for s in fresh(shipments))


def test_timeouts_are_retried_then_give_up_cleanly(
    fake_usps, make_client, make_shipments, refresh, sleeps
):
    shipments = make_shipments(2)
    fake_usps.tracking_delay = 3.0  # far longer than the client waits
    before = timezone.now()

    report = refresh(UspsCarrier(make_client(timeout=0.2, max_retries=1)))

    after = timezone.now()
    fake_usps.drain()
    assert len(fake_usps.tracking_requests) == 2
    assert len(sleeps) == 1
    assert report.errors == 2
    for shipment in fresh(shipments):
        assert "Timeout" in shipment.last_error
        assert shipment.refresh_claimed_until is None
        assert_between(shipment.next_check_at, before + RETRY_SOON, after + RETRY_SOON)


def test_an_unreachable_server_gives_up_cleanly(make_client, make_shipments, refresh, sleeps):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    shipments = make_shipments(2)

    report = refresh(UspsCarrier(make_client(base_url=f"http://127.0.0.1:{port}")))

    assert report.errors == 2
    assert len(sleeps) == 2
    # Every attempt took a slot of the hourly budget, failed token attempts included.
    assert CarrierRequest.objects.filter(carrier="usps", kind="token").count() == 3
    for shipment in fresh(shipments):
        assert "ConnectionError" in shipment.last_error
        assert shipment.refresh_claimed_until is None


def test_token_endpoint_5xx_is_retried_then_recorded(
    fake_usps, usps_carrier, make_shipments, refresh, sleeps
):
    shipments = make_shipments(2)
    fake_usps.always_token(status=500)

    report = refresh(usps_carrier)

    assert len(fake_usps.token_requests) == 3
    assert fake_usps.tracking_requests == []
    assert len(sleeps) == 2
    assert report.errors == 2
    assert CarrierRequest.objects.filter(kind="token").count() == 3
    assert CarrierToken.objects.get(carrier="usps").access_token == ""
    for shipment in fresh(shipments):
        assert "token request failed" in shipment.last_error


@pytest.mark.parametrize(
    "answer",
    [
        {"json_body": ["not", "an", "object"]},
        {"json_body": {"access_token": None, "expires_in": 28799}},
        {"raw": "<html>Service Unavailable</html>", "content_type": "text/html"},
        {"status": 401, "json_body": {"error": "invalid_client"}},
    ],
)
def test_a_bad_token_answer_is_recorded_not_raised(
    fake_usps, usps_carrier, make_shipments, refresh, answer
):
    [shipment] = make_shipments(1)
    fake_usps.next_token(**answer)

    report = refresh(usps_carrier)

    assert report.errors == 1
    assert fake_usps.tracking_requests == []
    [shipment] = fresh([shipment])
    assert "token request failed" in shipment.last_error
    assert CarrierToken.objects.get(carrier="usps").access_token == ""


# --- malformed bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            {"raw": '[{"trackingNumber": "92', "content_type": "application/json"},
            "USPS answer malformed (HTTP 200): not JSON",
        ),
        (
            {"raw": "<html><body>Gateway maintenance</body></html>", "content_type": "text/html"},
            "USPS answer malformed (HTTP 200): not JSON",
        ),
        ({"status": 207, "raw": ""}, "USPS answer malformed (HTTP 207): not JSON"),
        (
            {"json_body": {"apiVersion": "v3r2", "unexpected": True}},
            "USPS answer did not include this number",
        ),
        ({"json_body": "OK"}, "USPS answer malformed: not a list"),
        ({"json_body": [{"trackingNumber": None}, 7]}, "USPS answer did not include this number"),
    ],
)
def test_a_malformed_body_is_recorded_on_the_shipments_never_raised(
    fake_usps, usps_carrier, make_shipments, refresh, answer, error
):
    shipments = make_shipments(3)
    fake_usps.next_tracking(**answer)

    report = refresh(usps_carrier)

    assert report.errors == 3
    for shipment in fresh(shipments):
        assert shipment.last_error == error
        assert shipment.last_error_at is not None
        assert shipment.checkpoints.count() == 0
        assert shipment.refresh_claimed_until is None
        assert shipment.active is True


def test_an_item_with_a_bad_event_is_recorded_and_the_rest_is_ingested(
    fake_usps, usps_carrier, make_shipments, refresh, item
):
    good, wrong_time, no_text = make_shipments(3)

    def broken(change):
        def build(number):
            built = item(number, "in_transit", start=fake_usps.start)
            built["trackingEvents"][0].update(change)
            return built

        return build

    fake_usps.items[wrong_time.tracking_number] = broken({"eventTimestamp": 1763300000})
    fake_usps.items[no_text.tracking_number] = broken({"eventType": None})

    report = refresh(usps_carrier)

    assert report.errors == 2
    good, wrong_time, no_text = fresh([good, wrong_time, no_text])
    assert good.checkpoints.count() == fake_usps.events_in("in_transit")
    assert good.tag == Tag.IN_TRANSIT
    assert wrong_time.last_error.startswith("USPS answer malformed")
    assert "not a string" in wrong_time.last_error
    assert no_text.last_error == "USPS answer malformed: event 1: event has no eventType"
    assert wrong_time.checkpoints.count() == no_text.checkpoints.count() == 0


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            {
                "status": 400,
                "json_body": {"apiVersion": "v3r2", "error": {"code": "400", "message": "Bad"}},
            },
            "USPS refused the request: Bad",
        ),
        (
            {"status": 403, "raw": "<html>Forbidden</html>", "content_type": "text/html"},
            "USPS refused the request: HTTP 403",
        ),
    ],
)
def test_a_refused_request_is_recorded_with_what_usps_said(
    fake_usps, usps_carrier, make_shipments, refresh, answer, error
):
    shipments = make_shipments(2)
    fake_usps.next_tracking(**answer)

    refresh(usps_carrier)

    assert {s.last_error for s in fresh(shipments)} == {error}


# --- the hourly budget ---------------------------------------------------------------------


def test_the_hourly_budget_is_never_exceeded(fake_usps, make_client, make_shipments, refresh):
    shipments = make_shipments(200)
    carrier = UspsCarrier(make_client(per_hour=3))

    report = refresh(carrier)

    assert fake_usps.requests_seen == 3  # one token call and two batches
    assert len(fake_usps.token_requests) == 1
    assert report.budget_exhausted
    assert report.batches == 2 and report.shipments == 70
    tracked = set(fake_usps.numbers_sent())
    now = timezone.now()
    for shipment in fresh(shipments):
        if shipment.tracking_number in tracked:
            assert shipment.tracked_count == 1
        else:
            assert shipment.tracked_count == 0
            assert shipment.refresh_claimed_until is None
            assert shipment.next_check_at <= now
    assert len([s for s in fresh(shipments) if s.tracked_count == 0]) == 130

    # A second pass (or another worker) within the hour sends nothing at all.
    again = refresh(UspsCarrier(make_client(per_hour=3)))
    assert again.budget_exhausted and again.batches == 0
    assert fake_usps.requests_seen == 3
    assert CarrierRequest.objects.filter(carrier="usps").count() == 3


def test_retries_count_against_the_budget(fake_usps, make_client, make_shipments, refresh):
    shipments = make_shipments(5)
    fake_usps.always_tracking(status=503)

    report = refresh(UspsCarrier(make_client(per_hour=4, max_retries=5)))

    assert fake_usps.requests_seen == 4  # the token, then three attempts: the fourth had no slot
    assert report.budget_exhausted
    for shipment in fresh(shipments):  # released, not marked failed: due again next hour
        assert shipment.refresh_claimed_until is None
        assert shipment.last_error == ""
        assert shipment.next_check_at <= timezone.now()


# --- 401 -----------------------------------------------------------------------------------


def test_401_fetches_a_new_token_once(fake_usps, usps_carrier, make_shipments, refresh):
    shipments = make_shipments(3)
    refresh(usps_carrier)
    fake_usps.revoke_tokens()  # USPS no longer accepts tok-1
    due_again(shipments)

    report = refresh(usps_carrier)

    assert report.errors == 0
    assert len(fake_usps.token_requests) == 2
    assert [r.authorization for r in fake_usps.tracking_requests] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    assert CarrierToken.objects.get(carrier="usps").access_token == "tok-2"
    assert all(s.tracked_count == 2 for s in fresh(shipments))


def test_a_second_401_gives_up_instead_of_looping(fake_usps, usps_carrier, make_shipments, refresh):
    shipments = make_shipments(2)
    fake_usps.reject_all_tokens = True

    report = refresh(usps_carrier)

    assert len(fake_usps.token_requests) == 2
    assert len(fake_usps.tracking_requests) == 2
    assert report.errors == 2
    for shipment in fresh(shipments):
        assert shipment.last_error.startswith("USPS refused the request: Unauthorized")


def test_forgetting_a_refused_token_keeps_a_newer_one():
    CarrierToken.objects.create(
        carrier="usps", access_token="tok-new", expires_at=timezone.now() + timedelta(hours=8)
    )

    tokens.forget_token(carrier="usps", token="tok-old")

    assert CarrierToken.objects.get(carrier="usps").access_token == "tok-new"
    tokens.forget_token(carrier="usps", token="tok-new")
    assert CarrierToken.objects.get(carrier="usps").access_token == ""
