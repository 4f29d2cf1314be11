"""Delivery on the real worker to a real receiver on 127.0.0.1: retries, leases, disabling,
replays. Time moves with time-machine; nothing sleeps."""

import ipaddress
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from werkzeug import Response

from shipdesk.audit import Actor
from shipdesk.models import AuditEvent
from shipdesk.tests.webhooks.receiver import verify_json_delivery, verify_jwt_delivery
from shipdesk.webhooks import event_record
from shipdesk.webhooks.delivery import deliveries_claim, events_fan_out
from shipdesk.webhooks.models import EventType, Webhook, WebhookDelivery, WebhookEvent
from shipdesk.webhooks.services import delivery_replay, webhook_enable
from shipdesk.webhooks.tasks import webhooks_sweep_once

LETTER = {"id": "letter_abc", "object": "letter", "live": False, "status": "ready"}
START = timezone.datetime(2026, 11, 2, 15, 0, tzinfo=timezone.UTC)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay")


def record(partner, data=LETTER, type=EventType.LETTER_CREATED):
    with transaction.atomic():
        return event_record(partner=partner, type=type, data=data)


def answers(httpserver, *statuses):
    """The receiver answers these statuses in turn, then 200 to anything more."""
    for status in statuses:
        httpserver.expect_ordered_request("/hook", method="POST").respond_with_data(
            "", status=status
        )
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("max.manager", is_staff=True)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.mark.django_db(transaction=True)
def test_a_receiver_failing_twice_then_succeeding_gets_the_event_once_acknowledged(
    partner, make_webhook, httpserver, clock
):
    answers(httpserver, 500, 503)
    webhook = make_webhook(httpserver.url_for("/hook"), payload_format="json")
    event = record(partner)

    run_worker()  # the dispatch queued on commit: first attempt, 500
    clock.shift(timedelta(minutes=59))
    run_worker()  # the retry is not due before an hour
    assert len(httpserver.log) == 1
    clock.shift(timedelta(minutes=1))
    run_worker()  # second attempt, 503
    clock.shift(timedelta(hours=2))
    run_worker()  # third attempt, 200
    clock.shift(timedelta(hours=4))
    run_worker()  # nothing more is sent

    requests = [request for request, _ in httpserver.log]
    assert [response.status_code for _, response in httpserver.log] == [500, 503, 200]
    assert len({r.get_data() for r in requests}) == 1  # the same bytes each time
    for request in requests:
        payload = verify_json_delivery(
            request.get_data(), request.headers["PostGrid-Signature"], webhook.secret
        )
        assert payload["id"] == event.public_id
        assert payload["type"] == "letter.created"
        assert payload["data"] == LETTER
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert delivery.delivered_at == START + timedelta(hours=3)
    invocations = list(webhook.invocations.order_by("created_at"))
    assert [i.status_code for i in invocations] == [500, 503, 200]
    assert [i.created_at - START for i in invocations] == [
        timedelta(0),
        timedelta(hours=1),
        timedelta(hours=3),
    ]
    assert [i.error for i in invocations] == ["HTTP 500", "HTTP 503", ""]
    assert Webhook.objects.get().consecutive_failures == 0


@pytest.mark.django_db(transaction=True)
def test_retries_stop_after_the_last_delay_and_the_delivery_is_given_up(
    partner, make_webhook, httpserver, clock, settings
):
    settings.WEBHOOKS_RETRY_DELAYS_SECONDS = [60, 120, 240]
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    webhook = make_webhook(httpserver.url_for("/hook"))
    record(partner)

    for _ in range(6):
        run_worker()
        clock.shift(timedelta(minutes=5))

    assert len(httpserver.log) == 4  # the first attempt and three retries
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 4)
    assert webhook.invocations.count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_no_event(partner, make_webhook, httpserver, clock):
    answers(httpserver)
    webhook = make_webhook(httpserver.url_for("/hook"))
    event = WebhookEvent.objects.create(partner=partner, type="letter.created", data=LETTER)

    # A worker fans the event out, claiming its delivery, then dies before sending it.
    (claimed,) = events_fan_out(event_ids=[event.pk])
    assert claimed.claimed_until == START + timedelta(seconds=60)

    clock.shift(timedelta(seconds=59))
    assert webhooks_sweep_once() == {"events": 0, "attempts": 0}  # still leased
    assert httpserver.log == []

    clock.shift(timedelta(seconds=2))  # the lease lapsed
    assert webhooks_sweep_once() == {"events": 0, "attempts": 1}

    (request, response), *more = httpserver.log
    assert more == []
    assert response.status_code == 200
    claims = verify_jwt_delivery(request.get_data(), webhook.secret)
    assert claims["id"] == event.public_id
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.claimed_until is None


