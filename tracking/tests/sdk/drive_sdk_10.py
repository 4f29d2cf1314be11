"""A partner's program on the official AfterShip SDK 10.x (API 2026-07), unchanged.

Run by tracking/tests/sdk/test_official_sdks.py in the SDK's own virtualenv (`python -I`, so
`import tracking` is the SDK, not shipdesk's app). Reads SHIPDESK_URL, SHIPDESK_KEY, NUMBERS
(comma-separated tracking numbers to create) and CONNECTIONS ("1" to manage courier
connections, with the credentials in CONNECTION_CREDENTIALS); prints what it saw as JSON.
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
numbers = os.environ["NUMBERS"].split(",")
seen = {}


def dump(model):
    return model.model_dump(mode="json")


def refusal(call):
    try:
        call()
    except exceptions.ApiException as exc:
        return {"status": exc.status_code, "meta_code": exc.meta_code, "message": exc.message}
    return None


customer = tracking.CreateTrackingRequestCustomers(
    role="buyer",
    name="Ann Example",
    email="ann@example.com",
    phone_number="+18555072509",
    language="en",
)
created = []
for index, number in enumerate(numbers):
    request = tracking.CreateTrackingRequest(
        tracking_number=number,
        slug="usps",
        title=f"Order {index}",
        order_id=f"ORD-{index}",
        customers=[customer] if index == 0 else None,
        destination_country_region="USA",
        order_promised_delivery_date=tracking.CreateTrackingRequestOrderPromisedDeliveryDate(
            promised_delivery_date="2026-12-20"
        ),
        shipment_direction=tracking.CreateTrackingRequestShipmentDirection.FORWARD,
        shipment_tags=["gift"],
        custom_fields={"sku": "A1"},
    )
    created.append(sdk.tracking.create_tracking(request).data)
first = created[0]
seen["created"] = dump(first)
seen["read"] = dump(sdk.tracking.get_tracking_by_id(first.id).data)

pages, cursor = [], None
while True:
    params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
    page = sdk.tracking.get_trackings(**params).data
    pages.append([t.id for t in page.trackings])
    cursor = page.pagination.next_cursor
    if not page.pagination.has_next_page:
        break
seen["pages"] = pages
seen["keyword"] = [t.id for t in sdk.tracking.get_trackings(keyword="Ann Example").data.trackings]

update = tracking.UpdateTrackingByIdRequest(
    title="Renamed",
    customers=[
        tracking.UpdateTrackingByIdRequestCustomers(
            role="receiver", name="Bo Example", email="bo@example.com"
        )
    ],
)
seen["updated"] = dump(sdk.tracking.update_tracking_by_id(first.id, update).data)
complete = tracking.MarkTrackingCompletedByIdRequest(
    reason=tracking.MarkTrackingCompletedByIdRequestReason.DELIVERED,
    event_datetime="2026-12-01T10:00:00-05:00",
)
seen["completed"] = dump(sdk.tracking.mark_tracking_completed_by_id(first.id, complete).data)
seen["retracked"] = dump(sdk.tracking.retrack_tracking_by_id(first.id).data)
last = created[-1]
seen["deleted"] = dump(sdk.tracking.delete_tracking_by_id(last.id).data)
seen["deleted_read"] = refusal(lambda: sdk.tracking.get_tracking_by_id(last.id))

seen["bad_country"] = refusal(
    lambda: sdk.tracking.create_tracking(
        tracking.CreateTrackingRequest(tracking_number=numbers[0], origin_country_region="XYZ")
    )
)
seen["exists"] = refusal(
    lambda: sdk.tracking.create_tracking(tracking.CreateTrackingRequest(tracking_number=numbers[0]))
)

detect = tracking.DetectCourierRequest(tracking_number=numbers[0])
seen["detected"] = dump(sdk.courier.detect_courier(detect).data)
seen["couriers"] = dump(sdk.courier.get_couriers().data)

estimate = tracking.EstimatedDeliveryDateRequest(
    slug="usps",
    origin_address=tracking.EstimatedDeliveryDateRequestOriginAddress(
        country_region="USA", postal_code="10001"
    ),
    destination_address=tracking.EstimatedDeliveryDateRequestDestinationAddress(
        country_region="USA", postal_code="94105"
    ),
    pickup_time="2026-12-01 10:00:00",
)
seen["predicted"] = dump(sdk.estimated_delivery_date.predict(estimate).data)
batch = tracking.PredictBatchRequest(estimated_delivery_dates=[estimate, estimate])
seen["predicted_batch"] = dump(sdk.estimated_delivery_date.predict_batch(batch).data)

if os.environ.get("CONNECTIONS") == "1":
    credentials = json.loads(os.environ["CONNECTION_CREDENTIALS"])
    api = sdk.courier_connection
    made = api.post_courier_connections(
        tracking.PostCourierConnectionsRequest(courier_slug="usps", credentials=credentials)
    ).data
    seen["connection_created"] = dump(made)
    seen["connection_read"] = dump(api.get_courier_connections_by_id(made.id).data)
    seen["connections"] = dump(api.get_courier_connections().data)
    changed = tracking.PutCourierConnectionsByIdRequest(credentials=credentials)
    seen["connection_updated"] = dump(api.put_courier_connections_by_id(made.id, changed).data)
    seen["connection_deleted"] = dump(api.delete_courier_connections_by_id(made.id).data)
    seen["connection_gone"] = refusal(lambda: api.get_courier_connections_by_id(made.id))

print(json.dumps(seen))
