"""The outbox: an event is written in the transaction of its change, and queued on commit."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from shipdesk.webhooks import event_record
from shipdesk.webhooks.models import EventType, WebhookEvent
from shipdesk.webhooks.tasks import webhook_outbox_drain

LETTER = {"id": "letter_abc", "object": "letter", "live": False, "status": "ready"}


def dispatch_tasks():
    return DBTaskResult.objects.filter(task_path=webhook_outbox_drain.module_path)


class Boom(Exception):
    pass


def test_a_rolled_back_change_leaves_no_event_and_queues_nothing(
    partner, make_webhook, django_capture_on_commit_callbacks
):
    make_webhook()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        event_record(partner=partner, type=EventType.LETTER_CREATED, data=LETTER)
        assert WebhookEvent.objects.count() == 1  # visible inside the transaction
        raise Boom

    assert not WebhookEvent.objects.exists()
    assert callbacks == []
    assert not dispatch_tasks().exists()


def test_a_committed_change_has_its_event_and_its_dispatch_is_queued_on_commit(
    partner, make_webhook, django_capture_on_commit_callbacks
):
    make_webhook()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        event = event_record(partner=partner, type=EventType.LETTER_CREATED, data=LETTER)
        # Nothing is queued before the change commits.
        assert not dispatch_tasks().exists()
    assert len(callbacks) == 1
    callbacks[0]()

    stored = WebhookEvent.objects.get()
    assert stored == event
    assert stored.public_id.startswith("event_")
    assert (stored.partner, stored.type, stored.data) == (partner, "letter.created", LETTER)
    assert stored.live is False  # taken from the object's own `live`
    assert stored.dispatched_at is None
    (task,) = dispatch_tasks()
    assert task.status == "READY"

    # While that drain waits to start, more events do not queue another: it will see them.
    with django_capture_on_commit_callbacks(execute=True):
        event_record(partner=partner, type=EventType.LETTER_CREATED, data=LETTER)
    assert dispatch_tasks().count() == 1


def test_an_event_nobody_subscribed_to_is_kept_but_never_queued(
    partner, other_partner, make_webhook, django_capture_on_commit_callbacks
):
    make_webhook(partner=other_partner)  # another partner's webhook does not count
    make_webhook(enabled_events=[EventType.LETTER_UPDATED])  # nor one for another type
    make_webhook(live=True)  # nor a live webhook for a test-mode letter
    make_webhook(enabled=False)  # nor a disabled one
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = event_record(partner=partner, type=EventType.LETTER_CREATED, data=LETTER)

    assert event.dispatched_at is not None
    assert callbacks == []
    assert not dispatch_tasks().exists()


def test_an_unknown_event_type_is_refused(partner):
    with pytest.raises(ValueError, match="Unknown webhook event type"):
        event_record(partner=partner, type="letter.exploded", data=LETTER)
    assert not WebhookEvent.objects.exists()
