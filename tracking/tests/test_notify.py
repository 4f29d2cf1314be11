from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tracking.services.lifecycle import shipment_mark_completed
from tracking.services.notify import subscribers_notify
from tracking.services.shipments import shipment_create

NUMBER = "9400111899223123456785"


def test_subscribers_get_an_email_and_an_sms_on_a_tag_change(partner, mailoutbox, caplog):
    shipment = shipment_create(
        partner=partner,
        tracking_number=NUMBER,
        emails=["ann@example.com", "bo@example.com"],
        smses=["+18555072509"],
        customer_name="Ann Lee",
    )
    caplog.set_level("INFO", logger="tracking.sms")

    sent = subscribers_notify(shipment_ids=[shipment.pk])

    assert sent == 3
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.com", "bo@example.com"]
    assert NUMBER in mailoutbox[0].subject
    assert "Ann Lee" in mailoutbox[0].body
    assert "SMS to +18555072509" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_marking_completed_queues_a_notification_the_worker_sends(
    partner, mailoutbox, django_capture_on_commit_callbacks
):
    shipment = shipment_create(partner=partner, tracking_number=NUMBER, emails=["ann@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        shipment_mark_completed(shipment=shipment, reason="LOST")
    assert mailoutbox == []  # queued, not sent inline

    call_command("db_worker", "--batch", "--no-startup-delay")

    assert len(mailoutbox) == 1
    assert "Shipment lost" in mailoutbox[0].subject


def test_a_refresh_that_changes_the_tag_queues_a_notification(
    partner, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from tracking.services.refresh import refresh_due
    from tracking.tasks import notify_subscribers

    an_hour_ago = timezone.now() - timedelta(hours=1)
    shipment_create(
        partner=partner, tracking_number=NUMBER, emails=["ann@example.com"], created_at=an_hour_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = refresh_due()

    assert report.tag_changes  # the sandbox answers with a first event
    queued = DBTaskResult.objects.filter(task_path=notify_subscribers.module_path)
    assert queued.count() == 1
