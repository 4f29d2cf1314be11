"""Acceptance: an agent and a manager at work, in Debian's Chromium against a live server.

The agent searches by a tracking number read out with spaces, by an e-mail and by a name, pages
forward and back, opens a shipment, reads its timeline and retracks it, and is refused what only
managers may do. The manager then marks three shipments completed as LOST from the admin, through
its intermediate page, and finds the audit records. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tracking.choices import Subtag, Tag
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.shipments import shipment_create
from tracking.zones import MINUS

NOV_20_1405_CST = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)
CUSTOMERS = 55  # three pages of 25


def number(i: int) -> str:
    return with_impb_check_digit(f"9400111899223{i:08d}")


def read_out(tracking_number: str) -> str:
    """As a caller reads it on the phone: groups of four, a dash here and there."""
    groups = [tracking_number[i : i + 4] for i in range(0, len(tracking_number), 4)]
    return " ".join(groups[:3]) + " - " + " ".join(groups[3:])


def checkpoint(shipment, key, when, subtag, message):
    Checkpoint.objects.create(
        shipment=shipment,
        event_key=key,
        checkpoint_time=when,
        utc_offset_minutes=-360,
        message=message,
        tag=subtag.tag,
        subtag=subtag,
        subtag_message=subtag.label,
        city="CHICAGO",
        state="IL",
        zip="60607",
        country_iso3="USA",
        location="CHICAGO, IL 60607",
    )


@pytest.fixture
def desk(partner, other_partner):
    """Jane's parcel (expired, with its history), Bob's, 55 numbered customers to page through
    and three missing parcels for the manager."""
    jane = shipment_create(
        partner=partner,
        tracking_number=number(1),
        customer_name="Jane Doe",
        emails=["jane.doe@example.com"],
        order_id="ORD-1001",
    )
    checkpoint(jane, "a", NOV_20_1405_CST, Subtag.INFO_RECEIVED_001, "Shipping Label Created")
    checkpoint(
        jane,
        "b",
        NOV_20_1405_CST + timedelta(hours=20),
        Subtag.IN_TRANSIT_001,
        "Arrived at USPS Regional Facility",
    )
    Shipment.objects.filter(pk=jane.pk).update(
        active=False, tag=Tag.EXPIRED, subtag=Subtag.EXPIRED_001, subtag_message="Expired"
    )
    bob = shipment_create(
        partner=other_partner,
        tracking_number=number(2),
        customer_name="Bob Stone",
        emails=["bob@example.com"],
    )
    now = datetime.now(UTC)
    for i in range(CUSTOMERS):
        shipment = shipment_create(
            partner=partner, tracking_number=number(100 + i), customer_name=f"Customer {i:02d}"
        )
        when = now - timedelta(minutes=i)  # Customer 00 is the latest
        Shipment.objects.filter(pk=shipment.pk).update(created_at=when, updated_at=when)
    missing = [
        shipment_create(
            partner=partner, tracking_number=number(200 + i), customer_name=f"Missing Parcel {c}"
        )
        for i, c in enumerate("ABC")
    ]
    return {"jane": jane, "bob": bob, "missing": missing}


def search(page, typed: str):
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_role("searchbox", name="Search").fill(typed)
    page.get_by_role("button", name="Search", exact=True).click()


def next_link(page):
    return page.locator("nav.pager a[rel=next]")


def previous_link(page):
    return page.locator("nav.pager a[rel=prev]")


def result_rows(page):
    return page.locator("table.results tbody tr")


def test_an_agent_works_the_desk_and_a_manager_completes_three_shipments_in_admin(
    page,
    live_server,
    browser_login,
    agent_user,
    manager_user,
    desk,
    screenshot,
):
    jane, bob, missing = desk["jane"], desk["bob"], desk["missing"]

    # The agent logs in and lands on the dashboard.
    browser_login(page, agent_user)
    expect(page.get_by_role("button", name="Log out ada.agent")).to_be_visible()
    screenshot(page, "acceptance_dashboard")

    # Search by the tracking number as a caller reads it out, with spaces and dashes.
    search(page, read_out(jane.tracking_number))
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page)).to_contain_text("Jane Doe")

    # By an e-mail, in another case.
    search(page, "BOB@example.com")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text(bob.tracking_number)
    expect(result_rows(page).first).to_contain_text("Bob Stone")

    # By a customer name: 55 customers, 25 a page. Forward twice, then back.
    search(page, "customer")
    expect(page.locator(".results-summary")).to_contain_text(f"{CUSTOMERS} shipments")
    expect(result_rows(page)).to_have_count(25)
    expect(result_rows(page).first).to_contain_text("Customer 00")
    screenshot(page, "acceptance_search")
    next_link(page).click()
    expect(page).to_have_url(re.compile(r"[?&]q=customer(&|$)"))
    expect(result_rows(page).first).to_contain_text("Customer 25")
    expect(page.locator(".results-summary")).to_contain_text("page 2")
    next_link(page).click()
    expect(result_rows(page)).to_have_count(CUSTOMERS - 50)
    expect(result_rows(page).last).to_contain_text(f"Customer {CUSTOMERS - 1}")
    previous_link(page).click()
    expect(result_rows(page).first).to_contain_text("Customer 25")
    previous_link(page).click()
    expect(result_rows(page).first).to_contain_text("Customer 00")
    expect(previous_link(page)).to_have_count(0)

    # Open Jane's shipment and read its timeline, newest first, in the event's local time.
    search(page, "Jane Doe")
    page.get_by_role("link", name=jane.tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"USPS {jane.tracking_number}")
    timeline = page.locator("ol.timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_contain_text("Arrived at USPS Regional Facility")
    expect(timeline.nth(0)).to_contain_text(f"Nov 21, 2026 10:05 CST (UTC{MINUS}06:00)")
    expect(timeline.nth(1)).to_contain_text("Shipping Label Created")
    expect(timeline.nth(1)).to_contain_text(f"Nov 20, 2026 14:05 CST (UTC{MINUS}06:00)")
    shipment_url = page.url

    # Retrack it, through its confirmation.
    page.get_by_role("link", name="Retrack…").click()
    expect(
        page.get_by_role("heading", name=f"Retrack USPS {jane.tracking_number}?")
    ).to_be_visible()
    page.get_by_role("button", name="Retrack").click()
    expect(page.locator(".message.success")).to_contain_text("is tracked again (1 of 3")
    expect(page.get_by_role("link", name="Retrack…")).to_have_count(0)
    screenshot(page, "acceptance_shipment")
    jane.refresh_from_db()
    assert (jane.active, jane.retrack_count) == (True, 1)

    # Managers only: no "Mark completed…" for the agent, a forged POST gets the 403 page...
    expect(page.get_by_role("button", name="Mark completed…")).to_have_count(0)
    with page.expect_navigation() as refused:
        page.evaluate(
            """url => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = url;
                form.append(document.querySelector("input[name=csrfmiddlewaretoken]").cloneNode());
                const reason = document.createElement("input");
                reason.name = "reason";
                reason.value = "LOST";
                form.append(reason);
                document.body.append(form);
                form.submit();
            }""",
            f"{shipment_url}complete/",
        )
    assert refused.value.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    jane.refresh_from_db()
    assert jane.completed_reason == "" and jane.active
    # ... and admin does not let the agent in.
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("The admin is for managers.")).to_be_visible()

    # The manager, in admin: three missing parcels, "Mark completed…", LOST.
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Log out ada.agent").click()
    browser_login(page, manager_user)
    page.set_viewport_size({"width": 1440, "height": 900})  # admin's wide tables
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Shipments").click()
    page.locator("#searchbar").fill("missing parcel")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("3 of 3 selected")
    page.get_by_label("Action:").select_option(label="Mark completed…")
    page.get_by_role("button", name="Run").click()

    expect(page.locator(".action-count")).to_contain_text("Mark 3 shipments completed")
    for shipment in missing:
        expect(page.locator(".selected-shipments")).to_contain_text(shipment.tracking_number)
    page.get_by_label("Lost").check()
    screenshot(page, "admin_mark_completed")
    page.get_by_role("button", name="Mark 3 completed").click()

    expect(page.locator(".messagelist")).to_have_text("3 marked completed as Lost")
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i)).to_contain_text("Exception")
    assert set(
        Shipment.objects.filter(pk__in=[s.pk for s in missing]).values_list(
            "tag", "completed_reason", "active"
        )
    ) == {(Tag.EXCEPTION, "LOST", False)}

    # The audit log in admin: one record per shipment, by the manager, and the bulk action's.
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Audit events").click()
    page.locator("#searchbar").fill("Marked USPS")
    page.get_by_role("button", name="Search").click()
    audit_rows = page.locator("#result_list tbody tr")
    expect(audit_rows).to_have_count(3)
    for shipment in missing:
        expect(
            audit_rows.filter(has_text=f"Marked USPS {shipment.tracking_number} completed as Lost")
        ).to_contain_text("max.manager")
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Audit events").click()
    expect(page.locator("#result_list tbody tr").first).to_contain_text(
        "Marked completed as Lost: 3 changed"
    )
    screenshot(page, "admin_audit")
