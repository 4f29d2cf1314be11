"""Creating a label in admin: the rates table of a sandbox or live account (the fake USPS
server, over HTTP), the purchase through the label service, never two for one form, and USPS's
refusals said plainly with nothing bought or left behind."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from mailorders.choices import LabelStatus
from mailorders.models import Label, ShipperAccount
from shipdesk.models import AuditEvent
from tracking.models import Shipment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake")]

CREATE = "/admin/mailorders/label/create/"


@pytest.fixture
def sandbox(partner):
    return ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")


def form(account, **overrides) -> dict:
    from django.utils import timezone

    data = {
        "shipper_account": account.pk,
        "attempt": "5f0c6d1e2a3b4c5d6e7f8091a2b3c4d5",
        "from_contact_name": "Acme Parcels",
        "from_company_name": "Acme Parcels",
        "from_street1": "230 W 200 S",
        "from_city": "Salt Lake City",
        "from_state": "UT",
        "from_postal_code": "84101",
        "to_contact_name": "Ada Lovelace",
        "to_street1": "145 Mulberry St",
        "to_street2": "Apt PH D",
        "to_city": "New York",
        "to_state": "NY",
        "to_postal_code": "10013",
        "weight_lb": "2.5",
        "length_in": "10",
        "width_in": "8",
        "height_in": "4",
        "ship_date": timezone.localdate().isoformat(),
        "paper_size": "4x6",
        "reference": "PO-77",
        "order_number": "",
    }
    return {**data, **overrides}


def rates(page: str) -> dict[str, str]:
    """The rates table: radio value → its row's price."""
    rows = re.findall(
        r'name="rate" id="rate-\d+" value="([^"]+)".*?<td>([\d.]+ USD)</td>', page, re.S
    )
    return dict(rows)


