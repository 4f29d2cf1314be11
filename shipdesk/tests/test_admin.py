"""The managers' admin for API keys and the audit log, and the paginator that keeps big admin
lists from counting every row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shipdesk.audit import Actor, audit_record
from shipdesk.models import APIKey, AuditEvent
from shipdesk.paginators import LargeTablePaginator
from shipdesk.services import api_key_create
from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.lifecycle import shipment_mark_completed
from tracking.services.shipments import shipment_create

KEYS = "/admin/shipdesk/apikey/"
AUDIT = "/admin/shipdesk/auditevent/"


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


def messages_after(client, url) -> list[str]:
    return [str(m) for m in client.get(url).context["messages"]]


# API keys


def test_creating_a_key_in_admin_is_audited_without_the_secret(manager, manager_user, partner):
    manager.post(f"{KEYS}add/", {"partner": partner.pk, "name": "Shop", "rate_per_second": ""})

    key = APIKey.objects.get(name="Shop")
    event = AuditEvent.objects.get(action="api_key.create")
    assert (event.user, event.actor_label) == (manager_user, "max.manager")
    assert event.summary == f"Created API key Shop ({key.prefix}…)"
    assert [t.object_id for t in event.targets.all()] == [str(key.pk)]
    assert key.hashed_key not in str(event.detail) + event.summary


def test_revoking_keys_is_audited_once_per_key_and_reported(manager, manager_user, partner):
    live, _ = api_key_create(partner=partner, name="live")
    gone, _ = api_key_create(partner=partner, name="gone")
    manager.post(KEYS, {"action": "revoke", "_selected_action": [gone.pk]})
    messages_after(manager, KEYS)

    manager.post(KEYS, {"action": "revoke", "_selected_action": [live.pk, gone.pk]})

    assert messages_after(manager, KEYS) == ["Revoked 1 API key(s)."]
    live.refresh_from_db()
    assert live.revoked_at is not None
    revocations = AuditEvent.objects.filter(action="api_key.revoke", user=manager_user)
    assert sorted(e.targets.get().object_id for e in revocations) == sorted(
        [str(live.pk), str(gone.pk)]
    )


def test_a_key_is_revoked_from_its_page_after_a_confirmation(manager, manager_user, partner):
    key, _ = api_key_create(partner=partner, name="shop")
    change = f"{KEYS}{key.pk}/change/"
    revoke = f"{KEYS}{key.pk}/revoke/"
    assert f'href="{revoke}"' in manager.get(change).content.decode()

    confirm = manager.get(revoke)
    assert "Yes, revoke it" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None

    response = manager.post(revoke)

    assert response.status_code == 302 and response["Location"] == change
    page = manager.get(change)
    assert [str(m) for m in page.context["messages"]] == [
        f"Revoked shop ({key.prefix}…): requests with it are refused."
    ]
    assert f'href="{revoke}"' not in page.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEvent.objects.get(action="api_key.revoke").user == manager_user
    assert manager.get(f"{KEYS}999999/revoke/").status_code == 404


def test_staff_outside_managers_cannot_revoke_a_key(client, django_user_model, partner):
    clerk = django_user_model.objects.create_user("sam.staff", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename__endswith="_apikey"))
    client.force_login(clerk)
    key, _ = api_key_create(partner=partner, name="k")

    assert "Revoke selected API keys" not in client.get(KEYS).content.decode()
    assert "/revoke/" not in client.get(f"{KEYS}{key.pk}/change/").content.decode()
    client.post(KEYS, {"action": "revoke", "_selected_action": [key.pk]})
    assert messages_after(client, KEYS) == ["No action selected."]
    assert client.get(f"{KEYS}{key.pk}/revoke/").status_code == 403
    assert client.post(f"{KEYS}{key.pk}/revoke/").status_code == 403

    key.refresh_from_db()
    assert key.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_key.revoke").exists()


# The audit log


@pytest.fixture
def trail(partner, manager_user):
    shipment = shipment_create(
        partner=partner, tracking_number=with_impb_check_digit("940011189922300000001")
    )
    shipment_mark_completed(shipment=shipment, reason="LOST", actor=Actor.for_user(manager_user))
    key, _ = api_key_create(partner=partner, name="backend")
    audit_record(
        actor=Actor.for_key(key),
        action="shipment.update",
        summary="Updated by the shop",
        targets=[shipment],
    )
    return shipment


def results(client, **params) -> list[str]:
    response = client.get(AUDIT, params)
    assert response.status_code == 200
    return [e.summary for e in response.context["cl"].result_list]


def test_the_audit_log_filters_by_actor_kind_action_date_and_object(manager, trail):
    assert results(manager, actor_kind__exact="api_key") == ["Updated by the shop"]
    assert results(manager, action="shipment.mark_completed") == [
        f"Marked {trail} completed as Lost"
    ]
    assert (
        len(results(manager, created_at__gte="2000-01-01 00:00:00+00:00")) == 3
    )  # two + the key's creation
    assert results(manager, created_at__lt="2000-01-01 00:00:00+00:00") == []
    assert results(manager, target=f"tracking.shipment:{trail.pk}") == [
        "Updated by the shop",
        f"Marked {trail} completed as Lost",
    ]


def test_the_audit_log_searches_actor_labels_and_summaries(manager, trail):
    assert results(manager, q="max.manager") == [f"Marked {trail} completed as Lost"]
    assert results(manager, q="by the shop") == ["Updated by the shop"]


def test_an_audit_event_shows_its_targets_linked_and_cannot_be_changed(manager, trail):
    event = AuditEvent.objects.get(action="shipment.mark_completed")

    page = manager.get(f"{AUDIT}{event.pk}/change/").content.decode()

    assert f'<a href="/admin/tracking/shipment/{trail.pk}/change/">{trail}</a>' in page
    assert 'name="_save"' not in page
    assert manager.get(f"{AUDIT}add/").status_code == 403
    assert manager.post(f"{AUDIT}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert manager.post(f"{AUDIT}{event.pk}/change/", {"summary": "rewritten"}).status_code == 403
    event.refresh_from_db()
    assert event.summary == f"Marked {trail} completed as Lost"


def test_the_audit_log_never_counts_the_whole_table(manager, trail):
    with CaptureQueriesContext(connection) as queries:
        manager.get(AUDIT)

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert all("LIMIT" in sql.upper() for sql in counts)


# The paginator


def shipments(partner, count):
    for i in range(count):
        shipment_create(
            partner=partner, tracking_number=with_impb_check_digit(f"9400111899223{i:08d}")
        )
    return Shipment.objects.order_by("-id")


def test_a_small_table_is_counted_exactly(partner):
    paginator = LargeTablePaginator(shipments(partner, 7), 3)

    assert (paginator.count, paginator.num_pages, paginator.count_kind) == (7, 3, "")


def test_past_the_cap_the_count_stops_at_the_cap(partner, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "count_cap", 5)
    qs = shipments(partner, 7)

    with CaptureQueriesContext(connection) as queries:
        paginator = LargeTablePaginator(qs.filter(active=True), 2)
        assert (paginator.count, paginator.count_kind) == (5, "capped")
    assert len(queries.captured_queries) == 1
    assert "LIMIT 6" in queries.captured_queries[0]["sql"].upper()
    assert [s.pk for s in paginator.page(3).object_list] == [qs[4].pk]


def test_an_unfiltered_big_table_uses_the_planners_estimate_on_postgresql(partner, monkeypatch):
    """On PostgreSQL the row estimate of pg_class answers for an unfiltered list; elsewhere
    (SQLite) the capped count does."""
    monkeypatch.setattr(LargeTablePaginator, "estimate_from", 5)
    qs = shipments(partner, 7)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE tracking_shipment")

    paginator = LargeTablePaginator(qs, 2)

    if connection.vendor == "postgresql":
        assert (paginator.count, paginator.count_kind) == (7, "estimate")
    else:
        assert (paginator.count, paginator.count_kind) == (7, "")
    # A filter always counts (capped), even on PostgreSQL.
    filtered = LargeTablePaginator(qs.filter(customer_name=""), 2)
    assert (filtered.count, filtered.count_kind) == (7, "")
