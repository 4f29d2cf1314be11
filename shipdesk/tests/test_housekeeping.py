"""Housekeeping: old webhook history and finished task results go; anything still to send stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shipdesk.housekeeping import task_results_prune, webhook_history_prune
from shipdesk.tasks import housekeeping_cycle, schedule_housekeeping
from shipdesk.webhooks import event_record
from shipdesk.webhooks.models import (
    EventType,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookInvocation,
)
from shipdesk.webhooks.tasks import webhooks_sweep_once

START = timezone.datetime(2026, 10, 1, 15, 0, tzinfo=timezone.UTC)
LETTER = {"id": "letter_abc", "object": "letter", "live": False, "status": "ready"}


@pytest.fixture(autouse=True)
def _windows(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_HISTORY_DAYS = 30
    settings.TASK_RESULTS_DAYS = 14
    settings.HOUSEKEEPING_INTERVAL_SECONDS = 3600


def subscribe(partner, url: str) -> Webhook:
    return Webhook.objects.create(
        url=url, partner=partner, enabled_events=[EventType.LETTER_CREATED]
    )


def record(partner) -> WebhookEvent:
    with transaction.atomic():
        return event_record(partner=partner, type=EventType.LETTER_CREATED, data=LETTER)


@pytest.mark.django_db(transaction=True)
def test_old_finished_webhook_history_goes_and_what_is_left_to_send_stays(
    partner, httpserver, time_machine
):
    httpserver.expect_request("/ok", method="POST").respond_with_data("ok")
    httpserver.expect_request("/down", method="POST").respond_with_data("", status=503)
    Webhook.objects.create(
        url=httpserver.url_for("/ok"), partner=partner, enabled_events=[EventType.LETTER_CREATED]
    )
    time_machine.move_to(START, tick=False)
    delivered = record(partner)
    webhooks_sweep_once()
    down = Webhook.objects.create(
        url=httpserver.url_for("/down"), partner=partner, enabled_events=[EventType.LETTER_CREATED]
    )
    retrying = record(partner)  # one delivery delivered, the other waits for its retry
    webhooks_sweep_once()
    assert WebhookInvocation.objects.filter(webhook=down).count() == 1

    time_machine.move_to(START + timedelta(days=20), tick=False)
    recent = record(partner)
    webhooks_sweep_once()
    time_machine.move_to(START + timedelta(days=31), tick=False)

    assert webhook_history_prune(batch=1) == 1
    assert set(WebhookEvent.objects.values_list("id", flat=True)) == {retrying.id, recent.id}
    assert not WebhookDelivery.objects.filter(event_id=delivered.id).exists()
    assert not WebhookInvocation.objects.filter(delivery__event_id=delivered.id).exists()
    assert WebhookDelivery.objects.filter(event=retrying, status="pending").exists()
    assert webhook_history_prune() == 0


@pytest.mark.django_db
def test_undispatched_events_are_never_pruned(partner, time_machine):
    subscribe(partner, "http://127.0.0.1:9/hook")
    time_machine.move_to(START, tick=False)
    event = record(partner)  # no worker ran: its deliveries were never made
    time_machine.move_to(START + timedelta(days=90), tick=False)
    assert webhook_history_prune() == 0
    assert WebhookEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_prunes_task_results_and_queues_the_next_pass(time_machine):
    time_machine.move_to(START, tick=False)
    out = StringIO()
    call_command("schedule_housekeeping", stdout=out)
    call_command("schedule_housekeeping", stdout=out)
    assert "Queued the housekeeping" in out.getvalue()
    assert "already queued" in out.getvalue()
    call_command("db_worker", "--batch", "--no-startup-delay")
    first = DBTaskResult.objects.get(task_path=housekeeping_cycle.module_path, status="SUCCESSFUL")
    assert first.return_value == {"webhook_events": 0, "task_results": 0}
    waiting = DBTaskResult.objects.get(task_path=housekeeping_cycle.module_path, status="READY")
    assert waiting.run_after == START + timedelta(seconds=3600)

    time_machine.move_to(START + timedelta(days=15), tick=False)
    call_command("db_worker", "--batch", "--no-startup-delay")
    results = DBTaskResult.objects.filter(task_path=housekeeping_cycle.module_path)
    assert not results.filter(pk=first.pk).exists()  # finished more than 14 days ago
    (second,) = results.filter(status="SUCCESSFUL")
    assert second.return_value == {"webhook_events": 0, "task_results": 1}
    assert results.filter(status="READY").count() == 1 and schedule_housekeeping() is False
    assert task_results_prune() == 0
