"""The proof-of-delivery forms start with the customer's own addresses (the shipment's e-mail
subscribers) filled in, and for USPS the customer's name: the agent checks rather than types."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db


def form_url(shipment, name: str) -> str:
    return reverse(name, kwargs={"public_id": shipment.public_id})


def test_the_email_form_starts_with_the_customers_address(
    page, live_server, browser_login, agent_user, delivered, screenshot
):
    shipment = delivered(customer_name="Grace Hopper", emails=["grace@example.com"])
    browser_login(page, agent_user)
    page.goto(f"{live_server.url}/shipments/{shipment.public_id}/")
    page.get_by_role("link", name="E-mail the proof of delivery…").click()
    expect(page.get_by_label("E-mail 1")).to_have_value("grace@example.com")
    expect(page.get_by_label("E-mail 2")).to_have_value("")
    screenshot(page, "pod-email-prefilled")
    page.get_by_role("button", name="Review…").click()
    expect(page.locator(".pod-recipients")).to_have_text("grace@example.com")


def test_each_subscribed_address_fills_a_slot(
    agent_client, delivered, django_assert_max_num_queries
):
    shipment = delivered(emails=["a@example.com", "b@example.com"], customer_name="Ada")
    with django_assert_max_num_queries(8):
        html = agent_client.get(form_url(shipment, "shipment-pod-email")).content.decode()
    assert 'name="email_1" value="a@example.com"' in html
    assert 'name="email_2" value="b@example.com"' in html
    assert 'name="email_3" value=' not in html


def test_the_usps_form_also_starts_with_the_customers_name(agent_client, delivered):
    shipment = delivered(customer_name="Grace Brewster Hopper", emails=["grace@example.com"])
    html = agent_client.get(form_url(shipment, "shipment-pod-usps")).content.decode()
    assert 'name="email_1" value="grace@example.com"' in html
    assert 'name="first_name_1" value="Grace"' in html
    assert 'name="last_name_1" value="Brewster Hopper"' in html
    assert 'name="first_name_2" value=' not in html


def test_what_the_agent_typed_wins_over_the_prefill(agent_client, delivered):
    shipment = delivered(customer_name="Grace Hopper", emails=["grace@example.com"])
    response = agent_client.post(
        form_url(shipment, "shipment-pod-email"),
        {"letter_type": "PROOF_OF_DELIVERY", "email_1": "claims@insurer.example"},
    )
    html = response.content.decode()
    assert "claims@insurer.example" in html and "grace@example.com" not in html


def test_no_address_leaves_the_form_empty(agent_client, delivered):
    shipment = delivered()
    html = agent_client.get(form_url(shipment, "shipment-pod-email")).content.decode()
    assert 'name="email_1" value=' not in html
