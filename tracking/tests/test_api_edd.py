from rest_framework.test import APIClient

from shipdesk.services import api_key_create

URL = "/tracking/2024-04/estimated-delivery-date/predict-batch"
ITEM = {
    "slug": "usps",
    "origin_address": {"country": "USA", "state": "WA", "postal_code": "98108"},
    "destination_address": {"country": "USA", "state": "CA", "postal_code": "92019"},
    "estimated_pickup": {
        "order_time": "2021-07-01 15:04:05",
        "order_cutoff_time": "20:00:00",
        "business_days": [1, 2, 3, 4, 5, 6, 7],
        "order_processing_time": {"unit": "day", "value": 0},
    },
}


def _client(partner):
    client = APIClient()
    client.credentials(HTTP_AS_API_KEY=api_key_create(partner=partner, name="edd")[1])
    return client


def test_predict_batch_answers_each_item_with_its_pickup_time(partner):
    response = _client(partner).post(URL, {"estimated_delivery_dates": [ITEM]}, format="json")

    assert response.status_code == 200
    (answer,) = response.json()["data"]["estimated_delivery_dates"]
    assert answer["estimated_pickup"]["pickup_time"] == "2021-07-01 20:00:00"
    assert answer["origin_address"]["postal_code"] == "98108"


def test_predict_batch_refuses_six_items_and_names_the_field(partner):
    response = _client(partner).post(URL, {"estimated_delivery_dates": [ITEM] * 6}, format="json")

    assert response.status_code == 400
    assert response.json()["meta"]["type"] == "BadRequest"
    assert "estimated_delivery_dates" in response.json()["meta"]["message"]


def test_predict_batch_names_a_bad_nested_field(partner):
    bad = {**ITEM, "estimated_pickup": {**ITEM["estimated_pickup"], "order_cutoff_time": "25:99"}}
    response = _client(partner).post(URL, {"estimated_delivery_dates": [bad]}, format="json")

    assert response.status_code == 400
    assert "order_cutoff_time" in response.json()["meta"]["message"]
