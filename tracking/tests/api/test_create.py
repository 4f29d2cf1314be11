"""POST /trackings: both body shapes, the seed's fields, and every way a create is refused."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core.cache import cache

from tracking import edd
from tracking.models import Shipment
from tracking.services import edd as edd_service
from tracking.tests.api.support import CODE_EXISTS, error, impb, ok, url

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

# The create request of seed 002, as AfterShip documents it.
SEED_CREATE = {
    "slug": "usps",
    "title": "Title Name",
    "smses": ["+18555072509", "+18555072501"],
    "emails": ["email@yourdomain.com", "another_email@yourdomain.com"],
    "order_id": "ID 1234",
    "language": "en",
    "pickup_note": "Reach out to our staffs when you arrive our stores for shipment pickup",
    "origin_city": "Beijing",
    "order_number": "1234",
    "origin_state": "Beijing",
    "order_id_path": "http://www.aftership.com/order_id=1234",
    "custom_fields": {"product_name": "iPhone Case", "product_price": "USD19.99"},
    "delivery_type": "pickup_at_store",
    "tracking_number": "123456789",
    "pickup_location": "Flagship Store",
    "destination_city": "New York City",
    "destination_state": "New York",
    "origin_postal_code": "065001",
    "origin_country_iso3": "CHN",
    "origin_raw_location": "Lihong Gardon 4A 2301, Chaoyang District, Beijing, BJ, 065001, "
    "CHN, China",
    "destination_postal_code": "10001",
    "destination_country_iso3": "USA",
    "destination_raw_location": "13th Street, New York, NY, 10011, USA, United States",
    "order_promised_delivery_date": "2019-05-20",
}
# Every key of the seed's sample create answer.
SEED_TRACKING_KEYS = {
    "id", "ios", "tag", "slug", "note", "smses", "title", "active", "emails", "source",
    "subtag", "android", "order_id", "language", "signed_by", "created_at", "updated_at",
    "order_date", "order_tags", "checkpoints", "pickup_note", "unique_token", "tracking_key",
    "custom_fields", "customer_name", "delivery_time", "order_id_path", "shipment_type",
    "tracked_count", "delivery_type", "subtag_message", "tracking_state", "on_time_status",
    "last_updated_at", "tracking_number", "shipment_weight", "pickup_location",
    "subscribed_smses", "return_to_sender", "expected_delivery", "subscribed_emails",
    "tracking_ship_date", "first_attempted_at", "on_time_difference", "origin_country_iso3",
    "shipment_pickup_date", "shipment_weight_unit", "tracking_postal_code",
    "courier_tracking_link", "courier_redirect_link", "shipment_package_count",
    "shipment_delivery_date", "tracking_account_number", "tracking_origin_country",
    "destination_country_iso3", "last_mile_tracking_supported", "tracking_destination_country",
    "order_promised_delivery_date", "courier_destination_country_iso3",
    "aftership_estimated_delivery_date",
}  # fmt: skip


def test_create_with_the_seed_body_answers_201_with_the_tracking_object(api, partner):
    data = ok(api.post(url("trackings"), {"tracking": SEED_CREATE}), status=201)

    tracking = data["tracking"]
    assert set(data) == {"tracking"}
    assert set(tracking) >= SEED_TRACKING_KEYS
    assert re.fullmatch(r"[a-z0-9]{24}", tracking["id"])
    for name, value in SEED_CREATE.items():
        assert tracking[name] == value, name
    assert tracking["subscribed_emails"] == SEED_CREATE["emails"]
    assert tracking["subscribed_smses"] == SEED_CREATE["smses"]
    assert tracking["tag"] == "Pending"
    assert tracking["subtag"] == "Pending_001"
    assert tracking["subtag_message"] == "Pending"
    assert tracking["active"] is True
    assert tracking["source"] == "api"
    assert tracking["checkpoints"] == []
    assert tracking["ios"] == tracking["android"] == []
    assert tracking["note"] is None
    assert tracking["tracked_count"] == 0
    assert tracking["return_to_sender"] is False
    assert tracking["unique_token"] == "deprecated"
    for name in ("created_at", "updated_at", "last_updated_at"):
        assert ISO_WITH_OFFSET.match(tracking[name]), tracking[name]

    stored = Shipment.objects.get(public_id=tracking["id"])
    assert stored.partner == partner
    assert stored.tracking_number == "123456789"
    assert stored.order_id == "ID 1234"
    assert stored.custom_fields == SEED_CREATE["custom_fields"]
    assert sorted(stored.subscribers.values_list("channel", "address")) == sorted(
        [("email", a) for a in SEED_CREATE["emails"]] + [("sms", a) for a in SEED_CREATE["smses"]]
    )


def test_create_accepts_the_flat_body_too(api):
    number = impb(1)
    data = ok(api.post(url("trackings"), {"tracking_number": number, "title": "Order 7"}), 201)

    assert data["tracking"]["tracking_number"] == number
    assert data["tracking"]["title"] == "Order 7"
    assert data["tracking"]["slug"] == "usps"


def test_create_normalises_the_number_and_detects_the_courier(api):
    number = impb(2)
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))

    tracking = ok(api.post(url("trackings"), {"tracking": {"tracking_number": spaced}}), 201)[
        "tracking"
    ]

    assert tracking["tracking_number"] == number
    assert tracking["slug"] == "usps"
    assert tracking["title"] == number


def test_create_strips_the_420_zip_routing_prefix(api):
    number = impb(3)
    tracking = ok(api.post(url("trackings"), {"tracking_number": f"42010001{number}"}), 201)[
        "tracking"
    ]
    assert tracking["tracking_number"] == number


def test_create_with_the_slug_in_capitals(api):
    tracking = ok(api.post(url("trackings"), {"tracking_number": impb(4), "slug": "USPS"}), 201)[
        "tracking"
    ]
    assert tracking["slug"] == "usps"


def test_create_sets_the_optional_fields(api):
    body = {
        "tracking_number": "EC123456785US",
        "note": "Fragile",
        "customer_name": "Ann Lee",
        "order_date": "2021-07-26T11:23:51-05:00",
        "order_tags": ["vip"],
        "shipment_tags": ["gift"],
        "shipment_weight": 1.5,
        "shipment_weight_unit": "kg",
        "shipment_package_count": 2,
        "tracking_postal_code": "10001",
        "tracking_ship_date": "20240101",
        "tracking_origin_country": "usa",
    }

    tracking = ok(api.post(url("trackings"), {"tracking": body}), 201)["tracking"]

    assert tracking["tracking_number"] == "EC123456785US"
    assert tracking["note"] == "Fragile"
    assert tracking["customer_name"] == "Ann Lee"
    assert tracking["order_date"] == "2021-07-26T16:23:51+00:00"
    assert tracking["order_tags"] == ["vip"]
    assert tracking["shipment_tags"] == ["gift"]
    assert tracking["shipment_weight"] == 1.5
    assert tracking["shipment_weight_unit"] == "kg"
    assert tracking["shipment_package_count"] == 2
    assert tracking["tracking_postal_code"] == "10001"
    assert tracking["tracking_ship_date"] == "20240101"
    assert tracking["tracking_origin_country"] == "USA"


def test_the_same_number_is_refused_for_the_same_partner_with_4003(api, partner):
    number = impb(5)
    ok(api.post(url("trackings"), {"tracking_number": number}), 201)

    for again in (number, f"{number[:4]} {number[4:]}", f"42010001{number}"):
        meta = error(
            api.post(url("trackings"), {"tracking": {"tracking_number": again}}),
            400,
            code=CODE_EXISTS,
            says=("already exists", number),
        )
        assert meta["type"] == "BadRequest"
    assert Shipment.objects.filter(partner=partner).count() == 1


def test_another_partner_may_track_the_same_number(api, other_api):
    number = impb(6)
    ok(api.post(url("trackings"), {"tracking_number": number}), 201)
    ok(other_api.post(url("trackings"), {"tracking_number": number}), 201)

    assert Shipment.objects.filter(tracking_number=number).count() == 2


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"tracking": {"title": "no number"}}, ("tracking_number", "required")),
        ({"title": "no number"}, ("tracking_number", "required")),
        ({}, ("tracking_number", "required")),
        ({"tracking_number": ""}, ("tracking_number", "blank")),
        ({"tracking_number": None}, ("tracking_number", "null")),
        ({"tracking_number": "9400111899223123456784"}, ("tracking_number", "check digit")),
        ({"tracking_number": "EC123456789US"}, ("tracking_number", "check digit")),
        ({"tracking_number": "123"}, ("tracking_number", "4 to 100")),
        ({"tracking_number": "1" * 101}, ("tracking_number", "4 to 100")),
        ({"tracking_number": "12345*789"}, ("tracking_number", "letters and digits")),
        ({"tracking_number": "1" * 40, "slug": "usps"}, ("USPS", "4 to 34")),
        ({"tracking_number": "123456789", "slug": "fedex"}, ("slug", "fedex")),
        (
            {"tracking_number": "123456789", "emails": [f"{n}@example.com" for n in range(4)]},
            ("emails", "3"),
        ),
        (
            {"tracking_number": "123456789", "smses": [f"+1855507250{n}" for n in range(4)]},
            ("smses", "3"),
        ),
        ({"tracking_number": "123456789", "emails": ["not-an-email"]}, ("emails.0", "email")),
        ({"tracking_number": "123456789", "emails": "a@example.com"}, ("emails", "list")),
        ({"tracking_number": "123456789", "smses": ["call me"]}, ("smses.0", "phone")),
        (
            {"tracking_number": "123456789", "order_promised_delivery_date": "20/05/2019"},
            ("order_promised_delivery_date", "format"),
        ),
        (
            {
                "tracking_number": "123456789",
                "order_promised_delivery_date": "2019-05-20T10:00:00Z",
            },
            ("order_promised_delivery_date",),
        ),
        (
            {"tracking_number": "123456789", "order_promised_delivery_date": "2019-02-30"},
            ("order_promised_delivery_date",),
        ),
        ({"tracking_number": "123456789", "order_date": "yesterday"}, ("order_date",)),
        ({"tracking_number": "123456789", "title": "x" * 256}, ("title", "255")),
        ({"tracking_number": "123456789", "origin_country_iso3": "US"}, ("origin_country_iso3",)),
        ({"tracking_number": "123456789", "custom_fields": ["a"]}, ("custom_fields",)),
        ({"tracking_number": "123456789", "shipment_weight": -1}, ("shipment_weight",)),
        ({"tracking_number": "123456789", "shipment_weight_unit": "stone"}, ("weight_unit",)),
        ({"tracking_number": "123456789", "shipment_package_count": 1.5}, ("package_count",)),
        ({"tracking": "123456789"}, ("tracking", "object")),
        ({"tracking": None}, ("tracking", "object")),
    ],
)
def test_an_invalid_create_is_refused_naming_the_field(api, body, says):
    error(api.post(url("trackings"), body), 400, says=says)

    assert not Shipment.objects.exists()


@pytest.mark.parametrize("raw", [b"{", b'{"tracking": {"tracking_number": "1234567"', b"\xff\xfe"])
def test_a_body_that_is_not_json_is_a_bad_request(api, raw):
    response = api.post(url("trackings"), raw, content_type="application/json")

    error(response, 400, says=("JSON",))
    assert not Shipment.objects.exists()


@pytest.mark.parametrize("body", [[], [{"tracking_number": "123456789"}], "123456789", 7, None])
def test_a_body_that_is_not_an_object_is_a_bad_request(api, body):
    import json

    response = api.post(url("trackings"), json.dumps(body), content_type="application/json")

    error(response, 400, says=("object",))
    assert not Shipment.objects.exists()


def test_a_form_body_is_unsupported_media_type(api):
    response = api.post(url("trackings"), {"tracking_number": impb(7)}, format="multipart")

    error(response, 415, says=("multipart/form-data",))
    assert not Shipment.objects.exists()


def test_a_created_tracking_carries_shipdesks_estimate_from_its_lane(api):
    # The learnt model (shared cache): 20 parcels 100xx -> 606xx, 2 to 4 business days.
    picked = datetime(2026, 3, 2, 10, 0)
    transits = [2] * 5 + [3] * 10 + [4] * 5
    model = edd.EddModel.learn(
        edd.TransitRecord("10001", "60607", "", picked, edd.add_business_days(picked.date(), t))
        for t in transits
    )
    cache.set(edd_service.CACHE_KEY, model.to_dict(), 60)
    body = {"tracking_number": impb(7), "origin_postal_code": "10001"}

    created = ok(api.post(url("trackings"), {**body, "destination_postal_code": "60607"}), 201)
    elsewhere = ok(api.post(url("trackings"), {**body, "tracking_number": impb(8)}), 201)

    found = created["tracking"]["aftership_estimated_delivery_date"]
    likely, low, high = (
        date.fromisoformat(found[name])
        for name in (
            "estimated_delivery_date",
            "estimated_delivery_date_min",
            "estimated_delivery_date_max",
        )
    )
    today = date.today()
    assert today < low < likely < high <= today + timedelta(days=10)
    assert found["confidence_code"]
    assert created["tracking"]["latest_estimated_delivery"]["source"] == "shipdesk EDD"
    stored = Shipment.objects.get(public_id=created["tracking"]["id"])
    assert (stored.estimated_delivery_date_min, stored.estimated_delivery_date_max) == (low, high)
    fetched = ok(api.get(url("trackings", created["tracking"]["id"])))["tracking"]
    assert fetched["aftership_estimated_delivery_date"] == found
    assert found["confidence_code"] != 30004
    # Without a destination the nationwide history answers, and says the address is imprecise.
    assert elsewhere["tracking"]["aftership_estimated_delivery_date"]["confidence_code"] == 30004
    cache.delete(edd_service.CACHE_KEY)