def said(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


PRIORITY = "usps-discounted_priority_mail|custom"


def test_the_label_list_offers_create_a_label(manager_client, django_assert_max_num_queries):
    page = manager_client.get("/admin/mailorders/label/").content.decode()
    assert f'href="{CREATE}"' in page
    with django_assert_max_num_queries(8):
        response = manager_client.get(CREATE)
    assert response.status_code == 200
    assert 'name="attempt"' in response.content.decode()


def test_a_sandbox_account_shows_its_rates_and_creates_the_chosen_label_once(
    manager_client, sandbox, fake, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = manager_client.post(CREATE, {**form(sandbox), "rates": "Get rates"})
    page = response.content.decode()
    table = rates(page)
    assert PRIORITY in table and "usps-discounted_express_mail|custom" in table
    assert "sandbox: illustrative prices" in page
    assert not fake.calls  # a sandbox asks USPS nothing

    buy = {**form(sandbox), "rate": PRIORITY, "buy": "Create the label"}
    response = manager_client.post(CREATE, buy)
    label = Label.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/mailorders/label/{label.pk}/change/"
    assert label.service_type == "usps-discounted_priority_mail"
    assert label.status == LabelStatus.CREATED and label.references == ["PO-77"]
    assert label.ship_to["street2"] == "Apt PH D" and label.ship_to["country"] == "USA"
    assert AuditEvent.objects.get(action="label.create").actor_label == "max.manager"

    # The same form sent again (a double click, a resend): the same label, nothing more.
    response = manager_client.post(CREATE, buy, follow=True)
    assert Label.objects.count() == 1 and Shipment.objects.count() == 1
    assert any("nothing more was bought" in m for m in said(response))


def test_a_live_account_rates_from_usps_and_buys_once(manager_client, live, fake):
    page = manager_client.post(CREATE, {**form(live), "rates": "Get rates"}).content.decode()
    table = rates(page)
    assert fake.calls_of("prices")
    assert PRIORITY in table and "(USPS)" in page

    buy = {**form(live, order_number="A-2001"), "rate": PRIORITY, "buy": "Buy"}
    response = manager_client.post(CREATE, buy, follow=True)
    label = Label.objects.get()
    assert label.tracking_number in fake.labels and fake.purchases == 1
    assert any(f"Created {label}" in m for m in said(response))
    assert label.order_number == "A-2001"

    manager_client.post(CREATE, buy)
    assert fake.purchases == 1 and Label.objects.count() == 1


def assert_nothing_made(fake):
    assert not Label.objects.exists() and not Shipment.objects.exists()
    assert fake.purchases == 0


def test_an_undeliverable_address_is_refused_with_usps_words(manager_client, live, fake):
    buy = {**form(live, to_street1="1 Nowhere St"), "rate": PRIORITY, "buy": "Buy"}
    response = manager_client.post(CREATE, buy)
    assert response.status_code == 200
    [message] = said(response)
    assert message.startswith("No label was made: USPS:") and "Address Not Found" in message
    assert_nothing_made(fake)


def test_an_overweight_parcel_is_refused_on_its_field(manager_client, live, fake):
    response = manager_client.post(CREATE, {**form(live, weight_lb="80"), "rates": "Get rates"})
    page = response.content.decode()
    assert re.search(r'field-weight_lb">\s*<ul class="errorlist"[^>]*><li>[^<]*70 lb', page)
    assert not fake.calls_of("prices")
    assert_nothing_made(fake)


def test_a_mail_class_usps_refuses_says_so(manager_client, live, fake):
    fake.refused_express_zips.add("10013")
    page = manager_client.post(CREATE, {**form(live), "rates": "Get rates"}).content.decode()
    assert "usps-discounted_express_mail|custom" not in rates(page)
    buy = {**form(live), "rate": "usps-discounted_express_mail|custom", "buy": "Buy"}
    response = manager_client.post(CREATE, buy)
    [message] = said(response)
    assert "does not qualify for the selected mail class" in message
    assert_nothing_made(fake)


def test_an_account_without_its_crid_is_refused(manager_client, live, fake):
    ShipperAccount.objects.filter(pk=live.pk).update(crid="", manifest_mid="")
    buy = {**form(live), "rate": PRIORITY, "buy": "Buy"}
    [message] = said(manager_client.post(CREATE, buy))
    assert "cannot buy USPS labels" in message and "crid" in message
    assert not fake.calls_of("labels")
    assert_nothing_made(fake)


def test_expired_credentials_are_said_and_nothing_is_bought(manager_client, live, fake):
    manager_client.post(CREATE, {**form(live), "rates": "Get rates"})
    fake.client_secret = "rotated-at-usps"
    fake.expire_tokens()
    buy = {**form(live), "rate": PRIORITY, "buy": "Buy"}
    [message] = said(manager_client.post(CREATE, buy))
    assert "USPS refused its credentials" in message
    assert "Client credentials invalid" in message
    assert_nothing_made(fake)


def test_a_purchase_without_a_chosen_rate_is_refused(manager_client, sandbox):
    response = manager_client.post(CREATE, {**form(sandbox), "buy": "Create the label"})
    assert "Choose a service in the rates table first." in response.content.decode()
    assert not Label.objects.exists()


def test_staff_outside_the_managers_cannot_create(client, django_user_model, sandbox):
    clerk = django_user_model.objects.create_user("sam.staff", is_staff=True)
    client.force_login(clerk)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {**form(sandbox), "rate": PRIORITY, "buy": "x"}).status_code == 403
    assert not Label.objects.exists()


def test_create_a_label_like_another_fills_the_form(
    manager_client, sandbox, django_assert_max_num_queries
):
    manager_client.post(CREATE, {**form(sandbox), "rate": PRIORITY, "buy": "Create the label"})
    label = Label.objects.get()
    page = manager_client.get(f"/admin/mailorders/label/{label.pk}/change/").content.decode()
    assert f'href="{CREATE}?like={label.pk}"' in page
    with django_assert_max_num_queries(9):
        page = manager_client.get(f"{CREATE}?like={label.pk}").content.decode()
    assert 'value="145 Mulberry St"' in page and 'value="Apt PH D"' in page
    assert 'value="2.50"' in page and 'value="PO-77"' in page
    assert f'<option value="{sandbox.pk}" selected>' in page
    assert "5f0c6d1e2a3b4c5d6e7f8091a2b3c4d5" not in page  # a new attempt, so a new label