@pytest.mark.django_db(transaction=True)
def test_a_lost_dispatch_and_a_lost_retry_are_picked_up_by_the_sweep(
    partner, make_webhook, httpserver, clock
):
    answers(httpserver, 500)
    make_webhook(httpserver.url_for("/hook"))
    # Committed, but the dispatch task never ran (e.g. the process died right after commit).
    WebhookEvent.objects.create(partner=partner, type="letter.created", data=LETTER)

    assert webhooks_sweep_once() == {"events": 1, "attempts": 1}  # 500
    clock.shift(timedelta(hours=1))
    assert webhooks_sweep_once() == {"events": 0, "attempts": 1}  # the retry, 200

    assert [response.status_code for _, response in httpserver.log] == [500, 200]
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_two_claims_never_take_the_same_delivery(partner, make_webhook, clock):
    make_webhook()
    for _ in range(3):
        WebhookEvent.objects.create(partner=partner, type="letter.created", data=LETTER)
    ids = list(WebhookEvent.objects.values_list("id", flat=True))
    # Fanned out and sent by nobody: the claims lapse at once.
    events_fan_out(event_ids=ids, now=START - timedelta(minutes=5))

    first = deliveries_claim(limit=2)
    second = deliveries_claim(limit=2)
    third = deliveries_claim(limit=2)

    assert len(first) == 2
    assert len(second) == 1
    assert third == []
    assert {d.pk for d in first}.isdisjoint({d.pk for d in second})


