"""A manager in Chromium, against the fake USPS server: validates a letter's address and
accepts USPS's form, then creates a label choosing the service from the rates table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from mailorders.models import Contact, Label, Letter, ShipperAccount
from mailorders.services.orders import OrderContent, order_create
from shipdesk.models import AuditEvent

from .conftest import FROM, TO
from .test_lifecycle import contact

pytestmark = pytest.mark.usefixtures("fake")


@pytest.fixture
def letter(partner):
    letter, _ = order_create(
        object_name="letter",
        partner=partner,
        live=False,
        to=contact(TO),
        from_=contact(FROM),
        content=OrderContent(html="<p>Dear {{to.firstName}}</p>"),
        description="Welcome letter",
    )
    return letter


def test_a_manager_accepts_usps_form_of_a_letter_address(
    page,
    live_server,
    browser_login,
    manager_user,
    letter,
    fake,
    screenshot,
):
    browser_login(page, manager_user)
    page.goto(f"{live_server.url}/admin/mailorders/letter/{letter.pk}/change/")
    page.get_by_role("link", name="Validate address").click()

    table = page.get_by_role("table", name="Stored and USPS addresses")
    expect(table).to_be_visible()
    zip4 = table.get_by_role("row").filter(has_text="ZIP+4")
    expect(zip4).to_contain_text("corrected")
    expect(page.locator(".usps-findings")).to_contain_text("Yes: USPS delivers to this address.")
    plus4 = re.search(r"\d{4}", zip4.locator("td").nth(1).inner_text()).group(0)
    screenshot(page, "admin-validate-address")

    page.get_by_role("button", name="Accept USPS's address").click()
    expect(page.locator(".messagelist")).to_contain_text("Accepted USPS's address")
    assert page.url.endswith(f"/admin/mailorders/letter/{letter.pk}/change/")
    stored = Contact.objects.get(pk=Letter.objects.get(pk=letter.pk).to_id)
    assert stored.postal_or_zip == f"10013-{plus4}"
    assert AuditEvent.objects.filter(action="order.address_correct").count() == 1
    assert len(fake.calls_of("addresses")) == 1


def test_a_manager_creates_a_label_from_the_rates_table(
    page,
    live_server,
    browser_login,
    manager_user,
    partner,
    fake,
    screenshot,
):
    account = ShipperAccount.objects.create(
        partner=partner,
        description="USPS Ship",
        sandbox=False,
        mailer_id="904128936",
        crid="56982563",
        manifest_mid="904128937",
        eps_account="1000000001",
    )
    browser_login(page, manager_user)
    page.goto(f"{live_server.url}/admin/mailorders/label/")
    page.get_by_role("link", name="Create a label").click()

    page.locator("#id_shipper_account").select_option(account.pk)
    fields = {
        "from_contact_name": "Acme Parcels",
        "from_street1": "230 W 200 S",
        "from_city": "Salt Lake City",
        "from_state": "UT",
        "from_postal_code": "84101",
        "to_contact_name": "Ada Lovelace",
        "to_street1": "145 Mulberry St",
        "to_city": "New York",
        "to_state": "NY",
        "to_postal_code": "10013",
        "weight_lb": "2",
        "length_in": "10",
        "width_in": "8",
        "height_in": "4",
    }
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_role("button", name="Get rates").click()

    rates = page.get_by_role("table", name="Rates")
    expect(rates).to_be_visible()
    rows = rates.locator("tbody tr")
    assert rows.count() >= 3
    priority = rows.filter(has=page.get_by_text("Priority Mail", exact=True))
    expect(priority).to_have_count(1)
    price = re.search(r"([\d.]+) USD", priority.inner_text()).group(1)
    screenshot(page, "admin-label-rates")

    page.get_by_label("Priority Mail", exact=True).check()
    page.get_by_role("button", name="Buy the label from USPS").click()

    expect(page.locator(".messagelist")).to_contain_text("Created label")
    label = Label.objects.get()
    assert page.url.endswith(f"/admin/mailorders/label/{label.pk}/change/")
    assert label.service_type == "usps-discounted_priority_mail"
    assert fake.purchases == 1
    assert str(label.charge_amount) == f"{fake.labels[label.tracking_number].postage:.2f}"
    assert price  # the table showed a price for the chosen service
