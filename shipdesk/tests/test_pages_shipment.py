"""The shipment page as agents and managers use it: Debian's Chromium (Playwright) against a live
server, with and without JavaScript, on a laptop and on a phone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tracking.choices import Subtag, Tag
from tracking.models import Shipment
from tracking.tests.workspace.support import add_checkpoint, make_shipment
from tracking.zones import MINUS

ACCEPTED = datetime(2026, 11, 18, 15, 40, tzinfo=UTC)  # 09:40 in Chicago


@pytest.fixture
def shipment(partner):
    """An expired parcel to Chicago with a week of history, subscribers and an order."""
    shipment = make_shipment(
        partner,
        customer_name="Grace Hopper",
        emails=["grace@example.com"],
        smses=["+13125550100"],
        order_id="ord_981",
        order_number="#1042",
        title="Blue teapot",
        order_promised_delivery_date=date(2026, 11, 21),
        origin_city="EDISON",
        origin_state="NJ",
        destination_city="CHICAGO",
        destination_state="IL",
        destination_postal_code="60607",
        status={
            "tag": Tag.EXPIRED,
            "subtag": Subtag.EXPIRED_001,
            "subtag_message": "No further updates",
            "active": False,
            "mail_class": "Priority Mail",
            "expected_delivery": date(2026, 11, 21),
            "estimated_delivery_date": date(2026, 11, 21),
            "estimated_delivery_date_min": date(2026, 11, 20),
            "estimated_delivery_date_max": date(2026, 11, 23),
            "estimated_delivery_confidence": 20001,
            "on_time_status": "trending-late",
            "on_time_difference": 6,
            "last_error": "USPS answered 503 Service Unavailable",
            "last_error_at": datetime(2026, 11, 26, 15, 30, tzinfo=UTC),
        },
    )
    events = [
        (ACCEPTED, Subtag.IN_TRANSIT_002, "USPS in possession of item", "EDISON", "NJ", -300),
        (ACCEPTED + timedelta(hours=6), Subtag.IN_TRANSIT_007, "Departed USPS Facility",
         "EDISON", "NJ", -300),
        (ACCEPTED + timedelta(hours=30), Subtag.IN_TRANSIT_003,
         "Arrived at USPS Regional Destination Facility", "CHICAGO", "IL", -360),
        (ACCEPTED + timedelta(hours=52, minutes=25), Subtag.IN_TRANSIT_001,
         "Arrived at Post Office", "CHICAGO", "IL", -360),
    ]  # fmt: skip
    for when, subtag, message, city, state, offset in events:
        add_checkpoint(
            shipment,
            when=when,
            subtag=subtag,
            message=message,
            city=city,
            state=state,
            offset_minutes=offset,
        )
    return shipment


def open_shipment(page, live_server, shipment):
    page.goto(f"{live_server.url}/shipments/{shipment.public_id}/")


def timeline(page):
    return page.locator("ol.timeline > li")


def test_an_agent_reads_the_timeline_and_retracks_through_the_confirmation(
    page, live_server, browser_login, agent_user, shipment, screenshot
):
    browser_login(page, agent_user)
    open_shipment(page, live_server, shipment)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"USPS {shipment.tracking_number}")
    expect(page.get_by_role("status")).to_contain_text("Simulated carrier")
    # Newest first, each in its own zone: Chicago's events in CST, Edison's in EST.
    expect(timeline(page)).to_have_count(4)
    expect(timeline(page).first.locator("time")).to_have_text(
        f"Nov 20, 2026 14:05 CST (UTC{MINUS}06:00)"
    )
    expect(timeline(page).first).to_contain_text("Arrived at Post Office")
    expect(timeline(page).first).to_contain_text("CHICAGO, IL 60607")
    expect(timeline(page).last.locator("time")).to_have_text(
        f"Nov 18, 2026 10:40 EST (UTC{MINUS}05:00)"
    )
    expect(page.get_by_text("Trending late, 6 days after the promised date")).to_be_visible()
    expect(page.get_by_text("USPS answered 503 Service Unavailable")).to_be_visible()
    # Agents do not complete shipments.
    expect(page.get_by_label("Mark completed as")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark completed…")).to_have_count(0)

    # Through the keyboard: tab to the action and open it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Retrack…":
            break
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=f"Retrack {shipment}?")).to_be_visible()
    shipment.refresh_from_db()
    assert not shipment.active  # asking is not doing
    page.get_by_role("button", name="Retrack").click()

    expect(page).to_have_url(f"{live_server.url}/shipments/{shipment.public_id}/")
    expect(page.locator(".message.success")).to_have_text(
        f"{shipment} is tracked again (1 of 3 retracks used): it is checked with the carrier "
        "shortly."
    )
    audit = page.locator("table.audit tbody tr")
    expect(audit).to_have_count(1)
    expect(audit.first).to_contain_text("ada.agent (person)")
    expect(audit.first).to_contain_text(f"Retracked {shipment} (1 of 3)")
    shipment.refresh_from_db()
    assert (shipment.active, shipment.retrack_count) == (True, 1)
    screenshot(page, "shipment")


def test_a_refused_retrack_shows_the_reason(page, live_server, browser_login, agent_user, shipment):
    Shipment.objects.filter(pk=shipment.pk).update(retrack_count=3)
    browser_login(page, agent_user)
    open_shipment(page, live_server, shipment)

    expect(page.get_by_role("link", name="Retrack…")).to_have_count(0)
    expect(page.locator(".actions")).to_contain_text(
        "Retrack is not allowed. A tracking can be retracked at most 3 times."
    )
    # From a confirmation page opened before (another tab): the service refuses and says why.
    page.goto(live_server.url + reverse("shipment-retrack", args=[shipment.public_id]))
    page.get_by_role("button", name="Retrack").click()
    expect(page.locator(".message.error")).to_contain_text(
        "Retrack is not allowed. A tracking can be retracked at most 3 times."
    )
    shipment.refresh_from_db()
    assert (shipment.active, shipment.retrack_count) == (False, 3)


def test_the_manager_only_action_is_refused_to_an_agent(
    page, live_server, browser_login, agent_user, shipment
):
    browser_login(page, agent_user)

    response = page.goto(f"{live_server.url}/shipments/{shipment.public_id}/complete/?reason=LOST")

    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("Your role does not allow this.")).to_be_visible()
    shipment.refresh_from_db()
    assert shipment.tag == Tag.EXPIRED


def test_a_manager_marks_a_shipment_lost(page, live_server, browser_login, manager_user, shipment):
    browser_login(page, manager_user)
    open_shipment(page, live_server, shipment)

    page.get_by_label("Mark completed as").select_option(label="Lost")
    page.get_by_role("button", name="Mark completed…").click()

    expect(page.get_by_role("heading", name=f"Mark {shipment} completed?")).to_be_visible()
    expect(page.get_by_role("radio", name="Lost")).to_be_checked()
    page.get_by_role("button", name="Mark completed", exact=True).click()

    expect(page.locator(".message.success")).to_have_text(
        f"{shipment} is marked completed as lost."
    )
    expect(page.locator(".status")).to_contain_text("Shipment lost")
    expect(page.locator("table.audit tbody tr").first).to_contain_text(
        f"max.manager (person) Marked {shipment} completed as Lost"
    )
    shipment.refresh_from_db()
    assert (shipment.tag, shipment.subtag) == (Tag.EXCEPTION, Subtag.EXCEPTION_013)


def test_copy_link_puts_the_page_address_on_the_clipboard(
    page, live_server, browser_login, agent_user, shipment
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    browser_login(page, agent_user)
    open_shipment(page, live_server, shipment)

    page.get_by_role("button", name="Copy link").click()

    expect(page.get_by_text("Link copied.")).to_be_visible()
    address = f"{live_server.url}/shipments/{shipment.public_id}/"
    assert page.evaluate("navigator.clipboard.readText()") == address
    expect(page.get_by_label("Link to this page")).to_have_value(address)


def test_without_javascript_the_link_shows_and_retrack_still_works(
    browser, live_server, browser_login, agent_user, shipment
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    browser_login(page, agent_user)
    open_shipment(page, live_server, shipment)

    expect(page.get_by_label("Link to this page")).to_have_value(
        f"{live_server.url}/shipments/{shipment.public_id}/"
    )
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    page.get_by_role("link", name="Retrack…").click()
    page.get_by_role("button", name="Retrack").click()
    expect(page.locator(".message.success")).to_contain_text("is tracked again")
    context.close()


def test_the_page_fits_a_phone(page, live_server, browser_login, agent_user, shipment):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, agent_user)
    open_shipment(page, live_server, shipment)

    expect(timeline(page).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    retrack = page.get_by_role("link", name="Retrack…").bounding_box()
    assert retrack["x"] >= 0 and retrack["x"] + retrack["width"] <= 375
