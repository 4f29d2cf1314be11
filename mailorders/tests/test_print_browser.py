"""The print room in Chromium: the queue, a batch made after confirming, its PDF made by the
worker while the page shows the progress, downloaded, then the batch marked printed and mailed,
each after confirming; the orders move through PostGrid's statuses."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from mailorders.choices import OrderStatus
from mailorders.models import PrintBatch
from mailorders.tests.print_support import make_letter, order

PASSWORD = "correct-horse-battery-42"  # what browser_login types (conftest.py)


@pytest.fixture
def printer(printer_user):
    printer_user.set_password(PASSWORD)
    printer_user.save()
    return printer_user


def test_the_print_room_batches_prints_and_mails(
    page, live_server, browser_login, printer, api, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    letters = [make_letter(api, zip_code) for zip_code in ("94105", "10013", "60601")]
    browser_login(page, printer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Print queue").click()
    expect(page.get_by_role("heading", name="Print queue")).to_be_visible()
    row = page.locator("#queue").get_by_role("row").filter(has_text="Letters us_letter")
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("10013 \u2013 94105")
    screenshot(page, "print-queue")

    row.get_by_role("button", name="Make batch").click()
    expect(page.get_by_role("heading", name="Make a batch?")).to_be_visible()
    page.get_by_role("button", name="Make the batch").click()
    batch = PrintBatch.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(batch))
    zips = page.locator("#pieces tbody tr td:nth-child(4)")
    expect(zips).to_have_text(["10013", "60601", "94105"])  # presort order

    page.get_by_role("button", name="Make the PDF").click()
    expect(page.locator("#pdf-progress")).to_be_visible()
    expect(page.locator("#pdf-count")).to_contain_text("of 3 pieces")
    call_command("db_worker", "--batch", verbosity=0)  # the worker makes it; the page polls
    download_link = page.get_by_role("link", name=f"Download {batch} PDF")
    expect(download_link).to_be_visible(timeout=15_000)
    with page.expect_download() as download:
        download_link.click()
    pdf = PdfReader(download.value.path())
    assert len(pdf.pages) == 4
    screenshot(page, "print-batch")

    page.get_by_role("button", name="Mark printed…").click()
    expect(page.get_by_role("heading", name=f"Mark {batch} printed?")).to_be_visible()
    assert order(letters[0]).status == OrderStatus.READY  # nothing until confirmed
    page.get_by_role("button", name="Mark printed").click()
    expect(page.locator("#batch-status")).to_have_text("Printed")
    assert {order(data).status for data in letters} == {OrderStatus.PRINTING}

    page.get_by_label("USPS entry date").fill(timezone.localdate().isoformat())
    page.get_by_label("Entry facility").fill("San Francisco CA P&DC")
    page.get_by_label("Facility ZIP Code").fill("94188")
    page.get_by_role("button", name="Mark mailed…").click()
    expect(page.get_by_role("heading", name=f"Mark {batch} mailed?")).to_be_visible()
    expect(page.locator(".confirm")).to_contain_text("3 pieces entered at San Francisco CA P&DC")
    page.get_by_role("button", name="Mark mailed").click()
    expect(page.locator("#batch-status")).to_have_text("Mailed")
    expect(page.locator("#mailed")).to_contain_text("San Francisco CA P&DC (94188)")
    assert {order(data).status for data in letters} == {OrderStatus.PROCESSED_FOR_DELIVERY}
    screenshot(page, "print-batch-mailed")
