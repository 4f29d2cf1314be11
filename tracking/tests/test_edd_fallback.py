"""Estimates on a new install: no delivered history yet, yet never a null for a US lane; the
learnt model takes over as soon as it has data; the shipment page and the API agree."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from playwright.sync_api import expect

from shipdesk.services import api_key_create
from tracking import edd
from tracking.services.edd import edd_predict_batch
from tracking.services.shipments import shipment_create
from tracking.tests.api.support import PartnerClient, impb

URL = "/tracking/2024-04/estimated-delivery-date/predict-batch"
# Seattle → El Cajon, picked up Thursday 1 July 2021 before the cutoff.
ITEM = {
    "slug": "usps",
    "service_type_name": "Priority Mail",
    "origin_address": {"country": "USA", "state": "WA", "postal_code": "98108"},
    "destination_address": {"country": "USA", "state": "CA", "postal_code": "92019"},
    "pickup_time": "2021-07-01 15:00:00",
}


def dates(answer):
    return (
        answer["estimated_delivery_date_min"],
        answer["estimated_delivery_date"],
        answer["estimated_delivery_date_max"],
    )


@pytest.mark.django_db
def test_a_fresh_database_answers_every_item_from_the_zone_table(partner):
    api = PartnerClient(api_key_create(partner=partner, name="checkout")[1])
    items = [
        ITEM,
        {**ITEM, "service_type_name": None},
        {**ITEM, "service_type_name": "Priority Mail Express"},
        {**ITEM, "destination_address": {"country": "USA", "postal_code": "99501"}},  # Alaska
        {**ITEM, "origin_address": {"country": "USA", "state": "Washington"}},  # no ZIP
    ]

    response = api.post(URL, {"estimated_delivery_dates": items}, format="json")

    assert response.status_code == 200, response.content
    answers = response.json()["data"]["estimated_delivery_dates"]
    for answer in answers:
        assert None not in dates(answer), answer
        assert answer["confidence_code"] == edd.CODE_FEW_DATA
    priority, ground, express, alaska, by_state = answers
    assert dates(priority) == ("2021-07-03", "2021-07-06", "2021-07-06")  # zone 5: 2-3 days
    assert dates(express) < dates(priority) < dates(ground)
    assert dates(alaska) > dates(priority)
    assert dates(by_state) == dates(priority)


def test_the_learnt_model_wins_once_the_lane_has_history():
    picked = datetime(2021, 6, 28, 10, 0)  # a Monday
    history = [
        edd.TransitRecord("98108", "92019", "Priority Mail", picked, date(2021, 6, 29))
        for _ in range(40)
    ]
    model = edd.EddModel.learn(history)

    [answer] = edd_predict_batch(items=[ITEM], model=model)

    # Every delivery took one business day: Friday 2 July, whatever the table would say.
    assert dates(answer) == ("2021-07-02", "2021-07-02", "2021-07-02")
    assert answer["confidence_code"] != edd.CODE_FEW_DATA
    [table] = edd_predict_batch(items=[ITEM], model=edd.EddModel())
    assert dates(table) != dates(answer)


@pytest.mark.django_db(transaction=True)
def test_the_shipment_page_shows_the_estimate_the_api_answers(
    page, live_server, browser_login, agent_user, partner
):
    shipment = shipment_create(
        partner=partner,
        tracking_number=impb(7),
        origin_postal_code="98108",
        destination_postal_code="92019",
        destination_state="CA",
        mail_class="Priority Mail",
    )
    api = PartnerClient(api_key_create(partner=partner, name="backend")[1])
    tracking = api.get(f"/tracking/2024-04/trackings/{shipment.public_id}").json()["data"][
        "tracking"
    ]
    estimate = tracking["aftership_estimated_delivery_date"]
    assert estimate is not None and estimate["confidence_code"] == edd.CODE_FEW_DATA
    likely = date.fromisoformat(estimate["estimated_delivery_date"])
    low = date.fromisoformat(estimate["estimated_delivery_date_min"])
    high = date.fromisoformat(estimate["estimated_delivery_date_max"])

    browser_login(page, agent_user)
    page.goto(f"{live_server.url}/shipments/{shipment.public_id}/")

    shown = page.locator("dt", has_text="shipdesk's estimate").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(shown).to_contain_text(f"{likely:%a}, {likely:%b} {likely.day}, {likely.year}")
    if low != high:
        expect(shown).to_contain_text(f"between {low:%b} {low.day} and {high:%b} {high.day}")
    expect(shown).to_contain_text("low confidence")
