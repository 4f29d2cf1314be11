"""The dashboard in Debian's Chromium (Playwright) against a live server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tracking.choices import Subtag, Tag
from tracking.tests.workspace.support import make_shipment


@pytest.fixture
def month(partner, other_partner):
    """A month of deliveries (2 to 6 days in transit, one in five late), three exceptions and
    two failed attempts."""
    now = timezone.now()
    delivered = 0
    for day in range(30):
        for i in range(day % 4 + 1):
            make_shipment(
                partner if i % 2 else other_partner,
                status={
                    "tag": Tag.DELIVERED,
                    "subtag": Subtag.DELIVERED_001,
                    "active": False,
                    "shipment_delivery_date": now - timedelta(days=day, hours=i + 1),
                    "shipment_delivery_offset": -360,
                    "delivery_time": 2 + (day + i) % 5,
                    "on_time_status": "late" if delivered % 5 == 0 else "on-time",
                },
            )
            delivered += 1
    exceptions = [
        make_shipment(
            partner,
            customer_name=name,
            status={
                "tag": Tag.EXCEPTION,
                "subtag": subtag,
                "subtag_message": subtag.label,
                "last_event_at": now - timedelta(hours=hours),
            },
        )
        for name, subtag, hours in (
            ("Grace Hopper", Subtag.EXCEPTION_007, 2),
            ("Ada Lovelace", Subtag.EXCEPTION_012, 5),
            ("Alan Turing", Subtag.EXCEPTION_010, 30),
        )
    ]
    for _ in range(2):
        make_shipment(partner, status={"tag": Tag.ATTEMPT_FAIL, "subtag": Subtag.ATTEMPT_FAIL_001})
    return {"delivered": delivered, "exceptions": exceptions}


def test_the_dashboard_shows_the_month_and_leads_to_the_shipments(
    page, live_server, browser_login, agent_user, month, screenshot
):
    browser_login(page, agent_user)

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    delivered = month["delivered"]
    late = (delivered + 4) // 5
    expect(page.locator(".figure")).to_have_text(f"{round(100 * (delivered - late) / delivered)}%")
    expect(page.get_by_text(f"{delivered - late} of {delivered} deliveries")).to_be_visible()
    transit = page.get_by_role(
        "img", name="Days in transit, shipments delivered in the last 30 days"
    )
    daily = page.get_by_role("img", name="Shipments delivered per day, last 30 days")
    expect(transit).to_be_visible()
    expect(daily).to_be_visible()
    expect(daily.locator("g.bar")).to_have_count(30)
    screenshot(page, "dashboard")
    # The numbers behind a chart, readable as a table.
    page.get_by_text("The figures as a table").first.click()
    expect(page.locator("table.figures").first.locator("tbody tr")).to_have_count(11)
    attention = page.locator(".attention-counts")
    expect(attention.get_by_role("listitem").filter(has_text="Failed attempts")).to_contain_text(
        "2"
    )
    recent = page.locator("ul.exceptions > li")
    expect(recent).to_have_count(3)
    expect(recent.first).to_contain_text("Grace Hopper")
    expect(recent.first).to_contain_text("Incorrect address")

    recent.first.get_by_role("link").click()
    grace = month["exceptions"][0]
    expect(page).to_have_url(f"{live_server.url}/shipments/{grace.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(grace.tracking_number)

    page.go_back()
    page.locator(".tag-counts .tag-exception").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/shipments/\?tag=Exception$"))
    expect(page.locator("table.results tbody tr")).to_have_count(3)


def test_the_dashboard_fits_a_phone(page, live_server, browser_login, agent_user, month):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, agent_user)

    expect(page.get_by_role("img", name=re.compile("delivered per day"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
