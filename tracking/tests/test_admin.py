"""The managers' shipment admin through Django's test client: bulk actions with their
intermediate pages, refusals, audit records, roles, CSV export, search and the cost of a page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shipdesk.models import AuditEvent
from shipdesk.paginators import LargeTablePaginator
from tracking.admin import ShipmentAdmin
from tracking.choices import Subtag, Tag
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.shipments import shipment_create

CHANGELIST = "/admin/tracking/shipment/"


def number(i: int) -> str:
    return with_impb_check_digit(f"9400111899223{i:08d}")


def spaced(tracking_number: str) -> str:
    """The number as a caller reads it out: in groups of four."""
    return " ".join(tracking_number[i : i + 4] for i in range(0, len(tracking_number), 4))


@pytest.fixture
def make(partner):
    def make(i: int, **fields) -> Shipment:
        return shipment_create(partner=partner, tracking_number=number(i), **fields)

    return make


@pytest.fixture
def three(make):
    return [
        make(1, customer_name="Ada Lovelace", emails=["ada@example.com"]),
        make(2, customer_name="Grace Hopper"),
        make(3, customer_name="Alan Turing"),
    ]


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


def expire(shipment: Shipment, **fields) -> Shipment:
    """An expired shipment: inactive, tracking stopped, not completed by anyone."""
    Shipment.objects.filter(pk=shipment.pk).update(
        active=False, tag=Tag.EXPIRED, subtag=Subtag.EXPIRED_001, next_check_at=None, **fields
    )
    shipment.refresh_from_db()
    return shipment


def run(client, action, shipments, **data):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [s.pk for s in shipments], **data},
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client) -> list[str]:
    return messages_of(client.get(CHANGELIST))


# Mark completed…


def test_mark_completed_first_shows_the_reasons_and_the_count(manager, three):
    response = run(manager, "mark_completed", three)

    assert response.status_code == 200
    assert "admin/tracking/shipment/action_confirmation.html" in [
        t.name for t in response.templates
    ]
    page = response.content.decode()
    for reason in ("DELIVERED", "LOST", "RETURNED_TO_SENDER"):
        assert f'value="{reason}"' in page
    assert "Mark <strong>3</strong> shipments completed" in page
    assert 'value="Mark 3 completed"' in page
    for shipment in three:
        assert shipment.tracking_number in page
        assert f'name="_selected_action" value="{shipment.pk}"' in page
    # Nothing happens before the manager confirms.
    assert not Shipment.objects.filter(active=False).exists()
    assert not AuditEvent.objects.exists()


def test_confirming_marks_each_shipment_and_audits_who_did_what_to_which(
    manager, manager_user, three, make
):
    untouched = make(4)

    response = run(manager, "mark_completed", three, apply="yes", reason="LOST")

    assert response.status_code == 302
    assert follow_messages(manager) == ["3 marked completed as Lost"]
    for shipment in three:
        shipment.refresh_from_db()
        assert (shipment.tag, shipment.subtag) == (Tag.EXCEPTION, Subtag.EXCEPTION_013)
        assert (shipment.active, shipment.completed_reason) == (False, "LOST")
    untouched.refresh_from_db()
    assert untouched.active

    events = AuditEvent.objects.filter(user=manager_user)
    per_shipment = events.filter(action="shipment.mark_completed")
    assert per_shipment.count() == 3
    assert {e.targets.get().object_id for e in per_shipment} == {str(s.pk) for s in three}
    assert all(e.actor_label == "max.manager" for e in events)
    assert all(e.detail == {"reason": "LOST"} for e in per_shipment)
    summary = events.get(action="admin.mark_completed")
    assert summary.actor_kind == AuditEvent.ActorKind.USER
    assert sorted(t.object_id for t in summary.targets.all()) == sorted(str(s.pk) for s in three)
    assert summary.detail == {"reason": "LOST", "changed": 3, "refused": []}


def test_confirming_without_a_reason_asks_again_and_changes_nothing(manager, three):
    response = run(manager, "mark_completed", three, apply="yes", reason="MISLAID")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Shipment.objects.filter(active=False).exists()
    assert not AuditEvent.objects.exists()


def test_a_shipment_already_completed_for_that_reason_is_refused_and_named(manager, three):
    run(manager, "mark_completed", three[:1], apply="yes", reason="DELIVERED")
    manager.get(CHANGELIST)  # read the first report

    run(manager, "mark_completed", three, apply="yes", reason="DELIVERED")

    assert follow_messages(manager) == [
        f"2 marked completed as Delivered; 1 refused: {three[0].tracking_number} "
        "was already completed for that reason"
    ]
    assert AuditEvent.objects.filter(action="shipment.mark_completed").count() == 3


def test_the_intermediate_page_keeps_the_changelist_filters(manager, three):
    response = manager.post(
        f"{CHANGELIST}?q=Hopper",
        {"action": "mark_completed", "_selected_action": [three[1].pk]},
    )

    assert 'href="/admin/tracking/shipment/?q=Hopper"' in response.content.decode()


def test_a_selection_past_the_bulk_limit_is_refused_whole(manager, three, monkeypatch):
    monkeypatch.setattr("tracking.services.bulk.MAX_BULK", 2)
    everything = {"select_across": "1", "_selected_action": [three[0].pk]}

    for action, data in (("mark_completed", {}), ("retrack", {"apply": "yes"})):
        response = manager.post(CHANGELIST, {"action": action, **everything, **data})
        assert response.status_code == 302
        assert follow_messages(manager) == ["Select at most 2 shipments for one action."]
    assert not AuditEvent.objects.exists()


# Retrack…


def test_retrack_reports_how_many_changed_and_why_others_were_refused(manager, manager_user, three):
    expired, limit_reached, active = three
    expire(expired)
    expire(limit_reached, retrack_count=3)

    confirm = run(manager, "retrack", three)
    assert "Retrack <strong>3</strong> shipments" in confirm.content.decode()
    assert not AuditEvent.objects.exists()

    run(manager, "retrack", three, apply="yes")

    assert follow_messages(manager) == [
        f"1 retracked; 2 refused: {limit_reached.tracking_number} already retracked 3 times; "
        f"{active.tracking_number} is still active (only expired or completed shipments are "
        "retracked)"
    ]
    expired.refresh_from_db()
    assert (expired.active, expired.retrack_count) == (True, 1)
    limit_reached.refresh_from_db()
    assert (limit_reached.active, limit_reached.retrack_count) == (False, 3)
    retracks = AuditEvent.objects.filter(action="shipment.retrack", user=manager_user)
    assert [e.targets.get().object_id for e in retracks] == [str(expired.pk)]
    summary = AuditEvent.objects.get(action="admin.retrack")
    assert [t.object_id for t in summary.targets.all()] == [str(expired.pk)]
    assert [r["code"] for r in summary.detail["refused"]] == ["retrack_limit", "retrack_active"]


# Export selected as CSV


def test_export_streams_the_selected_shipments_with_offset_times(
    manager, manager_user, three, make
):
    make(4)  # not selected
    delivered = three[0]
    Shipment.objects.filter(pk=delivered.pk).update(
        shipment_delivery_date=datetime(2026, 11, 20, 19, 5, tzinfo=UTC),
        shipment_delivery_offset=-300,
        order_promised_delivery_date="2026-11-21",
    )

    response = run(manager, "export_csv", three)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(
        r'attachment; filename="shipments-\d{8}-\d{6}\.csv"', response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["tracking_number"] for r in rows} == {s.tracking_number for s in three}
    first = next(r for r in rows if r["tracking_number"] == delivered.tracking_number)
    assert first["partner"] == "Acme Parcels"
    assert first["customer_name"] == "Ada Lovelace"
    assert first["emails"] == "ada@example.com"
    assert first["delivered_at"] == "2026-11-20T14:05:00-05:00"
    assert first["promised_delivery_date"] == "2026-11-21"
    for row in rows:
        created = datetime.fromisoformat(row["created_at"])
        assert created.utcoffset() == timedelta(0)
        assert row["public_id"] and row["status"] == "Pending" and row["active"] == "yes"

    event = AuditEvent.objects.get(action="admin.export")
    assert event.user == manager_user
    assert event.summary == "Exported 3 shipment(s) as CSV"
    assert sorted(t.object_id for t in event.targets.all()) == sorted(str(s.pk) for s in three)


def test_export_neutralises_cells_a_spreadsheet_would_run(manager, make):
    shipment = make(1, customer_name="=HYPERLINK(1)")

    response = run(manager, "export_csv", [shipment])

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["customer_name"] == "'=HYPERLINK(1)"


# Only Managers


@pytest.fixture
def staff_clerk(client, django_user_model):
    """Staff with every shipment permission, but not in the Managers group."""
    user = django_user_model.objects.create_user("sam.staff", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type=ContentType.objects.get_for_model(Shipment))
    )
    client.force_login(user)
    return client


def test_staff_outside_managers_is_not_offered_the_actions(staff_clerk, three):
    page = staff_clerk.get(CHANGELIST)

    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Mark completed…", "Retrack…", "Export selected as CSV"):
        assert label not in html


@pytest.mark.parametrize(
    "action, data",
    [
        ("mark_completed", {"apply": "yes", "reason": "LOST"}),
        ("retrack", {"apply": "yes"}),
        ("export_csv", {}),
    ],
)
def test_a_forged_action_from_staff_outside_managers_is_refused(staff_clerk, three, action, data):
    for shipment in three:
        expire(shipment)

    response = run(staff_clerk, action, three, **data)

    # No action is offered, so the POST only shows the list again.
    assert response.status_code == 200
    assert response.context["cl"].model_admin.get_actions(response.wsgi_request) == {}
    assert Shipment.objects.filter(active=False, completed_reason="").count() == 3
    assert Shipment.objects.filter(retrack_count=0).count() == 3
    assert not AuditEvent.objects.exists()


def test_an_agent_cannot_open_the_admin(client, agent_user):
    client.force_login(agent_user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Search, like the workspace's


def test_search_finds_a_tracking_number_typed_with_spaces_and_dashes(manager, three):
    target = three[1]

    for typed in (
        spaced(target.tracking_number),
        spaced(target.tracking_number[:-1]).replace(" ", "-"),  # a prefix, with dashes
    ):
        response = manager.get(CHANGELIST, {"q": typed})
        found = [s.pk for s in response.context["cl"].result_list]
        assert found == [target.pk], typed


def test_search_finds_an_email_and_a_customer_name(manager, three):
    for typed, expected in (("ADA@example.com", three[0]), ("alan tur", three[2])):
        response = manager.get(CHANGELIST, {"q": typed})
        assert [s.pk for s in response.context["cl"].result_list] == [expected.pk]


# The cost of a page


def changelist_queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_the_changelist_costs_the_same_queries_whatever_the_rows_and_page_size(
    manager, make, monkeypatch, django_assert_max_num_queries
):
    for i in range(3):
        make(i)
    few = len(changelist_queries(manager))
    for i in range(3, 60):
        make(i, customer_name=f"Customer {i}")

    for per_page in (5, 20, 100):
        monkeypatch.setattr(ShipmentAdmin, "list_per_page", per_page)
        with django_assert_max_num_queries(few):
            response = manager.get(CHANGELIST)
        assert len(response.context["cl"].result_list) == min(per_page, 60)


def test_the_changelist_never_counts_the_whole_table(manager, make):
    for i in range(5):
        make(i)

    for params in ({}, {"q": "Lovelace"}, {"tag__exact": "Pending"}, {"p": "1"}, {"_facets": "1"}):
        counts = [sql for sql in changelist_queries(manager, **params) if "COUNT(" in sql.upper()]
        assert counts, params
        for sql in counts:
            assert "LIMIT" in sql.upper(), sql  # SELECT COUNT(*) FROM (SELECT … LIMIT 10001)


def test_past_the_count_cap_the_list_says_more_than(manager, make, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "count_cap", 4)
    for i in range(6):
        make(i)

    page = manager.get(CHANGELIST).content.decode()

    assert "more than 4 shipments" in page


# The change page


def add_checkpoints(shipment: Shipment, count: int) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    Checkpoint.objects.bulk_create(
        Checkpoint(
            shipment=shipment,
            event_key=f"k{i}",
            checkpoint_time=start + timedelta(minutes=i),
            utc_offset_minutes=-360,
            message=f"Event {i}",
            tag=Tag.IN_TRANSIT,
            subtag=Subtag.IN_TRANSIT_001,
            subtag_message="In transit",
        )
        for i in range(count)
    )


def change_page(client, shipment):
    return client.get(f"{CHANGELIST}{shipment.pk}/change/")


def test_the_change_page_shows_the_newest_checkpoints_first_and_links_to_all(manager, make):
    shipment = make(1)
    add_checkpoints(shipment, 120)

    page = change_page(manager, shipment).content.decode()

    shown = re.findall(r'class="field-message">\s*<p>Event (\d+)</p>', page)
    assert shown == [str(i) for i in range(119, 69, -1)]
    assert "2026-10-31 19:59-06:00" in page  # Event 119 at 01:59 UTC, in the event's zone
    assert f'/admin/tracking/checkpoint/?shipment={shipment.pk}"' in page
    every = manager.get("/admin/tracking/checkpoint/", {"shipment": shipment.pk, "all": ""})
    assert len(every.context["cl"].result_list) == 120
    other = make(2)
    add_checkpoints(other, 1)
    assert (
        manager.get("/admin/tracking/checkpoint/", {"shipment": other.pk})
        .context["cl"]
        .result_list[0]
        .shipment
        == other
    )


def test_the_change_page_costs_the_same_queries_for_3_or_2000_checkpoints(
    manager, make, django_assert_max_num_queries
):
    small, big = make(1), make(2)
    add_checkpoints(small, 3)
    with CaptureQueriesContext(connection) as queries:
        change_page(manager, small)
    add_checkpoints(big, 2000)

    with django_assert_max_num_queries(len(queries.captured_queries)):
        assert change_page(manager, big).status_code == 200


def test_the_change_page_shows_the_shipments_audit_trail(manager, three):
    expire(three[0])
    run(manager, "retrack", three[:1], apply="yes")

    page = change_page(manager, three[0]).content.decode()

    assert "Audit trail" in page
    assert f"Retracked {three[0]} (1 of 3)" in page
    assert f"/admin/shipdesk/auditevent/?target=tracking.shipment:{three[0].pk}" in page
    trail = manager.get(f"/admin/shipdesk/auditevent/?target=tracking.shipment:{three[0].pk}")
    assert {e.action for e in trail.context["cl"].result_list} == {
        "shipment.retrack",
        "admin.retrack",
    }


# Adding, changing and deleting by hand go through the services


class FormReader(HTMLParser):
    """What a browser would submit from a page's forms: inputs, selected options, textareas."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio"):
                self.data[name] = a.get("value") or ""
            elif "checked" in a:
                self.data[name] = a.get("value") or "on"
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += (
                data.removeprefix("\n") if not self.data[self._textarea] else data
            )


