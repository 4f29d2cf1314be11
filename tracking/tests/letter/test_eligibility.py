"""Which proofs of delivery a shipment is offered (tracking.pod.eligibility's rules)."""

import pytest

from tracking.pod.eligibility import pod_options
from tracking.services.lifecycle import shipment_mark_completed

pytestmark = pytest.mark.django_db

NOT_ELIGIBLE = {"proofOfDeliveryEnabled": False, "RREEnabled": False}


def offered(options) -> set[str]:
    return {
        name for name in ("letter", "letter_rre", "usps_pod", "usps_rre") if getattr(options, name)
    }


def test_a_delivered_item_usps_calls_pod_enabled_gets_the_letter_and_the_usps_record(delivered):
    options = pod_options(delivered())
    assert offered(options) == {"letter", "usps_pod"}
    assert options.delivery.recipient_name == "J SMITH"
    assert options.reason == ""


def test_rre_enabled_adds_the_return_receipt_on_both_channels(delivered):
    shipment = delivered(eligibility={"proofOfDeliveryEnabled": True, "RREEnabled": True})
    assert offered(pod_options(shipment)) == {"letter", "letter_rre", "usps_pod", "usps_rre"}


def test_without_a_signature_service_usps_is_not_asked_but_the_letter_is_offered(delivered):
    options = pod_options(delivered(eligibility=NOT_ELIGIBLE))
    assert offered(options) == {"letter"}
    assert "signature service" in options.reason


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"item": {"mailClass": "Priority Mail Express"}}, {"letter", "usps_pod"}),
        ({"shipping_method": "Certified Mail"}, {"letter", "usps_pod"}),
        ({"shipment_type": "Registered Mail"}, {"letter", "usps_pod"}),
        ({"signature_requirement": "adult"}, {"letter", "usps_pod"}),
        ({"signature_requirement": "none"}, {"letter"}),
        ({"signature_requirement": "no_signature"}, {"letter"}),
        (
            {"shipping_method": "Certified Mail, Return Receipt Electronic"},
            {"letter", "letter_rre", "usps_pod", "usps_rre"},
        ),
        ({"shipping_method": "Ground Advantage"}, {"letter"}),
    ],
)
def test_a_service_named_on_the_shipment_counts_like_usps_eligibility(delivered, fields, expected):
    shipment = delivered(eligibility=NOT_ELIGIBLE, **fields)
    assert offered(pod_options(shipment)) == expected


def test_nothing_is_offered_before_delivery(delivered):
    for history in ("in_transit", "out_for_delivery", "notice_left", "returned"):
        options = pod_options(delivered(history=history))
        assert offered(options) == set(), history
        assert options.reason == "The shipment is not delivered."


def test_a_shipment_marked_delivered_without_a_delivery_event_has_nothing_to_prove(delivered):
    shipment = delivered(history="out_for_delivery")
    shipment_mark_completed(shipment=shipment, reason="DELIVERED")

    options = pod_options(shipment)

    assert offered(options) == set()
    assert options.reason == "The carrier reported no delivery event."


def test_usps_cannot_be_asked_without_its_unique_tracking_id(delivered):
    shipment = delivered()
    shipment.unique_tracking_id = ""
    options = pod_options(shipment)
    assert offered(options) == {"letter"}
    assert "uniqueTrackingID" in options.reason


def test_allows_answers_per_channel_and_letter_type(delivered):
    options = pod_options(delivered())
    assert options.allows(channel="letter", letter_type="pod")
    assert not options.allows(channel="letter", letter_type="rre")
    assert options.allows(channel="usps", letter_type="pod")
    assert not options.allows(channel="usps", letter_type="rre")
