"""Acceptance: an agent downloads a delivered shipment's POD letter and e-mails it to two people,
in Debian's Chromium against a live server; the worker sends the mail with the PDF attached."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from tracking.models import PodRequest

pytestmark = pytest.mark.django_db(transaction=True)

RECIPIENTS = ["claims@insurer.example", "grace@example.com"]


def test_an_agent_downloads_the_pod_letter_and_emails_it_to_two_recipients(
    page,
    live_server,
    browser_login,
    agent_user,
    delivered,
    mailoutbox,
    pod_keys,
    tmp_path,
    screenshot,
):
    shipment = delivered(customer_name="Grace Hopper")
    shipment_url = f"{live_server.url}/shipments/{shipment.public_id}/"
    browser_login(page, agent_user)
    page.goto(shipment_url)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download proof of delivery (PDF)").click()
    download = downloading.value
    assert download.suggested_filename == f"proof-of-delivery-{shipment.tracking_number}.pdf"
    letter = tmp_path / download.suggested_filename
    download.save_as(letter)
    text = PdfReader(io.BytesIO(letter.read_bytes())).pages[0].extract_text()
    assert shipment.tracking_number in text and "J SMITH" in text
    verified = subprocess.run(
        [sys.executable, "-m", "tracking.verify", str(letter), "--keys", str(pod_keys)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    page.get_by_role("link", name="E-mail the proof of delivery…").click()
    page.get_by_label("E-mail 1").fill(RECIPIENTS[0])
    page.get_by_label("E-mail 2").fill(RECIPIENTS[1])
    page.get_by_role("button", name="Review…").click()
    confirmation = page.locator(".pod-recipients")
    for address in RECIPIENTS:
        expect(confirmation).to_contain_text(address)
    assert PodRequest.objects.count() == 0  # nothing is sent before the confirmation
    screenshot(page, "pod-email-confirm")
    page.get_by_role("button", name="Yes, send").click()

    expect(page).to_have_url(shipment_url)
    expect(page.locator(".message")).to_contain_text("queued for claims@insurer.example")
    expect(page.locator(".pod-request").first).to_contain_text("Pending")

    call_command("db_worker", "--batch", "--no-startup-delay")
    page.reload()

    expect(page.locator(".pod-request").first).to_contain_text("Accepted")
    screenshot(page, "pod-sent")
    assert sorted(message.to[0] for message in mailoutbox) == RECIPIENTS
    for message in mailoutbox:
        ((filename, content, mimetype),) = message.attachments
        assert (filename, mimetype) == (download.suggested_filename, "application/pdf")
        reader = PdfReader(io.BytesIO(content))
        assert shipment.tracking_number in reader.pages[0].extract_text()
        assert "pod.json" in reader.attachments