def submitted(client, url, **changes) -> dict:
    reader = FormReader()
    reader.feed(client.get(url).content.decode())
    reader.data.pop("q", None)
    return {**reader.data, **changes}


def test_a_shipment_added_by_hand_is_normalised_and_scheduled_for_tracking(manager, partner):
    typed = spaced(number(7))

    add = f"{CHANGELIST}add/"
    data = submitted(
        manager, add, partner=partner.pk, tracking_number=typed, customer_name="Ada Lovelace"
    )

    response = manager.post(add, data)

    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.tracking_number == number(7)
    assert (shipment.customer_name, shipment.source, shipment.slug) == (
        "Ada Lovelace",
        "admin",
        "usps",
    )
    assert shipment.active and shipment.next_check_at is not None


def test_a_bad_or_duplicate_number_is_refused_on_the_add_form(manager, partner, make):
    make(7)

    add = f"{CHANGELIST}add/"
    for typed, error in (("12", "tracking number"), (number(7), "already has a shipment")):
        response = manager.post(
            add, submitted(manager, add, partner=partner.pk, tracking_number=typed)
        )
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["tracking_number"]
        assert error in " ".join(errors).lower()
    assert Shipment.objects.count() == 1


def test_a_change_by_hand_is_audited_with_the_fields_changed(manager, manager_user, make):
    shipment = make(1, customer_name="Ada")
    url = f"{CHANGELIST}{shipment.pk}/change/"
    data = submitted(manager, url, customer_name="Ada Lovelace")

    response = manager.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    shipment.refresh_from_db()
    assert shipment.customer_name == "Ada Lovelace"
    event = AuditEvent.objects.get(action="shipment.update")
    assert event.user == manager_user
    assert event.detail == {"fields": ["customer_name"]}


def test_a_deletion_is_audited_and_there_is_no_bulk_delete(manager, manager_user, three):
    assert "delete_selected" not in manager.get(CHANGELIST).content.decode()

    response = manager.post(f"{CHANGELIST}{three[0].pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Shipment.objects.filter(pk=three[0].pk).exists()
    event = AuditEvent.objects.get(action="shipment.delete")
    assert (event.user, event.detail) == (manager_user, {"public_id": three[0].public_id})


def test_checkpoints_and_subscribers_are_read_only(manager, three):
    shipment = three[0]
    add_checkpoints(shipment, 1)

    assert manager.get("/admin/tracking/checkpoint/add/").status_code == 403
    checkpoint = shipment.checkpoints.get()
    assert manager.post(f"/admin/tracking/checkpoint/{checkpoint.pk}/delete/").status_code == 403
    page = change_page(manager, shipment).content.decode()
    assert "ada@example.com" in page
    assert 'name="subscribers-0-address"' not in page
