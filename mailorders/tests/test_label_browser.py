"""An agent in Chromium finds a shipment by the label id a partner reads out, opens it, reads
the label that created it and downloads the label's PDF."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from mailorders.models import ShipperAccount
from mailorders.services.labels import label_create
from mailorders.tests.label_bodies import label_body


@pytest.fixture
def label(partner):
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    return label_create(
        partner=partner, data=label_body(account.pk, references=["order-1001", "PO-77"])
    )


def test_an_agent_finds_a_label_and_downloads_its_pdf(
    page, live_server, browser_login, agent_user, label, tmp_path, screenshot
):
    browser_login(page, agent_user)
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_role("searchbox", name="Search").fill(label.id)
    page.get_by_role("button", name="Search", exact=True).click()

    row = page.get_by_role("row").filter(has_text=label.tracking_number)
    expect(row).to_have_count(1)
    expect(row.locator(".source-label")).to_have_text("label")
    expect(page.locator(".results-summary")).to_contain_text("1 shipment")
    row.get_by_role("link", name=label.tracking_number).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(label.tracking_number)
    section = page.get_by_role("region", name="Label")
    expect(section).to_contain_text(label.id)
    expect(section).to_contain_text("Created")
    expect(section).to_contain_text("Priority Mail Express")
    expect(section).to_contain_text("4 by 6 inches")
    expect(section).to_contain_text("order-1001, PO-77")
    expect(section).to_contain_text("not manifested")
    screenshot(page, "shipment-label")

    with page.expect_download() as downloading:
        section.get_by_role("link", name="Download the label (PDF)").click()
    download = downloading.value
    assert download.suggested_filename == f"{label.tracking_number}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert label.tracking_number in text
