"""GET, PUT/PATCH and DELETE /trackings/{id}, and their /{slug}/{tracking_number} twins."""

import datetime as dt

import pytest
from django.utils import timezone

from tracking.choices import Subtag
from tracking.models import Shipment, Subscriber
from tracking.tests.api.support import CODE_NOT_FOUND, error, ok, snapshot, url


@pytest.fixture
def shipment(make_shipment, add_checkpoint):
    shipment = make_shipment(
        title="Blue mug",
        note="Leave at the door",
        order_id="ORD-1",
        emails=["ann@example.com", "bob@example.com"],
        smses=["+18555072509"],
        custom_fields={"sku": "MUG"},
        tracking_postal_code="10001",
    )
    add_checkpoint(
        shipment,
        when=timezone.now() - dt.timedelta(days=1),
        subtag=Subtag.IN_TRANSIT_002,
        message="USPS in possession of item",
        city="NEW YORK",
        state="NY",
        zip="10001",
        offset_minutes=-300,
    )
    add_checkpoint(shipment, subtag=Subtag.OUT_FOR_DELIVERY_001, message="Out for Delivery")
    return shipment


def both_paths(shipment, *rest):
    """The id form and the slug/number form of the same path."""
    return [
        url("trackings", shipment.public_id, *rest),
        url("trackings", shipment.slug, shipment.tracking_number, *rest),
    ]


def test_get_a_tracking_with_its_checkpoints_oldest_first(api, shipment):
    for path in both_paths(shipment):
        tracking = ok(api.get(path))["tracking"]

        assert tracking["id"] == shipment.public_id
        assert tracking["tracking_number"] == shipment.tracking_number
        assert tracking["title"] == "Blue mug"
        assert tracking["note"] == "Leave at the door"
        assert tracking["emails"] == ["ann@example.com", "bob@example.com"]
        assert tracking["smses"] == ["+18555072509"]
        assert [c["message"] for c in tracking["checkpoints"]] == [
            "USPS in possession of item",
            "Out for Delivery",
        ]
        first = tracking["checkpoints"][0]
        assert first["checkpoint_time"].endswith("-05:00")
        assert (first["city"], first["state"], first["zip"]) == ("NEW YORK", "NY", "10001")
        assert (first["tag"], first["subtag"]) == ("InTransit", "InTransit_002")
        assert first["slug"] == "usps"
        assert first["coordinates"] == []


def test_the_slug_number_form_ignores_case_spaces_and_dashes(api, shipment):
    number = shipment.tracking_number
    path = url("trackings", "USPS", f"{number[:4]} {number[4:10]}-{number[10:]}")

    assert ok(api.get(path))["tracking"]["id"] == shipment.public_id


def test_fields_picks_keys_and_lang_is_accepted(api, shipment):
    for path in both_paths(shipment):
        tracking = ok(api.get(path, {"fields": "title,tracking_postal_code, checkpoints"}))[
            "tracking"
        ]
        assert set(tracking) == {"id", "title", "tracking_postal_code", "checkpoints"}
        assert tracking["tracking_postal_code"] == "10001"
        assert len(tracking["checkpoints"]) == 2

        in_english = ok(api.get(path, {"lang": "en"}))["tracking"]
        assert in_english == ok(api.get(path))["tracking"]


def test_put_sets_only_the_fields_sent(api, shipment):
    before = snapshot(shipment)

    tracking = ok(
        api.put(url("trackings", shipment.public_id), {"tracking": {"title": "Red mug"}})
    )["tracking"]

    assert tracking["title"] == "Red mug"
    assert tracking["note"] == "Leave at the door"
    assert tracking["emails"] == ["ann@example.com", "bob@example.com"]
    assert tracking["smses"] == ["+18555072509"]
    assert tracking["custom_fields"] == {"sku": "MUG"}
    after = snapshot(shipment)
    changed = {k for k in before["row"] if before["row"][k] != after["row"][k]}
    assert changed == {"title", "updated_at"}
    assert after["subscribers"] == before["subscribers"]
    assert after["checkpoints"] == before["checkpoints"]


def test_put_keeps_what_others_stored_since_it_read_the_tracking(api, shipment, meanwhile):
    checked_at = timezone.now()
    news = {
        "tag": "OutForDelivery",
        "subtag": "OutForDelivery_001",
        "subtag_message": "Out for delivery",
        "tracked_count": 7,
        "last_checked_at": checked_at,
        "carrier_status": "Out for Delivery",
        "note": "Edited by an agent",
    }
    meanwhile(**news)

    tracking = ok(api.put(url("trackings", shipment.public_id), {"title": "Red mug"}))["tracking"]

    stored = Shipment.objects.get(pk=shipment.pk)
    assert stored.title == "Red mug"
    assert {name: getattr(stored, name) for name in news} == news
    assert (tracking["tag"], tracking["note"]) == ("OutForDelivery", "Edited by an agent")


def test_put_takes_the_flat_body_and_patch_does_the_same(api, shipment):
    ok(api.put(url("trackings", shipment.public_id), {"customer_name": "Ann Lee"}))
    ok(api.patch(url("trackings", shipment.slug, shipment.tracking_number), {"order_id": "ORD-9"}))

    shipment.refresh_from_db()
    assert (shipment.customer_name, shipment.order_id, shipment.title) == (
        "Ann Lee",
        "ORD-9",
        "Blue mug",
    )


