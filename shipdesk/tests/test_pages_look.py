"""How the agents' pages look in Chromium: one-line result rows, even status pills, links in
the workspace's colour, a favicon."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tracking.choices import Subtag
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.shipments import shipment_create

LONG = (
    "Your item could not be delivered on November 20, 2026 at 2:05 pm in ATLANTA, GA 30303 "
    "because the recipient's address was not accessible; it will be redelivered on the next "
    "business day, or you may pick it up at the Post Office indicated on the notice."
)
EVENTS = [
    (Subtag.ATTEMPT_FAIL_003, LONG),
    (Subtag.IN_TRANSIT_003, "Arrived at USPS Regional Facility"),
    (Subtag.AVAILABLE_FOR_PICKUP_001, "Available for Pickup"),
    (Subtag.DELIVERED_001, "Delivered, In/At Mailbox"),
    (Subtag.EXCEPTION_007, "Undeliverable as Addressed"),
    (Subtag.OUT_FOR_DELIVERY_001, "Out for Delivery"),
]


@pytest.fixture
def shipments(partner):
    now = timezone.now()
    made = []
    for i, (subtag, message) in enumerate(EVENTS):
        s = shipment_create(
            partner=partner,
            tracking_number=with_impb_check_digit(f"9400111899224{i:08d}"),
            customer_name="Wilhelmina Bartholomew-Featherstonehaugh III" if i == 0 else f"C {i}",
            order_number=f"#{5000 + i}",
        )
        Checkpoint.objects.create(
            shipment=s,
            event_key="e",
            checkpoint_time=now - timedelta(hours=i + 1),
            utc_offset_minutes=-300,
            message=message,
            tag=subtag.tag,
            subtag=subtag,
            subtag_message=subtag.label,
            city="ATLANTA",
            state="GA",
        )
        Shipment.objects.filter(pk=s.pk).update(
            tag=subtag.tag, subtag=subtag, subtag_message=subtag.label
        )
        made.append(s)
    made.append(  # no checkpoint yet: Pending
        shipment_create(
            partner=partner, tracking_number=with_impb_check_digit("9400111899223" + "7" * 8)
        )
    )
    return made


def one_line(page, row) -> dict:
    """The row's height beside what one line of its text needs (line height, paddings, border)."""
    return row.evaluate(
        """tr => {
          const cell = getComputedStyle(tr.querySelector('td'));
          const px = v => parseFloat(v) || 0;
          return {height: tr.getBoundingClientRect().height,
                  line: px(cell.lineHeight) + px(cell.paddingTop) + px(cell.paddingBottom)
                        + px(cell.borderBottomWidth)};
        }"""
    )


def test_result_rows_are_one_line_and_the_checkpoint_is_cut_with_its_full_text_in_a_title(
    page, live_server, browser_login, agent_user, shipments, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(page, agent_user)
    page.goto(live_server.url + "/shipments/")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(len(EVENTS) + 1)
    screenshot(page, "search-one-line-rows")
    for row in rows.all():
        size = one_line(page, row)
        assert size["height"] <= size["line"] + 2, (row.inner_text(), size)

    long_row = rows.filter(has_text="Wilhelmina")
    checkpoint = long_row.locator("td[data-label='Last checkpoint'] .cut")
    title = checkpoint.get_attribute("title")
    assert LONG in title and "Atlanta, GA" in title and "UTC" in title
    cut = checkpoint.evaluate(
        "e => ({style: getComputedStyle(e).textOverflow, over: e.scrollWidth > e.clientWidth})"
    )
    assert cut == {"style": "ellipsis", "over": True}
    # The table fits the page: nothing to scroll sideways at a desk's width.
    wrap = page.locator(".table-wrap").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert wrap is True


def test_status_pills_are_even(page, live_server, browser_login, agent_user, shipments):
    browser_login(page, agent_user)
    page.goto(live_server.url + "/shipments/")
    boxes = [b.bounding_box() for b in page.locator("td[data-label='Status'] .badge").all()]
    assert len(boxes) == len(EVENTS) + 1
    assert len({round(b["height"], 1) for b in boxes}) == 1, boxes
    assert len({round(b["width"], 1) for b in boxes}) == 1, boxes  # one width in the column
    # The shipment page's pill is the same height as the table's.
    search_height = boxes[0]["height"]
    page.locator("table.results tbody tr").first.get_by_role("link").first.click()
    pill = page.locator(".status .badge").first.bounding_box()
    assert round(pill["height"], 1) == round(search_height, 1)


def test_links_are_in_the_workspace_colour(page, live_server, browser_login, agent_user, shipments):
    browser_login(page, agent_user)
    page.goto(live_server.url + "/shipments/")
    accent = page.locator(".brand").evaluate("e => getComputedStyle(e).color")
    links = [
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Mail"),
        page.locator("table.results tbody th a").first,
        page.get_by_role("navigation", name="Pages").get_by_role("link", name="50 per page"),
    ]
    for link in links:
        assert link.evaluate("e => getComputedStyle(e).color") == accent
    # A visited link keeps the colour (the shipment page was opened before).
    link = page.locator("table.results tbody th a").first
    link.click()
    page.go_back()
    assert link.evaluate("e => getComputedStyle(e).color") == accent


def test_every_page_has_the_favicon(page, live_server, browser_login, agent_user):
    browser_login(page, agent_user)
    href = page.locator("link[rel='icon']").get_attribute("href")
    assert href.startswith("/static/")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in response.body()
    page.goto(live_server.url + "/login/")
    expect(page.locator("link[rel='icon']")).to_have_attribute("href", href)


def test_no_status_label_is_cut_in_its_pill(
    page, live_server, browser_login, agent_user, shipments
):
    browser_login(page, agent_user)
    page.goto(live_server.url + "/shipments/")
    for pill in page.locator("td[data-label='Status'] .badge").all():
        assert pill.evaluate("e => e.scrollWidth <= e.clientWidth"), pill.inner_text()


def test_the_admin_has_the_favicon_too(manager_client):
    html = manager_client.get("/admin/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in html
