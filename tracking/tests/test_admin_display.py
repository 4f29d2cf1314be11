"""What managers read in the shipment admin: reasons by their labels ("Lost", not LOST) and
times in the desk's time zone (settings.TIME_ZONE)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shipdesk.audit import Actor
from shipdesk.models import AuditEvent
from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.bulk import shipments_mark_completed
from tracking.services.shipments import shipment_create


@pytest.fixture
def lost(partner, manager_user):
    shipment = shipment_create(
        partner=partner, tracking_number=with_impb_check_digit("9400111899223000000001")
    )
    shipments_mark_completed(
        shipments=Shipment.objects.filter(pk=shipment.pk),
        reason="LOST",
        actor=Actor.for_user(manager_user),
    )
    return shipment


def test_the_completed_reason_reads_lost_in_the_audit_and_on_the_page(
    manager_client, lost, django_assert_max_num_queries
):
    summaries = list(AuditEvent.objects.values_list("summary", flat=True))
    assert all("LOST" not in s for s in summaries), summaries
    assert any(s.startswith("Marked completed as Lost:") for s in summaries), summaries
    with django_assert_max_num_queries(20):
        page = manager_client.get(f"/admin/tracking/shipment/{lost.pk}/change/").content.decode()
    assert "completed as Lost" in page and "as LOST" not in page
    audit = manager_client.get("/admin/shipdesk/auditevent/").content.decode()
    assert "as Lost" in audit and "as LOST" not in audit


def test_admin_times_are_in_the_desks_time_zone(manager_client, lost, settings):
    settings.TIME_ZONE = "America/Chicago"
    when = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)  # 14:05 in Chicago
    Shipment.objects.filter(pk=lost.pk).update(last_checked_at=when)
    AuditEvent.objects.update(created_at=when)
    page = manager_client.get(f"/admin/tracking/shipment/{lost.pk}/change/").content.decode()
    # "Last checked" (Django's own display) and the audit trail alike, saying the zone.
    assert page.count("Nov 20, 2026 14:05 CST") >= 2, page
    assert "20:05" not in page and "p.m." not in page