@pytest.mark.django_db(transaction=True)
def test_an_endpoint_failing_n_times_in_a_row_is_disabled_and_enabled_again_resumes(
    partner, make_webhook, httpserver, clock, settings, staff_user
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    httpserver.expect_ordered_request("/hook").respond_with_data("", status=500)
    httpserver.expect_ordered_request("/hook").respond_with_data("", status=200)
    for _ in range(2):
        httpserver.expect_ordered_request("/hook").respond_with_data("", status=500)
    for _ in range(5):
        httpserver.expect_ordered_request("/hook").respond_with_data("", status=204)
    webhook = make_webhook(httpserver.url_for("/hook"))

    record(partner)  # 500
    run_worker()
    record(partner)  # 200: the count starts again
    run_worker()
    assert Webhook.objects.get().consecutive_failures == 0
    record(partner)  # 500
    record(partner)  # 500
    run_worker()
    webhook.refresh_from_db()
    assert (webhook.enabled, webhook.consecutive_failures) == (True, 2)

    clock.shift(timedelta(hours=1))
    run_worker()  # the three failed deliveries are retried: 204 each
    webhook.refresh_from_db()
    assert webhook.enabled and webhook.consecutive_failures == 0

    httpserver.clear_all_handlers()
    httpserver.expect_request("/hook").respond_with_data("", status=500)
    for _ in range(3):
        record(partner)
    run_worker()
    webhook.refresh_from_db()
    assert not webhook.enabled
    assert webhook.disabled_after_failures
    assert "after 3 failed deliveries in a row" in webhook.disabled_reason
    assert AuditEvent.objects.filter(action="webhook.disable").count() == 1
    sent = len(httpserver.log)
    record(partner)  # a disabled endpoint gets nothing new
    clock.shift(timedelta(hours=2))
    run_worker()
    assert len(httpserver.log) == sent
    pending = WebhookDelivery.objects.filter(status="pending")
    assert pending.count() == 3  # kept, not dropped

    httpserver.clear_all_handlers()
    httpserver.expect_request("/hook").respond_with_data("ok")
    webhook_enable(webhook=webhook, actor=Actor.for_user(staff_user))
    run_worker()

    assert not pending.exists()
    webhook.refresh_from_db()
    assert (webhook.enabled, webhook.consecutive_failures, webhook.disabled_reason) == (
        True,
        0,
        "",
    )


@pytest.mark.django_db(transaction=True)
def test_a_replay_sends_the_same_bytes_and_is_audited(
    partner, make_webhook, httpserver, clock, staff_user
):
    answers(httpserver)
    webhook = make_webhook(httpserver.url_for("/hook"), payload_format="json")
    record(partner)
    run_worker()
    clock.shift(timedelta(days=2))

    delivery = WebhookDelivery.objects.select_related("event", "webhook").get()
    invocation = delivery_replay(delivery=delivery, actor=Actor.for_user(staff_user))

    (first, _), (again, _) = httpserver.log
    assert again.get_data() == first.get_data()
    assert again.headers["PostGrid-Signature"] == first.headers["PostGrid-Signature"]
    assert invocation.replay and invocation.status_code == 200
    assert webhook.invocations.count() == 2
    audit = AuditEvent.objects.get(action="webhook.replay")
    assert audit.actor_label == staff_user.username
    assert delivery.event.public_id in audit.summary


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_endpoint_and_a_redirect_are_failures_with_their_reason(
    partner, make_webhook, httpserver, clock
):
    httpserver.expect_request("/moved").respond_with_response(
        Response("", status=302, headers={"Location": "http://127.0.0.1:1/"})
    )
    closed = make_webhook("http://127.0.0.1:1/hook")
    moved = make_webhook(httpserver.url_for("/moved"))
    record(partner)
    run_worker()

    (refused,) = closed.invocations.all()
    assert refused.status_code is None
    assert "ConnectionError" in refused.error
    (redirected,) = moved.invocations.all()
    assert (redirected.status_code, redirected.error) == (302, "HTTP 302")
    assert len(httpserver.log) == 1  # the redirect was not followed


@pytest.mark.django_db(transaction=True)
def test_a_private_target_is_never_sent_to_when_not_allowed(
    partner, make_webhook, httpserver, settings, clock
):
    answers(httpserver)
    webhook = make_webhook(httpserver.url_for("/hook"))  # saved while allowed
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    record(partner)
    run_worker()

    assert httpserver.log == []
    (invocation,) = webhook.invocations.all()
    assert invocation.status_code is None
    assert "loopback or private network" in invocation.error


@pytest.mark.django_db(transaction=True)
def test_the_sweep_chain_is_queued_once_and_keeps_itself_alive(
    partner, make_webhook, httpserver, clock, settings
):
    from django_tasks_db.models import DBTaskResult

    from shipdesk.webhooks.tasks import webhooks_sweep

    settings.WEBHOOKS_SWEEP_INTERVAL_SECONDS = 60
    answers(httpserver)
    make_webhook(httpserver.url_for("/hook"))
    sweeps = DBTaskResult.objects.filter(task_path=webhooks_sweep.module_path)
    call_command("schedule_webhook_sweep")
    call_command("schedule_webhook_sweep")
    assert sweeps.count() == 1
    # A delivery whose worker died: only the sweep can send it.
    event = WebhookEvent.objects.create(partner=partner, type="letter.created", data=LETTER)
    events_fan_out(event_ids=[event.pk])
    clock.shift(timedelta(seconds=61))

    run_worker()

    assert len(httpserver.log) == 1
    assert sweeps.filter(status="SUCCESSFUL").count() == 1
    (waiting,) = sweeps.filter(status="READY")
    assert waiting.run_after == START + timedelta(seconds=61 + 60)


@pytest.mark.django_db(transaction=True)
def test_a_backlog_queues_a_helper_drain_for_another_worker(
    partner, make_webhook, httpserver, clock
):
    from django_tasks_db.models import DBTaskResult

    from shipdesk.webhooks.tasks import webhook_outbox_drain

    answers(httpserver)
    make_webhook(httpserver.url_for("/hook"))
    WebhookEvent.objects.bulk_create(
        [WebhookEvent(partner=partner, type="letter.created", data=LETTER) for _ in range(150)]
    )
    webhook_outbox_drain.enqueue()
    drains = DBTaskResult.objects.filter(task_path=webhook_outbox_drain.module_path)

    call_command("db_worker", "--batch", "--no-startup-delay", "--max-tasks", "1")

    assert drains.filter(status="SUCCESSFUL").count() == 1
    assert drains.filter(status="READY").count() == 1  # the helper, queued for an idle worker
    assert len(httpserver.log) == 150
    run_worker()  # the helper finds nothing left to send
    assert len(httpserver.log) == 150
    assert WebhookDelivery.objects.filter(status="delivered").count() == 150
    assert not WebhookEvent.objects.filter(dispatched_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_name_that_comes_to_resolve_to_a_private_address_after_the_check_is_not_sent_to(
    partner, make_webhook, httpserver, settings, clock, monkeypatch
):
    """DNS rebinding: the name passed the check, then resolved to loopback for the request."""
    answers(httpserver)
    webhook = make_webhook(f"http://localhost:{httpserver.port}/hook")
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    # The check's own lookup saw a public address; the connection's lookup gets loopback.
    monkeypatch.setattr(
        "shipdesk.webhooks.targets._addresses",
        lambda host, port: [ipaddress.ip_address("93.184.216.34")],
    )
    record(partner)
    run_worker()

    assert httpserver.log == []
    (invocation,) = webhook.invocations.all()
    assert invocation.status_code is None
    assert (
        "now resolves to 127.0.0.1" in invocation.error or "now resolves to ::1" in invocation.error
    )