def test_put_with_empty_values_clears_lists_and_the_note(api, shipment):
    tracking = ok(
        api.put(
            url("trackings", shipment.public_id),
            {"tracking": {"emails": [], "note": "", "custom_fields": None}},
        )
    )["tracking"]

    assert tracking["emails"] == []
    assert tracking["subscribed_emails"] == []
    assert tracking["smses"] == ["+18555072509"]
    assert tracking["note"] is None
    assert tracking["custom_fields"] is None
    assert tracking["title"] == "Blue mug"
    shipment.refresh_from_db()
    assert shipment.note == ""
    assert list(shipment.subscribers.values_list("channel", flat=True)) == ["sms"]


def test_put_replaces_a_list_keeping_addresses_still_in_it(api, shipment):
    kept = Subscriber.objects.get(shipment=shipment, address="bob@example.com")

    tracking = ok(
        api.put(
            url("trackings", shipment.public_id),
            {"tracking": {"emails": ["bob@example.com", "cy@example.com"], "smses": []}},
        )
    )["tracking"]

    assert sorted(tracking["emails"]) == ["bob@example.com", "cy@example.com"]
    assert tracking["smses"] == []
    assert Subscriber.objects.filter(pk=kept.pk).exists()


def test_put_null_text_clears_it(api, shipment):
    tracking = ok(api.put(url("trackings", shipment.public_id), {"title": None, "note": None}))[
        "tracking"
    ]
    assert tracking["title"] == shipment.tracking_number  # the default title
    assert tracking["note"] is None


def test_put_the_promised_date_updates_on_time_status(api, shipment):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    tracking = ok(
        api.put(
            url("trackings", shipment.public_id),
            {"tracking": {"order_promised_delivery_date": yesterday.isoformat()}},
        )
    )["tracking"]

    assert tracking["order_promised_delivery_date"] == yesterday.isoformat()
    assert tracking["on_time_status"] == "trending-late"
    assert tracking["on_time_difference"] == 1


def test_create_with_a_promised_date_sets_on_time_status(api):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    tracking = ok(
        api.post(
            url("trackings"),
            {"tracking_number": "123456789", "order_promised_delivery_date": str(yesterday)},
        ),
        201,
    )["tracking"]
    assert tracking["on_time_status"] == "trending-late"


def test_put_ignores_what_a_partner_may_not_change(api, shipment):
    ok(
        api.put(
            url("trackings", shipment.public_id),
            {"tracking_number": "123456789", "slug": "fedex", "tag": "Delivered", "id": "x"},
        )
    )
    stored = Shipment.objects.get(pk=shipment.pk)
    assert (stored.tracking_number, stored.slug, stored.tag, stored.public_id) == (
        shipment.tracking_number,
        "usps",
        "Pending",
        shipment.public_id,
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"emails": ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]},
         ("emails",)),
        ({"smses": ["+18555072501", "+18555072502", "+18555072503", "+18555072504"]},
         ("smses",)),
        ({"emails": ["nope"]}, ("emails.0",)),
        ({"order_promised_delivery_date": "05/20/2019"}, ("order_promised_delivery_date",)),
        ({"title": "t" * 256}, ("title",)),
        ({"tracking": ["title"]}, ("tracking",)),
        ({"custom_fields": "sku"}, ("custom_fields",)),
    ],
)  # fmt: skip
def test_an_invalid_update_is_refused_and_changes_nothing(api, shipment, body, says):
    before = snapshot(shipment)

    error(api.put(url("trackings", shipment.public_id), body), 400, says=says)

    assert snapshot(shipment) == before


def test_delete_answers_the_short_form_and_removes_the_tracking(api, shipment):
    tracking = ok(api.delete(url("trackings", shipment.public_id)))["tracking"]

    assert tracking == {
        "id": shipment.public_id,
        "slug": "usps",
        "tracking_number": shipment.tracking_number,
        "tracking_key": None,
        "tracking_state": None,
        "tracking_ship_date": None,
        "tracking_postal_code": "10001",
        "tracking_account_number": None,
        "tracking_origin_country": None,
        "tracking_destination_country": None,
    }
    assert not Shipment.objects.filter(pk=shipment.pk).exists()
    assert not Subscriber.objects.filter(shipment_id=shipment.pk).exists()
    error(api.get(url("trackings", shipment.public_id)), 404, code=CODE_NOT_FOUND)
    error(api.delete(url("trackings", shipment.public_id)), 404, code=CODE_NOT_FOUND)


def test_delete_by_slug_and_number(api, shipment):
    ok(api.delete(url("trackings", "usps", shipment.tracking_number)))
    assert not Shipment.objects.filter(pk=shipment.pk).exists()


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_an_unknown_tracking_is_not_found(api, shipment, method):
    before = snapshot(shipment)
    for path in (
        url("trackings", "a" * 24),
        url("trackings", "usps", "9400111899223123456785"),
        url("trackings", "fedex", shipment.tracking_number),
    ):
        meta = error(getattr(api, method)(path, {"title": "x"}), 404, code=CODE_NOT_FOUND)
        assert meta["message"] == "Tracking does not exist."
    assert snapshot(shipment) == before


def test_a_bad_fields_parameter_never_fails(api, shipment):
    tracking = ok(api.get(url("trackings", shipment.public_id), {"fields": ",,nope,"}))["tracking"]
    assert tracking == {"id": shipment.public_id}
    error(api.get(url("trackings", shipment.public_id), {"lang": "x" * 11}), 400, says=("lang",))
