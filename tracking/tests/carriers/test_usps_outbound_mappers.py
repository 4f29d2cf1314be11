"""The outbound mappers are pure: USPS's shapes in, shipdesk's dataclasses out."""

import base64
import json
from decimal import Decimal

import pytest

from tracking.carriers.shipping import Packaging, PostalAddress, Service
from tracking.carriers.usps import addresses_mapper, labels_mapper, prices_mapper
from tracking.carriers.usps.errors import error_from
from tracking.carriers.usps.fake.documents import pdf

PDF = pdf(["TEST"], width_in=4, height_in=6)
METADATA = {
    "trackingNumber": "9205590175547700000019",
    "postage": 7.99,
    "zone": "01",
    "extraServices": [{"name": "USPS Tracking", "price": 0.0, "SKU": "X"}],
    "fees": [{"name": "Nonstandard", "price": 2.0}],
    "commitment": {"name": "2 Days", "scheduleDeliveryDate": "2025-05-29"},
}


def multipart_body(image_part: bytes, headers: str = "") -> tuple[str, bytes]:
    body = (
        b'--b1\r\nContent-Disposition: form-data; name="labelMetadata"\r\n'
        b"Content-type: application/json\r\n\r\n" + json.dumps(METADATA).encode() + b"\r\n"
        b"--b1\r\nContent-Type: application/pdf\r\n"
        + headers.encode()
        + b'Content-Disposition: form-data; filename="labelImage.pdf"; name="labelImage"\r\n\r\n'
        + image_part
        + b"\r\n--b1--\r\n"
    )
    return "multipart/form-data; boundary=b1", body


@pytest.mark.parametrize(
    "image_part",
    [PDF, base64.b64encode(PDF), base64.encodebytes(PDF)],
    ids=["binary", "base64", "base64-lines"],
)
def test_label_image_part_binary_or_base64_is_the_pdf(image_part):
    label = labels_mapper.parse_label(*multipart_body(image_part))

    assert label.image == PDF
    assert label.tracking_number == METADATA["trackingNumber"]
    assert label.postage == Decimal("7.99") and label.total == Decimal("9.99")
    assert label.commitment == "2 Days" and label.delivery_date.isoformat() == "2025-05-29"


def test_label_as_vendor_json():
    body = json.dumps(dict(METADATA, labelImage=base64.b64encode(PDF).decode())).encode()

    label = labels_mapper.parse_label("application/vnd.usps.labels+json", body)

    assert label.image == PDF and label.image_type == "application/pdf"


def test_label_answer_without_tracking_number_is_malformed():
    content_type, body = multipart_body(PDF)
    with pytest.raises(ValueError):
        labels_mapper.parse_label(content_type, body.replace(b"trackingNumber", b"other"))


def test_cancel_canceled_and_disputed():
    assert labels_mapper.parse_cancel({"trackingNumber": "9", "status": "CANCELED"}).refunded
    disputed = labels_mapper.parse_cancel(
        {"trackingNumber": "9", "status": "DISPUTED", "disputeId": "103789"}
    )
    assert not disputed.refunded and disputed.dispute_id == "103789"


def test_usps_error_body_and_oauth_error_body():
    error = error_from(
        400,
        {
            "apiVersion": "/labels/v3",
            "error": {
                "code": "400",
                "message": "Bad Request",
                "errors": [
                    {
                        "title": "Bad Request",
                        "detail": "Order not found",
                        "code": "00000XX",
                        "source": {"parameter": "trackingNumber"},
                    }
                ],
            },
        },
    )
    assert error.field == "trackingNumber"
    assert str(error) == "USPS: Bad Request: Order not found (trackingNumber)"
    oauth = error_from(401, {"error": "invalid_client", "error_description": "Client creds"})
    assert oauth.code == "invalid_client" and oauth.message == "Client creds"
    assert error_from(502, "<html>").message == "HTTP 502"


def test_address_dpv_d_is_deliverable_with_a_warning():
    check = addresses_mapper.parse_address(
        {
            "address": {
                "streetAddress": "1 MAIN ST",
                "city": "X",
                "state": "IL",
                "ZIPCode": "60607",
            },
            "additionalInfo": {"DPVConfirmation": "D", "business": "N", "vacant": "Y"},
            "corrections": [{"code": "32", "text": "Default address"}, {"code": "", "text": ""}],
        },
        PostalAddress(street="1 main", city="x", state="IL", zip_code="", name="Ann"),
    )
    assert check.deliverable and check.vacant is True and check.business is False
    assert check.corrections == (("32", "Default address"),)
    assert "apartment or suite" in check.message and check.address.name == "Ann"


def test_total_rates_skip_unknown_mail_classes_and_sort():
    quotes = prices_mapper.parse_total_rates(
        {
            "rateOptions": [
                {
                    "totalBasePrice": 9.5,
                    "rates": [{"mailClass": "PRIORITY_MAIL", "rateIndicator": "FS"}],
                },
                {
                    "totalBasePrice": 1.0,
                    "rates": [{"mailClass": "LIBRARY_MAIL", "rateIndicator": "SP"}],
                },
                {
                    "totalBasePrice": 5.0,
                    "totalPrice": 6.25,
                    "rates": [{"mailClass": "USPS_GROUND_ADVANTAGE", "rateIndicator": "SP"}],
                    "extraServices": [{"price": 1.25}],
                },
            ]
        }
    )
    assert [(q.service, q.packaging, q.total) for q in quotes] == [
        (Service.GROUND_ADVANTAGE, Packaging.OWN, Decimal("6.25")),
        (Service.PRIORITY_MAIL, Packaging.SMALL_FLAT_RATE_BOX, Decimal("9.50")),
    ]
