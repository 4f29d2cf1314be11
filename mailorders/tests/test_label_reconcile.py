"""The background sweep settles a live label attempt USPS bought but never answered for,
without the partner retrying and without buying twice (the fake USPS server, over HTTP)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mailorders.choices import LabelStatus
from mailorders.models import Label
from mailorders.services.common import LabelError
from mailorders.services.label_attempts import label_attempts_reconcile
from mailorders.services.labels import label_create
from mailorders.tasks import label_reconcile_cycle
from mailorders.tests.test_label_usps import body
from shipdesk.models import AuditEvent
from tracking.models import Shipment


@pytest.fixture
def unanswered(partner, live, fake, settings):
    """An attempt USPS bought a label for while shipdesk's request timed out."""
    settings.USPS_TIMEOUT_SECONDS = 0.3
    fake.hang_next("labels", seconds=1.0)
    with pytest.raises(LabelError):
        label_create(partner=partner, data=body(live, order_number="R-1"))
    settings.USPS_TIMEOUT_SECONDS = 2.0
    [attempt] = Label.objects.all()
    assert attempt.status == LabelStatus.CREATING and fake.purchases == 1
    return attempt


@pytest.mark.django_db
def test_a_fresh_attempt_is_left_to_the_request_that_made_it(unanswered, fake):
    report = label_attempts_reconcile()

    assert report.as_dict() == {"settled": 0, "refused": 0, "unknown": 0}
    assert Label.objects.get().status == LabelStatus.CREATING
    assert len(fake.calls_of("labels")) == 1


@pytest.mark.django_db
def test_a_stale_attempt_is_settled_once_with_the_label_usps_bought(unanswered, fake):
    later = timezone.now() + timedelta(minutes=6)

    report = label_attempts_reconcile(now=later)

    assert report.settled == 1 and fake.purchases == 1
    label = Label.objects.get()
    assert label.status == LabelStatus.CREATED
    assert label.tracking_number == next(iter(fake.labels))
    assert Shipment.objects.filter(tracking_number=label.tracking_number).count() == 1
    assert AuditEvent.objects.filter(actor_label__contains="label reconcile").exists()
    # A second sweep finds nothing to do.
    assert label_attempts_reconcile(now=later).as_dict() == {
        "settled": 0,
        "refused": 0,
        "unknown": 0,
    }


@pytest.mark.django_db
def test_usps_still_silent_keeps_the_attempt_for_the_next_sweep(unanswered, fake, settings):
    settings.USPS_TIMEOUT_SECONDS = 0.3
    fake.hang_next("labels", seconds=1.0)

    report = label_attempts_reconcile(now=timezone.now() + timedelta(minutes=6))

    assert report.unknown == 1 and fake.purchases == 1
    assert Label.objects.get().status == LabelStatus.CREATING


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_sweep_and_queues_the_next(unanswered, settings, fake):
    settings.LABEL_ATTEMPT_SETTLE_SECONDS = 0
    out = StringIO()
    call_command("schedule_label_reconcile", stdout=out)
    call_command("schedule_label_reconcile", stdout=out)
    assert "Queued the label reconcile sweep" in out.getvalue()
    assert "already queued" in out.getvalue()

    call_command("db_worker", "--batch", "--no-startup-delay")

    path = label_reconcile_cycle.module_path
    done = DBTaskResult.objects.get(task_path=path, status="SUCCESSFUL")
    assert done.return_value == {"settled": 1, "refused": 0, "unknown": 0}
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    assert Label.objects.get().status == LabelStatus.CREATED and fake.purchases == 1
