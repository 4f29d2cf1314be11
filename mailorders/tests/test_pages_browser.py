"""An agent finds a certified letter in Chromium: Mail in the top bar, search by recipient,
the letter's page, its PDF, and on to the shipment that tracks it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mailorders.services.orders import OrderContent, order_create, order_progress

from .conftest import FROM, TO
from .test_lifecycle import contact


@pytest.fixture
def certified_letter(partner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    letter, _ = order_create(
        object_name="letter",
        partner=partner,
        live=True,
        to=contact({**TO, "firstName": "Grace", "lastName": "Hopper"}),
        from_=contact(FROM),
        content=OrderContent(html="<p>Dear {{to.firstName}}</p>"),
        description="Contract renewal",
        extra_service="certified",
    )
    letter.live = False  # progressions are for test orders; the page shows either
    letter.save(update_fields=["live"])
    return order_progress(order=order_progress(order=letter))


def test_an_agent_finds_a_certified_letter_and_its_shipment(
    page,
    live_server,
    browser_login,
    agent_user,
    certified_letter,
    screenshot,
):
    browser_login(page, agent_user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mail").click()
    expect(page.get_by_role("heading", name="Mail orders")).to_be_visible()
    page.get_by_label("Find a mail order").fill("Grace")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=certified_letter.id)
    expect(row).to_contain_text("Grace Hopper")
    expect(row).to_contain_text("Processed for delivery")
    screenshot(page, "mail-orders")

    row.get_by_role("link", name=certified_letter.id).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(certified_letter.id)
    expect(page.locator("dl.facts")).to_contain_text("Certified")
    expect(page.locator("dl.facts")).to_contain_text("Contract renewal")
    expect(page.get_by_role("table")).to_contain_text("ready → printing")
    with page.expect_response(lambda r: "/print-mail/v1/files/" in r.url) as pdf:
        page.evaluate(
            "url => fetch(url)", page.get_by_role("link", name="the PDF").get_attribute("href")
        )
    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"
    screenshot(page, "mail-order")

    page.get_by_role("link", name=certified_letter.tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(certified_letter.tracking_number)
