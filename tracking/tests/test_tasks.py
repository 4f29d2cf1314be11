"""The refresh chain on the real django-tasks-db worker."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.shipments import shipment_create
from tracking.tasks import refresh_cycle, schedule_refresh

pytestmark = pytest.mark.django_db(transaction=True)


def refresh_tasks(status=None):
    tasks = DBTaskResult.objects.filter(task_path=refresh_cycle.module_path)
    return tasks.filter(status=status) if status else tasks


def run_worker(*args):
    call_command("db_worker", "--batch", "--no-startup-delay", *args)


def due_shipments(partner, count):
    past = timezone.now() - timedelta(minutes=1)
    return [
        shipment_create(
            partner=partner,
            tracking_number=with_impb_check_digit(f"9400111899223{i:08d}"),
            now=past,
        )
        for i in range(count)
    ]


def test_the_worker_refreshes_due_shipments_and_queues_the_next_cycle_once(partner, settings):
    settings.REFRESH_INTERVAL_SECONDS = 60
    due_shipments(partner, 3)
    assert schedule_refresh() is True
    assert schedule_refresh() is False  # one is already waiting
    assert refresh_tasks().count() == 1

    started = timezone.now()
    run_worker()

    (done,) = refresh_tasks("SUCCESSFUL")
    assert done.return_value["shipments"] == 3
    assert done.return_value["batches"] == 1
    assert set(Shipment.objects.values_list("tracked_count", flat=True)) == {1}
    (waiting,) = refresh_tasks("READY")  # exactly one next cycle
    assert waiting.run_after >= started + timedelta(seconds=60)
    assert schedule_refresh() is False
    assert refresh_tasks().count() == 2

    run_worker()  # nothing is due yet: the next cycle waits its turn
    assert refresh_tasks("SUCCESSFUL").count() == 1
    assert refresh_tasks("READY").count() == 1


def test_the_chain_keeps_itself_alive_with_one_cycle_waiting(partner, settings):
    settings.REFRESH_INTERVAL_SECONDS = 0
    due_shipments(partner, 1)
    schedule_refresh()

    run_worker("--max-tasks", "3")

    assert refresh_tasks("SUCCESSFUL").count() == 3
    assert refresh_tasks("READY").count() == 1
    assert refresh_tasks().count() == 4


def test_a_failed_cycle_still_queues_the_next(partner, settings, monkeypatch):
    settings.REFRESH_INTERVAL_SECONDS = 60

    def broken(**kwargs):
        raise RuntimeError("carrier exploded")

    monkeypatch.setattr("tracking.tasks.refresh_due", broken)
    schedule_refresh()

    run_worker()

    (failed,) = refresh_tasks("FAILED")
    assert failed.exception_class_path.endswith("RuntimeError")
    assert refresh_tasks("READY").count() == 1
