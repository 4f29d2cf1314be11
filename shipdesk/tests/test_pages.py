"""The running product in a real browser (Debian's Chromium driven by Playwright)."""

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model

from tracking.services.lifecycle import shipment_mark_completed
from tracking.services.shipments import shipment_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agent(db):
    return get_user_model().objects.create_user("agent", password="s3cret-pass-123")


def test_login_then_counts_by_tag(page, live_server, agent, partner):
    shipment_create(partner=partner, tracking_number="9400111899223123456785")
    lost = shipment_create(partner=partner, tracking_number="9400111899223123456792")
    shipment_mark_completed(shipment=lost, reason="LOST")

    page.goto(live_server.url + "/")
    assert "/login/" in page.url

    page.fill("#id_username", "agent")
    page.fill("#id_password", "s3cret-pass-123")
    page.click("button[type=submit]")

    page.wait_for_selector("h1:has-text('Shipments by status')")
    assert page.locator(".tag-pending .count").inner_text() == "1"
    assert page.locator(".tag-exception .count").inner_text() == "1"
    assert page.locator(".simulated").is_visible()


def test_wrong_password_is_refused(page, live_server, agent):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").is_visible()
    assert "/login/" in page.url


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {"DEBUG": "false", "SECRET_KEY": "", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; "
            "os.environ['DJANGO_SETTINGS_MODULE']='shipdesk.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=".",
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
