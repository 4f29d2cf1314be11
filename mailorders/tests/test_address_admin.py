""" "Validate address" on a mail order's and a label's admin page, against the fake USPS server
over HTTP: USPS's form beside the stored one, accepted into the record and the audit trail, and
every refusal changing nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from mailorders.choices import AddressStatus, OrderStatus
from mailorders.models import Contact, Label, Letter, ShipperAccount
from mailorders.services.labels import label_create
from mailorders.tests.label_bodies import label_body
from shipdesk.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake")]


@pytest.fixture
def letter(create_letter):
    return Letter.objects.select_related("to").get(pk=create_letter()["id"])


def page_url(obj) -> str:
    kind = "label" if isinstance(obj, Label) else "letter"
    return f"/admin/mailorders/{kind}/{obj.pk}/validate-address/"


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, "no accept form"
    return match.group(1)


def said(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def test_the_letter_page_offers_validate_address(manager_client, letter):
    page = manager_client.get(f"/admin/mailorders/letter/{letter.pk}/change/").content.decode()
    assert f'href="{page_url(letter)}"' in page and "Validate address" in page


def test_usps_form_is_shown_and_accepted_into_the_contact_and_the_audit(
    manager_client, letter, fake, django_assert_max_num_queries
):
    old_pdf = letter.pdf.name
    manager_client.get(page_url(letter))  # the first check also fetches the OAuth token
    # The page's own reads, the cached token, the hourly budget's slot: none per row.
    with django_assert_max_num_queries(15):
        response = manager_client.get(page_url(letter))
    page = response.content.decode()
    assert response.status_code == 200
    call = fake.calls_of("addresses")[-1]
    assert call.params["streetAddress"] == "145 Mulberry St" and call.params["ZIPCode"] == "10013"
    plus4 = re.search(r"10013-(\d{4})", page).group(1)
    assert "145 Mulberry St" in page and "145 MULBERRY ST" in page
    assert "Yes: USPS delivers to this address." in page
    assert re.search(r"<dt>Vacant</dt><dd>No</dd>", page)

    response = manager_client.post(page_url(letter), {"side": "to", "token": token_of(page)})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/mailorders/letter/{letter.pk}/change/"
    contact = Contact.objects.get(pk=letter.to_id)
    assert contact.postal_or_zip == f"10013-{plus4}"
    assert contact.address_line1 == "145 MULBERRY ST" and contact.city == "NEW YORK"
    assert contact.address_status == AddressStatus.CORRECTED
    assert contact.first_name == "Ada"  # names are never touched
    event = AuditEvent.objects.get(action="order.address_correct")
    assert event.actor_label == "max.manager"
    assert event.detail["before"][4:] == ["10013", ""]
    assert event.detail["after"][4:] == ["10013", plus4]
    assert {t.object_id for t in event.targets.all()} == {letter.pk, contact.pk}
    letter.refresh_from_db()
    assert letter.pdf.name != old_pdf  # printed again with the corrected address
    assert len(fake.calls_of("addresses")) == 2  # the accept asked USPS nothing more


def test_an_address_usps_cannot_match_shows_usps_words_and_offers_nothing(
    manager_client, create_letter, fake
):
    body = create_letter(to={**_to(), "addressLine1": "1 Nowhere St"})
    letter = Letter.objects.get(pk=body["id"])
    page = manager_client.get(page_url(letter)).content.decode()
    assert "There is no match for the address requested." in page
    assert 'name="token"' not in page
    assert Contact.objects.get(pk=letter.to_id).address_line1 == "1 Nowhere St"
    assert not AuditEvent.objects.filter(action="order.address_correct").exists()


def test_usps_out_of_reach_is_said_and_changes_nothing(manager_client, letter, fake):
    fake.fail_next("addresses", 1, status=503)
    response = manager_client.get(page_url(letter))
    page = response.content.decode()
    assert response.status_code == 200
    assert "USPS could not check the address: USPS is unavailable" in page
    assert 'name="token"' not in page
    assert Contact.objects.get(pk=letter.to_id).postal_or_zip == "10013"


def test_an_address_changed_since_the_check_is_not_overwritten(manager_client, letter):
    token = token_of(manager_client.get(page_url(letter)).content.decode())
    Contact.objects.filter(pk=letter.to_id).update(address_line1="150 Mulberry St")
    response = manager_client.post(page_url(letter), {"side": "to", "token": token}, follow=True)
    assert any("The address changed since it was checked" in m for m in said(response))
    assert Contact.objects.get(pk=letter.to_id).address_line1 == "150 Mulberry St"
    assert not AuditEvent.objects.filter(action="order.address_correct").exists()


def test_an_altered_check_is_refused(manager_client, letter):
    token = token_of(manager_client.get(page_url(letter)).content.decode())
    response = manager_client.post(
        page_url(letter), {"side": "to", "token": token[:-2] + "xx"}, follow=True
    )
    assert any("too old or was altered" in m for m in said(response))
    assert Contact.objects.get(pk=letter.to_id).postal_or_zip == "10013"


def test_a_printing_order_is_checked_but_not_corrected(manager_client, letter):
    token = token_of(manager_client.get(page_url(letter)).content.decode())
    Letter.objects.filter(pk=letter.pk).update(status=OrderStatus.PRINTING)
    page = manager_client.get(page_url(letter)).content.decode()
    assert "The order is printing: its address can no longer be changed." in page
    assert 'name="token"' not in page
    response = manager_client.post(page_url(letter), {"side": "to", "token": token}, follow=True)
    assert any("can no longer be changed" in m for m in said(response))
    assert Contact.objects.get(pk=letter.to_id).postal_or_zip == "10013"


def test_staff_outside_the_managers_cannot_validate(client, django_user_model, letter, fake):
    clerk = django_user_model.objects.create_user("sam.staff", is_staff=True, is_superuser=False)
    client.force_login(clerk)
    assert client.get(page_url(letter)).status_code == 403
    assert not fake.calls_of("addresses")


def test_a_live_label_address_is_checked_on_its_account_and_accepted(
    manager_client, partner, live, fake, django_assert_max_num_queries
):
    label = label_create(partner=partner, data=label_body(live.pk))  # the token is cached
    with django_assert_max_num_queries(15):
        page = manager_client.get(page_url(label) + "?side=ship_to").content.decode()
    assert "Ship from" in page  # the other addresses are offered
    response = manager_client.post(
        page_url(label), {"side": "ship_to", "token": token_of(page)}, follow=True
    )
    [message] = said(response)
    assert "Accepted USPS's address as the ship to address." in message
    assert "cancel it and create a new one" in message
    label.refresh_from_db()
    assert label.ship_to["street1"] == "145 MULBERRY ST"
    assert label.ship_to["street2"] == "APT PH D"
    assert re.fullmatch(r"10013-\d{4}", label.ship_to["postal_code"])
    assert label.ship_to["contact_name"] == "Ada Lovelace"
    event = AuditEvent.objects.get(action="label.address_correct")
    assert event.detail["side"] == "ship_to"


def test_a_sandbox_label_is_tidied_not_confirmed(manager_client, partner, fake):
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    label = label_create(partner=partner, data=label_body(account.pk))
    page = manager_client.get(page_url(label)).content.decode()
    assert "Not checked with USPS (sandbox)" in page
    assert not fake.calls_of("addresses")


def _to() -> dict:
    from mailorders.tests.conftest import TO

    return dict(TO)
