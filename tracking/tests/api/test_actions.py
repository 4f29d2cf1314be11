"""Retrack, mark-as-completed, last checkpoint and notifications, by id and by slug/number."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from tracking.choices import Subtag, Tag
from tracking.models import Shipment
from tracking.services.shipments import shipments_expire_stale
from tracking.tests.api.support import CODE_RETRACK, days_ago, error, ok, snapshot, url

EXPIRY = dt.timedelta(days=settings.TRACKING_EXPIRE_DAYS + 1)


@pytest.fixture
def shipment(make_shipment, add_checkpoint):
    shipment = make_shipment(now=days_ago(60), emails=["ann@example.com"], smses=["+18555072509"])
    add_checkpoint(shipment, when=days_ago(59), subtag=Subtag.IN_TRANSIT_002, message="Accepted")
    Shipment.objects.filter(pk=shipment.pk).update(
        tag=Tag.IN_TRANSIT, subtag=Subtag.IN_TRANSIT_002, last_event_at=days_ago(59)
    )
    shipment.refresh_from_db()
    return shipment


def expire_all(*, later_by: dt.timedelta = dt.timedelta(0)) -> int:
    return shipments_expire_stale(now=timezone.now() + later_by)


def paths(shipment, action: str) -> list[str]:
    return [
        url("trackings", shipment.public_id, action),
        url("trackings", shipment.slug, shipment.tracking_number, action),
    ]


# --- retrack -----------------------------------------------------------------------------------


def test_an_expired_tracking_is_retracked(api, shipment):
    assert expire_all() == 1
    shipment.refresh_from_db()
    assert (shipment.tag, shipment.active) == (Tag.EXPIRED, False)

    tracking = ok(api.post(url("trackings", shipment.public_id, "retrack")))["tracking"]

    assert tracking["id"] == shipment.public_id
    assert tracking["active"] is True
    assert (tracking["tag"], tracking["subtag"]) == ("InTransit", "InTransit_002")
    stored = Shipment.objects.get(pk=shipment.pk)
    assert stored.retrack_count == 1
    assert stored.next_check_at is not None
    assert stored.next_check_at <= timezone.now()
    assert Shipment.objects.due().filter(pk=shipment.pk).exists()


def test_retrack_by_slug_and_number(api, shipment):
    expire_all()
    ok(api.post(url("trackings", "usps", shipment.tracking_number, "retrack")))
    assert Shipment.objects.get(pk=shipment.pk).active is True


def test_a_tracking_is_retracked_at_most_three_times(api, shipment):
    for attempt in range(3):
        assert expire_all(later_by=EXPIRY * attempt) == 1
        ok(api.post(paths(shipment, "retrack")[attempt % 2]))
    assert expire_all(later_by=EXPIRY * 3) == 1
    before = snapshot(shipment)

    for path in paths(shipment, "retrack"):
        error(api.post(path), 400, code=CODE_RETRACK, says=("Retrack is not allowed", "3 times"))

    assert snapshot(shipment) == before
    assert before["row"]["retrack_count"] == 3


def test_retrack_keeps_what_others_stored_since_it_read(api, shipment, meanwhile):
    expire_all()
    news = {"title": "Edited by an agent", "note": "Call first", "tracked_count": 4}
    meanwhile(**news)

    ok(api.post(url("trackings", shipment.public_id, "retrack")))

    stored = Shipment.objects.get(pk=shipment.pk)
    assert (stored.active, stored.retrack_count) == (True, 1)
    assert {name: getattr(stored, name) for name in news} == news


def test_an_active_tracking_cannot_be_retracked(api, shipment):
    before = snapshot(shipment)

    for path in paths(shipment, "retrack"):
        meta = error(api.post(path), 400, code=CODE_RETRACK, says=("Retrack is not allowed",))
        assert meta["type"] == "BadRequest"

    assert snapshot(shipment) == before


def test_a_delivered_tracking_cannot_be_retracked(api, shipment):
    Shipment.objects.filter(pk=shipment.pk).update(
        tag=Tag.DELIVERED, subtag=Subtag.DELIVERED_001, active=False
    )
    before = snapshot(shipment)

    error(api.post(url("trackings", shipment.public_id, "retrack")), 400, code=CODE_RETRACK)

    assert snapshot(shipment) == before


def test_a_tracking_marked_completed_can_be_retracked(api, shipment):
    ok(api.post(url("trackings", shipment.public_id, "mark-as-completed"), {"reason": "LOST"}))

    tracking = ok(api.post(url("trackings", shipment.public_id, "retrack")))["tracking"]

    assert tracking["active"] is True
    assert tracking["tag"] == "InTransit"
    assert Shipment.objects.get(pk=shipment.pk).completed_reason == ""


# --- mark as completed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "tag", "subtag", "returned"),
    [
        ("DELIVERED", "Delivered", "Delivered_001", False),
        ("LOST", "Exception", "Exception_013", False),
        ("RETURNED_TO_SENDER", "Exception", "Exception_011", True),
    ],
)
def test_mark_as_completed(api, shipment, reason, tag, subtag, returned):
    for path in paths(shipment, "mark-as-completed"):
        tracking = ok(api.post(path, {"reason": reason}))["tracking"]

        assert (tracking["tag"], tracking["subtag"]) == (tag, subtag)
        assert tracking["subtag_message"] == Subtag(subtag).label
        assert tracking["active"] is False
        assert tracking["return_to_sender"] is returned
        assert tracking["emails"] == ["ann@example.com"]
        stored = Shipment.objects.get(pk=shipment.pk)
        assert stored.completed_reason == reason
        assert stored.next_check_at is None
        assert not Shipment.objects.due(now=timezone.now() + EXPIRY).filter(pk=shipment.pk)


def test_marking_completed_keeps_what_others_stored_since_it_read(api, shipment, meanwhile):
    news = {"tracked_count": 7, "last_checked_at": timezone.now(), "title": "Edited by an agent"}
    meanwhile(**news)

    ok(api.post(url("trackings", shipment.public_id, "mark-as-completed"), {"reason": "LOST"}))

    stored = Shipment.objects.get(pk=shipment.pk)
    assert (stored.tag, stored.subtag, stored.active) == ("Exception", "Exception_013", False)
    assert {name: getattr(stored, name) for name in news} == news


def test_marking_completed_queues_the_subscribers_message_once(
    api, shipment, django_capture_on_commit_callbacks
):
    path = url("trackings", shipment.public_id, "mark-as-completed")
    with django_capture_on_commit_callbacks() as queued:
        ok(api.post(path, {"reason": "DELIVERED"}))
    assert len(queued) == 1

    with django_capture_on_commit_callbacks() as queued_again:
        ok(api.post(path, {"reason": "DELIVERED"}))
    assert queued_again == []  # the tag did not change


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"reason": "STOLEN"}, ("reason", "STOLEN")),
        ({"reason": "delivered"}, ("reason",)),
        ({"reason": None}, ("reason", "null")),
        ({"reason": ["LOST"]}, ("reason",)),
        ({}, ("reason", "required")),
        (["DELIVERED"], ("reason", "required")),
        ("DELIVERED", ("reason", "required")),
    ],
)
def test_mark_as_completed_needs_a_known_reason(api, shipment, body, says):
    before = snapshot(shipment)

    error(api.post(url("trackings", shipment.public_id, "mark-as-completed"), body), 400, says=says)

    assert snapshot(shipment) == before


# --- last checkpoint ---------------------------------------------------------------------------


def test_last_checkpoint_is_the_latest_event(api, shipment, add_checkpoint):
    add_checkpoint(
        shipment,
        when=days_ago(1),
        subtag=Subtag.DELIVERED_001,
        message="Delivered, Front Door/Porch",
        city="DEAL",
        state="NJ",
        zip="07723",
        raw_tag="01",
        offset_minutes=-240,
    )
    add_checkpoint(shipment, when=days_ago(30), message="Inserted last, happened earlier")
    Shipment.objects.filter(pk=shipment.pk).update(
        tag=Tag.DELIVERED, subtag=Subtag.DELIVERED_001, subtag_message="Delivered"
    )

    for path in (
        url("last_checkpoint", shipment.public_id),
        url("last_checkpoint", "usps", shipment.tracking_number),
    ):
        data = ok(api.get(path))
        assert {k: v for k, v in data.items() if k != "checkpoint"} == {
            "id": shipment.public_id,
            "tracking_number": shipment.tracking_number,
            "slug": "usps",
            "tag": "Delivered",
            "subtag": "Delivered_001",
            "subtag_message": "Delivered",
        }
        checkpoint = data["checkpoint"]
        assert checkpoint["message"] == "Delivered, Front Door/Porch"
        assert (checkpoint["city"], checkpoint["state"], checkpoint["zip"]) == (
            "DEAL",
            "NJ",
            "07723",
        )
        assert checkpoint["checkpoint_time"].endswith("-04:00")
        assert (checkpoint["tag"], checkpoint["subtag"]) == ("Delivered", "Delivered_001")
        assert checkpoint["raw_tag"] == "01"


def test_last_checkpoint_fields_and_lang(api, shipment):
    data = ok(api.get(url("last_checkpoint", shipment.public_id), {"fields": "city,tag"}))
    assert data["checkpoint"] == {"city": None, "tag": "InTransit"}
    assert data["tracking_number"] == shipment.tracking_number

    data = ok(api.get(url("last_checkpoint", shipment.public_id), {"lang": "en"}))
    assert data["checkpoint"]["message"] == "Accepted"


def test_last_checkpoint_of_a_tracking_without_events_is_empty(api, make_shipment):
    fresh = make_shipment()
    data = ok(api.get(url("last_checkpoint", fresh.public_id), {"fields": "city"}))
    assert data["checkpoint"] == {}
    assert data["tag"] == "Pending"


def test_last_checkpoint_of_an_unknown_tracking_is_not_found(api):
    error(api.get(url("last_checkpoint", "x" * 24)), 404, code=4004)
    error(api.get(url("last_checkpoint", "usps", "9400111899223123456785")), 404, code=4004)


# --- notifications -----------------------------------------------------------------------------


def notification_paths(shipment, *action: str) -> list[str]:
    return [
        url("notifications", shipment.public_id, *action),
        url("notifications", "usps", shipment.tracking_number, *action),
    ]


def test_get_notifications(api, shipment):
    for path in notification_paths(shipment):
        assert ok(api.get(path)) == {
            "notification": {"emails": ["ann@example.com"], "smses": ["+18555072509"]}
        }


def test_add_notifications_merges_up_to_three_of_each(api, shipment):
    add_by_id, add_by_number = notification_paths(shipment, "add")

    data = ok(
        api.post(
            add_by_id,
            {"notification": {"emails": ["bob@example.com", "ann@example.com"], "smses": []}},
        )
    )
    assert data["notification"]["emails"] == ["ann@example.com", "bob@example.com"]
    data = ok(api.post(add_by_number, {"emails": ["cy@example.com"], "smses": ["+18555072501"]}))

    assert data == {
        "notification": {
            "emails": ["ann@example.com", "bob@example.com", "cy@example.com"],
            "smses": ["+18555072509", "+18555072501"],
        }
    }
    tracking = ok(api.get(url("trackings", shipment.public_id)))["tracking"]
    assert tracking["emails"] == data["notification"]["emails"]
    assert tracking["subscribed_smses"] == data["notification"]["smses"]


def test_a_fourth_address_is_refused_and_changes_nothing(api, shipment):
    ok(api.post(url("notifications", shipment.public_id, "add"), {"emails": ["b@example.com"]}))
    ok(api.post(url("notifications", shipment.public_id, "add"), {"emails": ["c@example.com"]}))
    before = snapshot(shipment)

    for path in notification_paths(shipment, "add"):
        error(
            api.post(path, {"emails": ["d@example.com"], "smses": ["+18555072501"]}),
            400,
            says=("emails", "3"),
        )

    assert snapshot(shipment) == before


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"emails": ["nope"]}, ("emails.0",)),
        ({"smses": ["call me"]}, ("smses.0",)),
        ({"emails": [f"{n}@example.com" for n in range(4)]}, ("emails",)),
        ({"notification": "ann@example.com"}, ("notification",)),
        ([], ("object",)),
    ],
)
def test_invalid_notification_changes_are_refused(api, shipment, body, says):
    before = snapshot(shipment)
    for action in ("add", "remove"):
        error(api.post(url("notifications", shipment.public_id, action), body), 400, says=says)
    assert snapshot(shipment) == before


def test_remove_notifications(api, shipment):
    remove_by_id, remove_by_number = notification_paths(shipment, "remove")

    data = ok(
        api.post(remove_by_id, {"notification": {"emails": ["ann@example.com", "x@example.com"]}})
    )
    assert data == {"notification": {"emails": [], "smses": ["+18555072509"]}}
    data = ok(api.post(remove_by_number, {"smses": ["+18555072509"]}))
    assert data == {"notification": {"emails": [], "smses": []}}
    assert not shipment.subscribers.exists()


def test_notification_paths_answer_only_their_methods(api, shipment):
    read, add = (
        url("notifications", shipment.public_id),
        url("notifications", shipment.public_id, "add"),
    )
    before = snapshot(shipment)

    error(api.post(read, {"emails": ["b@example.com"]}), 405)
    error(api.get(add), 405)
    error(api.delete(read), 405)

    assert snapshot(shipment) == before


# --- audit -------------------------------------------------------------------------------------


def test_partner_actions_leave_audit_records_naming_the_key(api, shipment):
    from shipdesk.audit import audit_for
    from shipdesk.models import AuditEvent

    expire_all()
    ok(api.post(url("trackings", shipment.public_id, "retrack")))
    ok(api.post(url("trackings", shipment.public_id, "mark-as-completed"), {"reason": "LOST"}))

    events = list(audit_for(shipment))
    assert [e.action for e in events] == ["shipment.mark_completed", "shipment.retrack"]
    assert {e.actor_kind for e in events} == {AuditEvent.ActorKind.API_KEY}
    assert events[0].detail == {"reason": "LOST"}
    assert shipment.partner.name in events[0].actor_label
