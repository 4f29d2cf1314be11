"""The search page as an agent uses it: Debian's Chromium (Playwright) against a live server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tracking.choices import Subtag
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.shipments import shipment_create

EVENTS = [
    (Subtag.IN_TRANSIT_003, "Arrived at USPS Regional Facility", "CHICAGO", "IL"),
    (Subtag.OUT_FOR_DELIVERY_001, "Out for Delivery", "BROOKLYN", "NY"),
    (Subtag.DELIVERED_001, "Delivered, In/At Mailbox", "ATLANTA", "GA"),
    (Subtag.ATTEMPT_FAIL_003, "Notice Left (No Authorized Recipient Available)", "MIAMI", "FL"),
    (Subtag.AVAILABLE_FOR_PICKUP_001, "Available for Pickup", "BOSTON", "MA"),
    (Subtag.EXCEPTION_007, "Undeliverable as Addressed", "DALLAS", "TX"),
]


def number(i: int) -> str:
    return with_impb_check_digit(f"9400111899224{i:08d}")


@pytest.fixture
def shipments(partner, other_partner):
    """30 queue shipments (updated a minute apart) and two a caller asks about."""
    now = timezone.now()
    for i in range(30):
        s = shipment_create(
            partner=partner,
            tracking_number=number(i),
            customer_name=f"Queue Customer {i:02d}",
            order_number=f"#{5000 + i}",
        )
        subtag, message, city, state = EVENTS[i % len(EVENTS)]
        Checkpoint.objects.create(
            shipment=s,
            event_key="e",
            checkpoint_time=now - timedelta(hours=i + 1),
            utc_offset_minutes=-300,
            message=message,
            tag=subtag.tag,
            subtag=subtag,
            subtag_message=subtag.label,
            city=city,
            state=state,
        )
        Shipment.objects.filter(pk=s.pk).update(
            tag=subtag.tag,
            subtag=subtag,
            subtag_message=subtag.label,
            created_at=now - timedelta(days=i % 6, hours=2),
            updated_at=now - timedelta(minutes=i + 1),
        )
    grace = shipment_create(
        partner=other_partner,
        tracking_number=number(500),
        customer_name="Grace Hopper",
        order_number="#7001",
        emails=["grace@example.com"],
    )
    ada = shipment_create(
        partner=partner,
        tracking_number=number(501),
        customer_name="Ada Lovelace",
        emails=["ada@example.com"],
    )
    return {"grace": grace, "ada": ada}


def rows(page):
    return page.locator("table.results tbody tr")


def search_for(page, text: str):
    page.get_by_label("Search", exact=True).fill(text)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()


def test_an_agent_finds_shipments_and_pages_through_them(
    page, live_server, browser_login, agent_user, shipments, screenshot
):
    browser_login(page, agent_user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", name="Find a shipment")).to_be_visible()
    expect(page.get_by_text("32 shipments · page 1")).to_be_visible()

    # A tracking number read out over the phone, typed in groups.
    grace = shipments["grace"].tracking_number
    search_for(page, " ".join(grace[i : i + 4] for i in range(0, len(grace), 4)))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Grace Hopper")
    expect(rows(page).first).to_contain_text("#7001")
    expect(page).to_have_url(re.compile(r"/shipments/\?q=9400\+"))

    search_for(page, "ADA@example.com")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Ada Lovelace")

    search_for(page, "grace h")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).get_by_role("link", name=grace)).to_have_attribute(
        "href", f"/shipments/{shipments['grace'].public_id}/"
    )

    # Page through the queue, 25 at a time, and back.
    search_for(page, "queue")
    expect(page.get_by_text("30 shipments · page 1")).to_be_visible()
    expect(rows(page)).to_have_count(25)
    expect(rows(page).first).to_contain_text("Queue Customer 00")
    pages = page.get_by_role("navigation", name="Pages")
    pages.get_by_role("link", name="Next").click()
    expect(page.get_by_text("30 shipments · page 2")).to_be_visible()
    expect(rows(page)).to_have_count(5)
    expect(rows(page).first).to_contain_text("Queue Customer 25")
    expect(page).to_have_url(re.compile(r"q=queue.*after="))
    pages.get_by_role("link", name="Previous").click()
    expect(page.get_by_text("30 shipments · page 1")).to_be_visible()
    expect(rows(page).first).to_contain_text("Queue Customer 00")
    expect(rows(page).last).to_contain_text("Queue Customer 24")

    # A bigger page holds them all; the choice stays in the URL.
    pages.get_by_role("link", name="50 per page").click()
    expect(rows(page)).to_have_count(30)
    expect(page).to_have_url(re.compile(r"size=50"))
    search_for(page, "queue")
    screenshot(page, "search")


def test_filters_work_from_the_keyboard_and_bad_dates_are_explained(
    page, live_server, browser_login, agent_user, shipments
):
    browser_login(page, agent_user)
    page.goto(live_server.url + "/shipments/?created_from=2026-13-40")
    expect(page.get_by_role("alert")).to_contain_text("Created from: Enter a valid date.")

    page.goto(live_server.url + "/shipments/")
    page.get_by_text("Filters and sort").click()
    page.get_by_label("Partner").select_option(label="Globex Mail")
    for _ in range(40):  # on through the filters to Apply, no mouse needed
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Apply":
            break
    expect(page.get_by_role("button", name="Apply")).to_be_focused()
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Grace Hopper")


def test_on_a_phone_results_are_cards_with_no_sideways_scrolling(
    page, live_server, browser_login, agent_user, shipments, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, agent_user)
    page.goto(live_server.url + "/shipments/?q=queue")

    expect(rows(page)).to_have_count(25)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = rows(page).first
    expect(first.locator("td[data-label='Customer']")).to_contain_text("Queue Customer 00")
    assert first.bounding_box()["width"] <= 390
    expect(
        page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next")
    ).to_be_visible()
    screenshot(page, "search_phone")
