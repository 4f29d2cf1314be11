"""A partner's program on the official AfterShip SDK 2.0.2 (API 2024-04), unchanged.

Run by tracking/tests/sdk/test_official_sdks.py in the SDK's own virtualenv (`python -I`).
Reads SHIPDESK_URL, SHIPDESK_KEY and NUMBERS; prints what it saw as JSON.
"""

import json
import os

import tracking
from tracking import exceptions

sdk = tracking.Client(
    tracking.Configuration(
        api_key=os.environ["SHIPDESK_KEY"], domain=os.environ["SHIPDESK_URL"], max_retry=0
    )
)
first_number, second_number = os.environ["NUMBERS"].split(",")[:2]
seen = {}


def dump(model):
    return model.model_dump(mode="json")


def refusal(call):
    try:
        call()
    except exceptions.ApiException as exc:
        return {"status": exc.status_code, "meta_code": exc.meta_code, "message": exc.message}
    return None


request = tracking.TrackingCreateTrackingRequest(
    tracking_number=first_number,
    slug="usps",
    title="Order 1",
    order_id="ORD-1",
    emails=["ann@example.com"],
    smses=["+18555072509"],
    customer_name="Ann Example",
    destination_country_iso3="USA",
    order_promised_delivery_date="2030-01-01",
)
created = sdk.tracking.create_tracking(request)
seen["created"] = dump(created)
sdk.tracking.create_tracking({"tracking_number": second_number, "slug": "usps"})
seen["read"] = dump(sdk.tracking.get_tracking_by_id(created.id))
seen["by_number"] = dump(sdk.tracking.get_tracking_by_slug_tracking_number("usps", first_number))
listed = sdk.tracking.get_trackings(limit=1)
seen["listed"] = dump(listed)
seen["updated"] = dump(sdk.tracking.update_tracking_by_id(created.id, {"title": "Renamed"}))
seen["notified"] = dump(
    sdk.notification.add_notification_by_tracking_id(created.id, {"emails": ["bo@example.com"]})
)
seen["last_checkpoint"] = dump(sdk.last_checkpoint.get_checkpoint_by_tracking_id(created.id))
seen["completed"] = dump(
    sdk.tracking.mark_tracking_completed_by_id(created.id, {"reason": "DELIVERED"})
)
seen["retracked"] = dump(sdk.tracking.retrack_tracking_by_id(created.id))
seen["retrack_again"] = refusal(lambda: sdk.tracking.retrack_tracking_by_id(created.id))
seen["detected"] = dump(sdk.courier.detect_courier({"tracking_number": first_number}))
seen["couriers"] = dump(sdk.courier.get_user_couriers())
seen["all_couriers"] = dump(sdk.courier.get_all_couriers())
estimate = {
    "slug": "usps",
    "origin_address": {"country": "USA", "postal_code": "10001"},
    "destination_address": {"country": "USA", "postal_code": "94105"},
    "pickup_time": "2026-12-01 10:00:00",
}
seen["predicted_batch"] = dump(
    sdk.estimated_delivery_date.predict_batch({"estimated_delivery_dates": [estimate]})
)
seen["deleted"] = dump(sdk.tracking.delete_tracking_by_slug_tracking_number("usps", second_number))
seen["deleted_read"] = refusal(
    lambda: sdk.tracking.get_tracking_by_slug_tracking_number("usps", second_number)
)
print(json.dumps(seen))
