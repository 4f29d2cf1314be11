"""The shipment page and its actions through Django's test client."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from shipdesk.audit import Actor, audit_for, audit_record
from shipdesk.models import AuditEvent
from tracking.choices import Subtag, Tag
from tracking.models import Shipment
from tracking.services.lifecycle import shipment_mark_completed
from tracking.tests.workspace.support import text
from tracking.zones import MINUS

pytestmark = pytest.mark.django_db

NOV_20_1405_CST = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)


def detail_url(shipment: Shipment) -> str:
    return reverse("shipment-detail", args=[shipment.public_id])


def retrack_url(shipment: Shipment) -> str:
    return reverse("shipment-retrack", args=[shipment.public_id])


def complete_url(shipment: Shipment) -> str:
    return reverse("shipment-complete", args=[shipment.public_id])


@pytest.fixture
def expired(make_shipment, add_checkpoint):
    """An expired shipment to Chicago, retrackable."""
    shipment = make_shipment(
        destination_state="IL",
        destination_city="CHICAGO",
        status={"tag": Tag.EXPIRED, "subtag": Subtag.EXPIRED_001, "active": False},
    )
    add_checkpoint(shipment, when=NOV_20_1405_CST, message="Arrived at Post Office")
    return shipment


# What the page shows


def test_the_page_shows_status_dates_customer_order_timeline_and_carrier_error(
    agent_client, make_shipment, add_checkpoint, other_partner
):
    shipment = make_shipment(
        owner=other_partner,  # agents are the business's staff: every partner's shipments
        customer_name="Grace Hopper",
        emails=["grace@example.com"],
        smses=["+13125550100"],
        order_id="ord_981",
        order_number="#1042",
        title="Blue teapot",
        note="Leave with the neighbour",
        order_promised_delivery_date=date(2026, 11, 21),
        destination_state="IL",
        status={
            "tag": Tag.OUT_FOR_DELIVERY,
            "subtag": Subtag.OUT_FOR_DELIVERY_001,
            "subtag_message": "Out for delivery today",
            "expected_delivery": date(2026, 11, 21),
            "estimated_delivery_date": date(2026, 11, 22),
            "estimated_delivery_date_min": date(2026, 11, 21),
            "estimated_delivery_date_max": date(2026, 11, 24),
            "estimated_delivery_confidence": 10001,
            "on_time_status": "trending-late",
            "on_time_difference": 1,
            "last_error": "USPS answered 503 Service Unavailable",
            "last_error_at": datetime(2026, 11, 21, 15, 30, tzinfo=UTC),
        },
    )
    add_checkpoint(shipment, when=NOV_20_1405_CST, message="Arrived at Post Office")
    add_checkpoint(
        shipment,
        when=NOV_20_1405_CST + timedelta(hours=18),
        subtag=Subtag.OUT_FOR_DELIVERY_001,
        message="Out for Delivery",
    )
    add_checkpoint(
        shipment,
        when=datetime(2026, 7, 3, 13, 0, tzinfo=UTC),
        offset_minutes=-300,
        message="Shipping Label Created",
    )

    response = agent_client.get(detail_url(shipment))

    assert response.status_code == 200
    page = text(response)
    assert f"USPS {shipment.tracking_number}" in page
    assert "Out for delivery Out for delivery today" in page
    assert "Carrier's expected delivery Sat, Nov 21, 2026" in page
    assert "shipdesk's estimate Sun, Nov 22, 2026 (between Nov 21 and Nov 24) high confidence" in (
        page
    )
    assert "Promised delivery Sat, Nov 21, 2026" in page
    assert "On time Trending late, 1 day after the promised date" in page
    # Newest first, each in the event's own zone: CST in November, CDT in July.
    assert re.search(
        rf"Nov 21, 2026 08:05 CST \(UTC{MINUS}06:00\) Out for Delivery CHICAGO, IL 60607"
        rf".*Nov 20, 2026 14:05 CST \(UTC{MINUS}06:00\) Arrived at Post Office"
        rf".*Jul 3, 2026 08:00 CDT \(UTC{MINUS}05:00\) Shipping Label Created",
        page,
    ), page
    for shown in (
        "Customer Grace Hopper",
        "E-mails subscribed grace@example.com",
        "Phones subscribed +13125550100",
        "Order id ord_981",
        "Order number #1042",
        "Title Blue teapot",
        "Note Leave with the neighbour",
        "Partner Globex Mail",
    ):
        assert shown in page
    # The carrier error, at the destination's (Chicago's) time.
    assert (
        "Carrier error USPS answered 503 Service Unavailable Last seen Nov 21, 2026 09:30 CST"
        in (page)
    )


def test_an_offset_in_no_known_state_is_shown_as_the_offset_alone(
    agent_client, make_shipment, add_checkpoint
):
    shipment = make_shipment()
    add_checkpoint(shipment, when=NOV_20_1405_CST, offset_minutes=330, state="", city="MUMBAI")
    add_checkpoint(shipment, when=NOV_20_1405_CST, offset_minutes=-300, state="IL")

    page = text(agent_client.get(detail_url(shipment)))

    assert "Nov 21, 2026 01:35 (UTC+05:30) Arrived" in page
    # -05:00 is not Chicago's offset in November: no zone name is made up.
    assert f"Nov 20, 2026 15:05 (UTC{MINUS}05:00) Arrived" in page


def test_a_shipment_without_checkpoints_says_so(agent_client, make_shipment):
    page = text(agent_client.get(detail_url(make_shipment())))

    assert "The carrier has reported no checkpoint yet." in page
    assert "Carrier error" not in page


def test_an_unknown_shipment_is_not_found(agent_client):
    assert agent_client.get("/shipments/nosuchshipment000000000000/").status_code == 404
    assert agent_client.post("/shipments/nosuchshipment000000000000/retrack/").status_code == 404


# Who may see it


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, expired):
    for url in (detail_url(expired), retrack_url(expired)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


def test_a_user_without_a_role_is_refused(client, django_user_model, expired):
    client.force_login(django_user_model.objects.create_user("visitor"))

    assert client.get(detail_url(expired)).status_code == 403
    assert client.post(retrack_url(expired)).status_code == 403


# Retrack


def test_retrack_asks_for_confirmation_and_a_get_changes_nothing(agent_client, expired):
    response = agent_client.get(retrack_url(expired))

    assert response.status_code == 200
    page = text(response)
    assert f"Retrack {expired}?" in page
    assert "this one has been retracked 0 times" in page
    expired.refresh_from_db()
    assert (expired.active, expired.retrack_count) == (False, 0)
    assert not audit_for(expired).exists()


def test_an_agent_retracks_through_the_confirmation(agent_client, agent_user, expired):
    response = agent_client.post(retrack_url(expired), follow=True)

    assert response.redirect_chain == [(detail_url(expired), 302)]
    page = text(response)
    assert f"{expired} is tracked again (1 of 3 retracks used)" in page
    expired.refresh_from_db()
    assert (expired.active, expired.retrack_count) == (True, 1)
    event = audit_for(expired).get()
    assert (event.action, event.user, event.actor_label) == (
        "shipment.retrack",
        agent_user,
        "ada.agent",
    )
    # The record is on the page: who, what.
    assert f"ada.agent (person) Retracked {expired} (1 of 3)" in page
    # A tracked shipment offers no retrack.
    assert "Retrack…" not in page


def test_a_refused_retrack_says_why_and_changes_nothing(agent_client, make_shipment):
    active = make_shipment()
    used_up = make_shipment(status={"tag": Tag.EXPIRED, "active": False, "retrack_count": 3})

    page = text(agent_client.post(retrack_url(active), follow=True))
    assert f"{active} was not retracked. Retrack is not allowed. You can only retrack an " in page

    page = text(agent_client.post(retrack_url(used_up), follow=True))
    assert "A tracking can be retracked at most 3 times." in page
    used_up.refresh_from_db()
    assert (used_up.active, used_up.retrack_count) == (False, 3)
    assert not AuditEvent.objects.filter(action="shipment.retrack").exists()


def test_a_delivered_shipment_offers_no_retrack_and_says_why(agent_client, make_shipment):
    delivered = make_shipment(status={"tag": Tag.DELIVERED, "active": False})
    used_up = make_shipment(status={"tag": Tag.EXPIRED, "active": False, "retrack_count": 3})

    page = text(agent_client.get(detail_url(delivered)))
    assert "Retrack…" not in page
    assert "Not checked with the carrier any more. Retrack is not allowed. The tracking is " in page
    page = text(agent_client.get(detail_url(used_up)))
    assert "Retrack…" not in page and "retracked at most 3 times" in page


def test_a_checkpoint_past_retention_says_its_detail_was_removed(agent_client, expired):
    expired.checkpoints.all().purge_detail(now=NOV_20_1405_CST + timedelta(days=31))

    page = text(agent_client.get(detail_url(expired)))
    assert "Arrived at Post Office" not in page
    assert "Detail removed on Dec 21, 2026, after the retention period." in page


# Mark completed (managers only)


def test_an_agent_neither_sees_nor_may_mark_completed(agent_client, expired):
    page = text(agent_client.get(detail_url(expired)))
    assert "Mark completed" not in page

    assert agent_client.get(complete_url(expired) + "?reason=LOST").status_code == 403
    response = agent_client.post(complete_url(expired), {"reason": "LOST"})

    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()
    expired.refresh_from_db()
    assert (expired.tag, expired.completed_reason) == (Tag.EXPIRED, "")
    assert not audit_for(expired).exists()


def test_a_manager_marks_completed_after_choosing_the_reason(
    manager_client, manager_user, make_shipment
):
    shipment = make_shipment(destination_state="IL")

    page = text(manager_client.get(detail_url(shipment)))
    assert "Mark completed as Delivered Lost Returned to sender Mark completed…" in page
    confirm = manager_client.get(complete_url(shipment), {"reason": "LOST"})
    assert confirm.status_code == 200
    assert f"Mark {shipment} completed?" in text(confirm)
    assertContains(
        confirm,
        '<input type="radio" name="reason" value="LOST" id="id_reason_1" required checked>',
        html=True,
    )
    shipment.refresh_from_db()
    assert shipment.active and not shipment.completed_reason

    response = manager_client.post(complete_url(shipment), {"reason": "LOST"}, follow=True)

    page = text(response)
    assert f"{shipment} is marked completed as lost." in page
    shipment.refresh_from_db()
    assert (shipment.tag, shipment.subtag, shipment.active) == (
        Tag.EXCEPTION,
        Subtag.EXCEPTION_013,
        False,
    )
    event = audit_for(shipment).get()
    assert (event.action, event.user, event.detail) == (
        "shipment.mark_completed",
        manager_user,
        {"reason": "LOST"},
    )
    assert f"max.manager (person) Marked {shipment} completed as Lost" in page
    assert "Shipment lost · no longer checked with the carrier (marked completed as lost)" in page


def test_mark_completed_with_no_or_a_bad_reason_changes_nothing(manager_client, make_shipment):
    shipment = make_shipment()

    for data in ({}, {"reason": "STOLEN"}):
        response = manager_client.post(complete_url(shipment), data)
        assert response.status_code == 400
        assert f"Mark {shipment} completed?" in text(response)
    assert "Select a valid choice. STOLEN is not one of the available choices." in text(response)
    shipment.refresh_from_db()
    assert shipment.active and not shipment.completed_reason
    assert not audit_for(shipment).exists()


# The audit trail


def test_the_page_lists_who_changed_the_shipment_newest_first_in_its_time_zone(
    agent_client, manager_user, expired
):
    partner_key = Actor(AuditEvent.ActorKind.API_KEY, "Acme Parcels key sk_1234…")
    event = audit_record(
        actor=partner_key,
        action="shipment.update",
        summary=f"Updated {expired}: title",
        targets=[expired],
    )
    AuditEvent.objects.filter(pk=event.pk).update(created_at=NOV_20_1405_CST)
    shipment_mark_completed(
        shipment=expired, reason="RETURNED_TO_SENDER", actor=Actor.for_user(manager_user)
    )

    page = text(agent_client.get(detail_url(expired)))

    assert re.search(
        rf"When Who What .* max\.manager \(person\) Marked {expired} completed as "
        rf"Returned to sender Nov 20, 2026 14:05 CST Acme Parcels key sk_1234… "
        rf"\(partner api key\) Updated {expired}: title",
        page,
    ), page
    assert "Times are in the shipment's time zone (America/Chicago)" in page


# Queries


@pytest.mark.parametrize("checkpoints", [2, 50])
def test_the_page_takes_the_same_queries_whatever_the_number_of_checkpoints(
    agent_client, expired, add_checkpoint, manager_user, django_assert_num_queries, checkpoints
):
    for i in range(checkpoints - 1):
        add_checkpoint(expired, when=NOV_20_1405_CST - timedelta(hours=i + 1))
    for _ in range(3):
        shipment_mark_completed(shipment=expired, reason="LOST", actor=Actor.for_user(manager_user))

    # session, user, groups, shipment + partner, checkpoints, subscribers, labels, audit
    # records, proof-of-delivery requests
    with django_assert_num_queries(9):
        response = agent_client.get(detail_url(expired))

    assert len(response.context["checkpoints"]) == checkpoints
    assert len(response.context["audit_events"]) == 3


def test_the_page_shows_the_latest_twenty_changes(agent_client, manager_user, expired):
    for _ in range(21):
        shipment_mark_completed(shipment=expired, reason="LOST", actor=Actor.for_user(manager_user))

    response = agent_client.get(detail_url(expired))

    assert len(response.context["audit_events"]) == 20
    assert "The latest 20 changes are shown." in text(response)


def test_times_follow_the_desk_zone_when_the_shipment_has_no_place(
    agent_client, make_shipment, settings
):
    settings.TIME_ZONE = "Europe/Paris"
    shipment = make_shipment(status={"created_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC)})

    page = text(agent_client.get(detail_url(shipment)))

    assert "Added Jan 5, 2026 10:00 CET" in page
