"""AfterShip Tracking API 2026-07: its shapes, its errors, and the same trackings as 2024-04."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracking.choices import Subtag
from tracking.models import Shipment
from tracking.tests.api.support import days_ago, error, impb, ok, snapshot
from tracking.tests.api.support import url as url_2024

PREFIX = "/tracking/2026-07"
CUSTOMER = {
    "role": "buyer",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone_number": "+18555072509",
    "language": "en",
    "id": "cus_1",
}


def url(*parts: str) -> str:
    return "/".join([PREFIX, *parts])


def create(api, **fields):
    return ok(api.post(url("trackings"), {"tracking_number": impb(7), **fields}), 201)


def test_a_tracking_is_created_flat_and_answered_as_the_data_itself(api):
    data = create(
        api,
        title="Order 1",
        customers=[CUSTOMER],
        origin_country_region="usa",
        destination_country_region="CAN",
        order_promised_delivery_date={
            "promised_delivery_date": "2026-12-20",
            "promised_delivery_date_min": "2026-12-18",
            "promised_delivery_date_max": "2026-12-21",
        },
        shipment_direction="forward",
        shipment_tags=["gift"],
        delivery_type="door_to_door",
    )

    assert data["tracking_number"] == impb(7)
    assert data["customers"] == [CUSTOMER]
    assert (data["origin_country_region"], data["destination_country_region"]) == ("USA", "CAN")
    assert data["order_promised_delivery_date"] == {
        "promised_delivery_date": "2026-12-20",
        "promised_delivery_date_min": "2026-12-18",
        "promised_delivery_date_max": "2026-12-21",
    }
    assert data["shipment_direction"] == "forward"
    assert data["shipment_tags"] == ["gift"]
    assert data["subscribed_emails"] == ["ada@example.com"]
    assert data["subscribed_smses"] == ["+18555072509"]
    # What shipdesk has no value for is null, never invented.
    for name in (
        "courier_estimated_delivery_date",
        "first_estimated_delivery",
        "shipment_dimensions",
        "carbon_emissions",
        "first_mile",
        "last_mile",
        "courier_connection_id",
    ):
        assert data[name] is None, name
    assert "emails" not in data and "origin_country_iso3" not in data
    assert ok(api.get(url("trackings", data["id"]))) == data


def test_a_tracking_reads_the_same_on_both_versions(api):
    data = create(api, customers=[CUSTOMER], destination_country_region="USA")
    old = ok(api.get(url_2024("trackings", data["id"])))["tracking"]

    assert old["emails"] == ["ada@example.com"] and old["smses"] == ["+18555072509"]
    assert old["customer_name"] == "Ada Lovelace"
    assert old["destination_country_iso3"] == "USA"

    made_old = ok(
        api.post(
            url_2024("trackings"),
            {
                "tracking": {
                    "tracking_number": impb(8),
                    "emails": ["bob@example.com"],
                    "customer_name": "Bob",
                    "origin_country_iso3": "USA",
                }
            },
        ),
        201,
    )["tracking"]
    new = ok(api.get(url("trackings", made_old["id"])))
    assert new["customers"] == [
        {
            "role": None,
            "name": "Bob",
            "phone_number": None,
            "email": "bob@example.com",
            "language": None,
            "id": None,
        }
    ]
    assert new["origin_country_region"] == "USA"


def test_an_address_removed_on_2024_04_leaves_the_2026_07_customer(api):
    data = create(api, customers=[CUSTOMER])
    ok(api.post(url_2024("notifications", data["id"], "remove"), {"emails": [CUSTOMER["email"]]}))

    (customer,) = ok(api.get(url("trackings", data["id"])))["customers"]
    assert customer == {**CUSTOMER, "email": None}


def test_update_replaces_the_customers_and_keeps_the_rest(api):
    data = create(api, customers=[CUSTOMER], title="Keep me")
    other = {"role": "receiver", "name": "Grace", "email": "grace@example.com"}

    updated = ok(api.put(url("trackings", data["id"]), {"customers": [other]}))

    assert updated["title"] == "Keep me"
    assert [c["email"] for c in updated["customers"]] == ["grace@example.com"]
    assert updated["subscribed_emails"] == ["grace@example.com"]
    assert updated["subscribed_smses"] == []


def test_keyword_searches_the_customers(api):
    create(api, customers=[CUSTOMER, {"name": "Second Person", "email": "two@example.com"}])

    for keyword in ("Second Person", "ada@example.com", "+18555072509"):
        data = ok(api.get(url("trackings"), {"keyword": keyword}))
        assert len(data["trackings"]) == 1, keyword


def test_the_list_pages_with_signed_cursors(api, make_shipment):
    for n in range(5):
        make_shipment(now=days_ago(n))

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        data = ok(api.get(url("trackings"), params))
        assert set(data) == {"pagination", "trackings"}
        assert data["pagination"]["total"] == 5
        seen += [t["id"] for t in data["trackings"]]
        cursor = data["pagination"]["next_cursor"]
        assert data["pagination"]["has_next_page"] is (cursor is not None)
        if cursor is None:
            break

    newest_first = Shipment.objects.order_by("-created_at", "-id").values_list(
        "public_id", flat=True
    )
    assert seen == list(newest_first)


def test_a_cursor_of_another_partner_or_version_is_refused(api, other_api, make_shipment):
    for n in range(3):
        make_shipment(now=days_ago(n))
    cursor = ok(api.get(url("trackings"), {"limit": 1}))["pagination"]["next_cursor"]

    for client, path in ((other_api, url("trackings")), (api, url("trackings"))):
        bad = cursor if client is other_api else cursor[:-2] + "xx"
        meta = error(client.get(path, {"cursor": bad}), 400, code=4008, says=("cursor",))
        assert meta["message"].startswith("cursor: ")
    # 2024-04's own cursor is a page number, and a 2026-07 cursor is no page number.
    error(api.get(url_2024("trackings"), {"page": cursor}), 400)
    from tracking.api.versions import cursor as cursors

    other_version = cursors.cursor_make(
        partner_id=api.key.partner_id,
        version="2024-04",
        created_at=Shipment.objects.first().created_at,
        row_id=1,
    )
    error(api.get(url("trackings"), {"cursor": other_version}), 400, code=4008)


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"customers": [CUSTOMER] * 4}, "customers", 4008),
        ({"customers": [{"email": 5}]}, "customers.0.email", 4008),
        ({"customers": "ada@example.com"}, "customers", 4008),
        ({"destination_country_region": "XXX"}, "destination_country_region", 4008),
        ({"origin_country_region": "US"}, "origin_country_region", 4008),
        ({"title": 12}, "title", 4008),
        ({"shipment_direction": "sideways"}, "shipment_direction", 4008),
        ({"order_promised_delivery_date": "2026-12-20"}, "order_promised_delivery_date", 4008),
        ({"tracking_number": None}, "tracking_number", 4008),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, body, field, code):
    existing = create(api, customers=[CUSTOMER])
    before = snapshot(Shipment.objects.get(public_id=existing["id"]))

    for method, path, payload in (
        (api.post, url("trackings"), {"tracking_number": impb(9), **body}),
        (api.put, url("trackings", existing["id"]), body),
    ):
        if method == api.put and field == "tracking_number":
            continue
        meta = error(method(path, payload), 400, code=code)
        assert meta["message"].startswith(f"{field}: "), meta["message"]
    assert snapshot(Shipment.objects.get(public_id=existing["id"])) == before
    assert Shipment.objects.count() == 1


def test_a_missing_value_is_4009(api):
    meta = error(api.post(url("trackings"), {"title": "x"}), 400, code=4009)
    assert meta["message"].startswith("tracking_number: ")


def test_retrack_complete_and_delete(api):
    data = create(api)
    completed = ok(
        api.post(
            url("trackings", data["id"], "mark-as-completed"),
            {"reason": "DELIVERED", "event_datetime": "2026-12-01T10:00:00-05:00"},
        )
    )
    assert (completed["tag"], completed["subtag"], completed["active"]) == (
        "Delivered",
        "Delivered_001",
        False,
    )
    # The partner's word for when it was delivered (the carrier gave no time).
    assert completed["shipment_delivery_date"] == "2026-12-01T15:00:00"

    retracked = ok(api.post(url("trackings", data["id"], "retrack")))
    assert retracked["active"] is True

    deleted = ok(api.delete(url("trackings", data["id"])))
    assert deleted["id"] == data["id"] and deleted["tracking_number"] == data["tracking_number"]
    error(api.get(url("trackings", data["id"])), 404, code=4004)


def test_slug_and_number_paths_are_gone_and_unknown_versions_answer_json_404(api):
    data = create(api)
    error(api.get(url("trackings", "usps", data["tracking_number"])), 404)
    error(api.get(url("last_checkpoint", data["id"])), 404)
    error(api.get("/tracking/2025-99/trackings"), 404)
    error(api.post("/tracking/2025-99/trackings", {}), 404)


def test_couriers_detect_and_predictions(api):
    couriers = ok(api.get(url("couriers")))
    assert couriers["total"] == 1
    assert couriers["couriers"][0]["service_from_country_regions"] == ["USA"]

    detected = ok(api.post(url("couriers/detect"), {"tracking_number": impb(3)}))
    assert [c["slug"] for c in detected["couriers"]] == ["usps"]

    item = {
        "slug": "usps",
        "origin_address": {"country_region": "USA", "postal_code": "10001"},
        "destination_address": {"country_region": "USA", "postal_code": "94105"},
        "pickup_time": "2026-12-01 10:00:00",
    }
    one = ok(api.post(url("estimated-delivery-date/predict"), item))
    assert one["origin_address"]["country_region"] == "USA"
    assert "country" not in one["origin_address"]
    assert one["estimated_delivery_date"]
    batch = ok(
        api.post(url("estimated-delivery-date/predict-batch"), {"estimated_delivery_dates": [item]})
    )
    assert (
        batch["estimated_delivery_dates"][0]["estimated_delivery_date"]
        == one["estimated_delivery_date"]
    )

    bad = {**item, "destination_address": {"country_region": "ZZZ"}}
    meta = error(api.post(url("estimated-delivery-date/predict"), bad), 400, code=4008)
    assert meta["message"].startswith("destination_address.country_region: ")


def test_list_queries_do_not_grow_with_the_page_size(api, make_shipment, add_checkpoint):
    for n in range(30):
        shipment = make_shipment(now=days_ago(n), emails=[f"a{n}@example.com"])
        for hours in (48, 24):
            add_checkpoint(shipment, when=days_ago(n + hours / 24), subtag=Subtag.IN_TRANSIT_001)
    ok(api.get(url("couriers")))  # the key is warm

    counts = []
    for limit in (2, 25):
        cursor = ok(api.get(url("trackings"), {"limit": limit}))["pagination"]["next_cursor"]
        with CaptureQueriesContext(connection) as captured:
            data = ok(api.get(url("trackings"), {"limit": limit, "cursor": cursor}))
        assert len(data["trackings"]) == min(limit, 30 - limit)
        counts.append(
            [q["sql"] for q in captured.captured_queries if "throttlewindow" not in q["sql"]]
        )
    # count, page keys, rows, subscribers, checkpoints (the key itself may be cached)
    assert len(counts[0]) == len(counts[1])
    assert len([q for q in counts[1] if "tracking_" in q]) == 5


def test_the_list_filters_by_shipment_tags_and_courier_destination(api):
    tagged = create(api, shipment_tags=["gift", "vip"], destination_country_region="CAN")
    ok(api.post(url("trackings"), {"tracking_number": impb(11), "shipment_tags": ["gift"]}), 201)

    def ids(**params):
        return [t["id"] for t in ok(api.get(url("trackings"), params))["trackings"]]

    assert ids(shipment_tags="vip") == [tagged["id"]]
    assert len(ids(shipment_tags="gift")) == 2
    assert ids(courier_destination_country_region="can") == [tagged["id"]]
