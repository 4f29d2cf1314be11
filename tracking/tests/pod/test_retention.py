"""Retention: event detail purged POD_RETENTION_DAYS after the last update, hashes kept."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tracking.models import Shipment
from tracking.pod.services import event_detail_purge
from tracking.tasks import pod_retention_cycle, schedule_pod_retention
from tracking.tests.pod.support import DELIVERED, IN_TRANSIT, NOW


def proof(public, shipment) -> dict:
    response = public.get(f"/api/v1/shipments/{shipment.uuid}/proof")
    assert response.status_code == 200
    return response.json()["data"]


@pytest.mark.django_db
def test_the_purge_blanks_old_detail_keeps_the_chain_and_the_pod_is_gone(public, track, settings):
    settings.POD_RETENTION_DAYS = 30
    with time_machine.travel(NOW, tick=False):
        old = track(DELIVERED)
        before = proof(public, old)
    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        recent = track(DELIVERED)

    with time_machine.travel(NOW + timedelta(days=29), tick=False):
        assert event_detail_purge() == 0
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        assert event_detail_purge() == 4
        assert event_detail_purge() == 0  # once
        gone = public.get(f"/api/v1/shipments/{old.uuid}/pod")
        after = proof(public, old)
        still = public.get(f"/api/v1/shipments/{recent.uuid}/pod")

    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "pod_outside_retention"
    assert still.status_code == 200
    # The chain survives: same hashes and head, the canonical bytes are gone.
    assert [link["hash"] for link in after["links"]] == [link["hash"] for link in before["links"]]
    assert after["head"] == before["head"]
    assert all(link["purged"] and link["canonical"] is None for link in after["links"])
    for checkpoint in old.checkpoints.all():
        assert checkpoint.detail_purged_at is not None
        assert (checkpoint.message, checkpoint.city, checkpoint.recipient_name) == ("", "", "")
        assert checkpoint.chain_hash and checkpoint.tag  # time, tag and link stay
    assert not recent.checkpoints.filter(detail_purged_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_purged_shipment_reported_again_keeps_one_chain(public, track):
    with time_machine.travel(NOW, tick=False):
        shipment = track(DELIVERED)
    head = shipment.chain_head
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        event_detail_purge()
        shipment = track(DELIVERED, shipment=shipment)

    assert (shipment.chain_length, shipment.chain_head) == (4, head)
    assert shipment.checkpoints.count() == 4


@pytest.mark.django_db
def test_an_update_within_the_window_keeps_the_detail(public, track):
    with time_machine.travel(NOW, tick=False):
        shipment = track(IN_TRANSIT)
    with time_machine.travel(NOW + timedelta(days=25), tick=False):
        shipment = track(DELIVERED, shipment=shipment)
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        assert event_detail_purge() == 0
        assert public.get(f"/api/v1/shipments/{shipment.uuid}/pod").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_purge_and_queues_the_next_pass(track, settings):
    settings.POD_RETENTION_INTERVAL_SECONDS = 3600
    with time_machine.travel(NOW, tick=False):
        shipment = track(DELIVERED)
    last_update = Shipment.objects.get(pk=shipment.pk).updated_at

    with time_machine.travel(last_update + timedelta(days=31)):
        out = StringIO()
        call_command("schedule_pod_retention", stdout=out)
        call_command("schedule_pod_retention", stdout=out)
        call_command("db_worker", "--batch", "--no-startup-delay")

    assert "Queued the retention purge" in out.getvalue()
    assert "already queued" in out.getvalue()
    tasks = DBTaskResult.objects.filter(task_path=pod_retention_cycle.module_path)
    (done,) = tasks.filter(status="SUCCESSFUL")
    assert done.return_value == {"purged_checkpoints": 4}
    (waiting,) = tasks.filter(status="READY")
    assert waiting.run_after >= last_update + timedelta(days=31, seconds=3600)
    assert schedule_pod_retention() is False
    assert not shipment.checkpoints.filter(detail_purged_at__isnull=True).exists()
