"""The fake USPS server itself, over real HTTP: the shapes USPS publishes, and its switches.

The client tests (test_usps_outbound.py) rely on it; these pin what it answers so a change to the
fake that drifts from USPS's contract fails here first.
"""

import base64
import io
import json
import time
from email.parser import BytesParser
from email.policy import HTTP

import pytest
import requests
from pypdf import PdfReader

from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET
from tracking.carriers.usps.fake.fixtures import usps_server  # noqa: F401

CRID, MID, MANIFEST_MID, EPS = "56982563", "904128936", "904128937", "1000000001"
ROLES = [
    {
        "roleName": "PAYER",
        "CRID": CRID,
        "MID": MID,
        "manifestMID": MANIFEST_MID,
        "accountType": "EPS",
        "accountNumber": EPS,
    },
    {"roleName": "LABEL_OWNER", "CRID": CRID, "MID": MID, "manifestMID": MANIFEST_MID},
]


def label_body(**package):
    description = {
        "mailClass": "PRIORITY_MAIL",
        "rateIndicator": "SP",
        "weightUOM": "lb",
        "weight": 2.5,
        "dimensionsUOM": "in",
        "length": 9,
        "width": 6,
        "height": 4,
        "processingCategory": "MACHINABLE",
        "mailingDate": "2026-12-03",
        "extraServices": [920],
        "destinationEntryFacilityType": "NONE",
    }
    description.update(package)
    return {
        "imageInfo": {"imageType": "PDF", "labelType": "4X6LABEL", "receiptOption": "NONE"},
        "toAddress": {
            "firstName": "Joe",
            "lastName": "Doe",
            "streetAddress": "1100 Wyoming",
            "secondaryAddress": "Suite 150",
            "city": "St. Louis",
            "state": "MO",
            "ZIPCode": "63118",
        },
        "fromAddress": {
            "firm": "Acme Parcels",
            "streetAddress": "4120 Bingham Ave",
            "city": "St. Louis",
            "state": "MO",
            "ZIPCode": "63116",
        },
        "packageDescription": description,
    }


def parts_of(response) -> dict:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: "
        + response.headers["Content-Type"].encode()
        + b"\r\n\r\n"
        + response.content
    )
    return {
        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
    }


class Usps:
    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.token = self.oauth().json()["access_token"]

    def oauth(self, **form):
        data = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
        data["client_secret"] = CLIENT_SECRET
        data.update(form)
        return requests.post(f"{self.url}/oauth2/v3/token", data=data, timeout=5)

    def call(self, method, path, *, payment=None, headers=None, **kwargs):
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if payment:
            sent["X-Payment-Authorization-Token"] = payment
        return requests.request(method, self.url + path, headers=sent, timeout=5, **kwargs)

    def payment(self):
        answer = self.call("POST", "/payments/v3/payment-authorization", json={"roles": ROLES})
        assert answer.status_code == 200, answer.text
        return answer.json()["paymentAuthorizationToken"]


@pytest.fixture
def usps(usps_server):  # noqa: F811
    return Usps(usps_server)


def assert_usps_error(response, status, parameter=None, detail=None):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"apiVersion", "error"}
    assert body["error"]["code"] == str(status)
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if parameter is not None:
        [item] = body["error"]["errors"]
        assert set(item) == {"status", "code", "title", "detail", "source"}
        assert item["status"] == str(status)
        assert item["source"] == {"parameter": parameter}
        if detail:
            assert detail in item["detail"]
    return body


def test_token_by_form_and_by_json_as_usps_readme_shows(usps):
    by_json = requests.post(
        f"{usps.url}/oauth2/v3/token",
        json={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=5,
    )
    assert by_json.status_code == 200
    assert by_json.json()["expires_in"] == 28799
    assert "payments" in by_json.json()["scope"].split()
    assert usps.oauth(client_secret="wrong").status_code == 401


def test_unknown_or_expired_token_answers_401_in_usps_error_body(usps):
    usps.token = "not-a-token"
    answer = usps.call("GET", "/addresses/v3/address", params={"streetAddress": "1 Main St"})
    assert_usps_error(answer, 401, parameter="Authorization")

    usps.token = usps.oauth().json()["access_token"]
    usps.server.fake.expire_tokens()
    answer = usps.call("POST", "/prices/v3/base-rates/search", json={})
    assert_usps_error(answer, 401)


def test_address_standardised_with_zip4_dpv_and_flags(usps):
    usps.server.fake.business.add("3120 M ST NW")
    answer = usps.call(
        "GET",
        "/addresses/v3/address",
        params={
            "streetAddress": "3120 M Street NW",
            "city": "Washington",
            "state": "DC",
            "ZIPCode": "20007",
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["address"]["streetAddress"] == "3120 M ST NW"
    assert body["address"]["city"] == "WASHINGTON"
    assert len(body["address"]["ZIPPlus4"]) == 4
    assert body["additionalInfo"]["DPVConfirmation"] == "Y"
    assert body["additionalInfo"]["business"] == "Y"
    assert body["additionalInfo"]["vacant"] == "N"
    assert body["matches"][0]["code"] == "31"


def test_undeliverable_address_is_a_404_verdict_and_missing_state_a_400(usps):
    answer = usps.call(
        "GET",
        "/addresses/v3/address",
        params={"streetAddress": "1 Nowhere Street", "city": "Chicago", "state": "IL"},
    )
    body = assert_usps_error(answer, 404)
    assert body["error"]["message"] == "There is no match for the address requested."
    assert_usps_error(
        usps.call("GET", "/addresses/v3/address", params={"streetAddress": "1 Main St"}),
        400,
        parameter="state",
    )


def test_base_and_total_rates(usps):
    base = usps.call(
        "POST",
        "/prices/v3/base-rates/search",
        json={
            "originZIPCode": "63116",
            "destinationZIPCode": "10001",
            "weight": 3,
            "length": 9,
            "width": 6,
            "height": 4,
            "mailClass": "USPS_GROUND_ADVANTAGE",
            "processingCategory": "MACHINABLE",
            "rateIndicator": "SP",
            "destinationEntryFacilityType": "NONE",
            "priceType": "COMMERCIAL",
        },
    )
    assert base.status_code == 200, base.text
    [found] = base.json()["rates"]
    assert base.json()["totalBasePrice"] == found["price"] > 0
    assert found["mailClass"] == "USPS_GROUND_ADVANTAGE" and found["zone"].isdigit()

    total = usps.call(
        "POST",
        "/prices/v3/total-rates/search",
        json={
            "originZIPCode": "63116",
            "destinationZIPCode": "10001",
            "weight": 3,
            "length": 9,
            "width": 6,
            "height": 4,
            "priceType": "COMMERCIAL",
            "itemValue": 250,
            "mailClasses": ["PRIORITY_MAIL", "PRIORITY_MAIL_EXPRESS"],
            "extraServices": [920, 930],
        },
    )
    assert total.status_code == 200, total.text
    options = total.json()["rateOptions"]
    indicators = {(o["rates"][0]["mailClass"], o["rates"][0]["rateIndicator"]) for o in options}
    assert ("PRIORITY_MAIL", "FS") in indicators and ("PRIORITY_MAIL_EXPRESS", "PA") in indicators
    for option in options:
        extras = sum(e["price"] for e in option["extraServices"])
        assert option["totalPrice"] == pytest.approx(option["totalBasePrice"] + extras)


def test_overweight_parcel_names_the_weight(usps):
    answer = usps.call(
        "POST",
        "/prices/v3/total-rates/search",
        json={
            "originZIPCode": "63116",
            "destinationZIPCode": "10001",
            "weight": 71,
            "length": 9,
            "width": 6,
            "height": 4,
        },
    )
    assert_usps_error(answer, 400, parameter="weight", detail="should not exceed 70 LB")


def test_payment_authorization_checks_roles_and_enrollment(usps):
    assert usps.payment().startswith("fake-payment-")
    no_crid = [dict(ROLES[0], CRID=""), ROLES[1]]
    answer = usps.call("POST", "/payments/v3/payment-authorization", json={"roles": no_crid})
    assert_usps_error(answer, 400, parameter="CRID", detail="PAYER requires CRID")
    usps.server.fake.not_enrolled_crids.add(CRID)
    answer = usps.call("POST", "/payments/v3/payment-authorization", json={"roles": ROLES})
    assert_usps_error(answer, 400, parameter="CRID", detail="Must be enrolled in USPS Ship")


def test_payment_authorization_without_payments_scope_answers_401(usps):
    usps.server.fake.scopes = "addresses prices labels"
    usps.token = usps.oauth().json()["access_token"]
    answer = usps.call("POST", "/payments/v3/payment-authorization", json={"roles": ROLES})
    assert_usps_error(answer, 401)


def test_label_is_multipart_with_metadata_base64_pdf_and_receipt(usps):
    body = label_body()
    body["imageInfo"]["receiptOption"] = "SEPARATE_PAGE"
    answer = usps.call("POST", "/labels/v3/label", payment=usps.payment(), json=body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = parts_of(answer)
    assert list(parts) == ["labelMetadata", "labelImage", "receiptImage"]
    metadata = json.loads(parts["labelMetadata"].get_content())
    assert len(metadata["trackingNumber"]) == 22 and metadata["trackingNumber"].startswith("92055")
    assert metadata["postage"] > 0 and metadata["zone"].isdigit()
    assert metadata["routingInformation"] == "42063118"
    image = base64.b64decode(parts["labelImage"].get_payload())
    page = PdfReader(io.BytesIO(image)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (288, 432)
    assert metadata["trackingNumber"] in page.extract_text()
    assert base64.b64decode(parts["receiptImage"].get_payload()).startswith(b"%PDF")
    assert usps.server.fake.purchases == 1


def test_label_as_one_json_body_when_asked(usps):
    answer = usps.call(
        "POST",
        "/labels/v3/label",
        payment=usps.payment(),
        json=label_body(),
        headers={"Accept": "application/vnd.usps.labels+json"},
    )
    assert answer.status_code == 200
    assert base64.b64decode(answer.json()["labelImage"]).startswith(b"%PDF")


def test_same_idempotency_key_answers_the_first_label_without_a_second_charge(usps):
    payment, key = usps.payment(), "8be4df61-93ca-11d2-aa0d-00e098032b8c"
    first = usps.call(
        "POST",
        "/labels/v3/label",
        payment=payment,
        json=label_body(),
        headers={"X-Idempotency-Key": key},
    )
    again = usps.call(
        "POST",
        "/labels/v3/label",
        payment=payment,
        json=label_body(),
        headers={"X-Idempotency-Key": key},
    )
    number = json.loads(parts_of(first)["labelMetadata"].get_content())["trackingNumber"]
    assert json.loads(parts_of(again)["labelMetadata"].get_content())["trackingNumber"] == number
    assert usps.server.fake.purchases == 1
    other = usps.call(
        "POST",
        "/labels/v3/label",
        payment=payment,
        json=label_body(weight=4),
        headers={"X-Idempotency-Key": key},
    )
    assert_usps_error(other, 400, parameter="Header: X-Idempotency-Key")


@pytest.mark.parametrize(
    ("change", "parameter", "detail"),
    [
        ({"weight": 80}, "packageDescription.weight", "should not exceed 70 LB"),
        ({"mailClass": "FIRST_CLASS_TELEGRAM"}, "packageDescription.mailClass", "not a valid"),
        (
            {"rateIndicator": "PL", "mailClass": "USPS_GROUND_ADVANTAGE"},
            "packageDescription.rateIndicator",
            "not valid",
        ),
        ({"mailingDate": None}, "packageDescription.mailingDate", "required"),
    ],
)
def test_label_refusals_name_the_field(usps, change, parameter, detail):
    answer = usps.call(
        "POST", "/labels/v3/label", payment=usps.payment(), json=label_body(**change)
    )
    assert_usps_error(answer, 400, parameter=parameter, detail=detail)
    assert usps.server.fake.purchases == 0


def test_label_to_undeliverable_address_and_refused_express(usps):
    body = label_body()
    body["toAddress"]["streetAddress"] = "1 Nowhere St"
    answer = usps.call("POST", "/labels/v3/label", payment=usps.payment(), json=body)
    assert_usps_error(answer, 400, parameter="toAddress.streetAddress", detail="Address Not Found")
    usps.server.fake.refused_express_zips.add("63118")
    answer = usps.call(
        "POST",
        "/labels/v3/label",
        payment=usps.payment(),
        json=label_body(mailClass="PRIORITY_MAIL_EXPRESS", rateIndicator="PA"),
    )
    assert_usps_error(
        answer, 400, parameter="packageDescription.mailClass", detail="does not qualify"
    )


def test_label_without_or_with_expired_payment_token(usps):
    assert_usps_error(
        usps.call("POST", "/labels/v3/label", json=label_body()),
        400,
        parameter="Header: X-Payment-Authorization-Token",
    )
    payment = usps.payment()
    usps.server.fake.expire_payment_tokens()
    answer = usps.call("POST", "/labels/v3/label", payment=payment, json=label_body())
    assert_usps_error(answer, 401)


def buy(usps, payment, **package):
    answer = usps.call("POST", "/labels/v3/label", payment=payment, json=label_body(**package))
    return json.loads(parts_of(answer)["labelMetadata"].get_content())["trackingNumber"]


def test_cancel_then_scan_form_then_refund(usps):
    payment = usps.payment()
    first, second, third = (buy(usps, payment) for _ in range(3))

    canceled = usps.call("DELETE", f"/labels/v3/label/{first}", payment=payment)
    assert canceled.json() == {"trackingNumber": first, "status": "CANCELED"}
    again = usps.call("DELETE", f"/labels/v3/label/{first}", payment=payment)
    assert_usps_error(again, 400, parameter="trackingNumber", detail="Order not found")

    form = usps.call(
        "POST",
        "/scan-forms/v3/scan-form",
        json={
            "imageInfo": {"imageType": "PDF", "labelType": "8.5X11LABEL"},
            "mailingDate": "2026-12-03",
            "entryFacilityZIPCode": "63116",
            "destinationEntryFacilityType": "NONE",
            "shipment": {"trackingNumbers": [second, third]},
            "fromAddress": {
                "firm": "Acme Parcels",
                "streetAddress": "4120 Bingham Ave",
                "city": "St. Louis",
                "state": "MO",
                "ZIPCode": "63116",
            },
        },
    )
    assert form.status_code == 200, form.text
    parts = parts_of(form)
    assert list(parts) == ["SCANFormMetaData", "SCANFormImage"]
    metadata = json.loads(parts["SCANFormMetaData"].get_content())
    assert metadata["trackingNumbers"] == [second, third] and metadata["manifestNumber"]
    pdf = PdfReader(io.BytesIO(base64.b64decode(parts["SCANFormImage"].get_payload())))
    assert "5630" in pdf.pages[0].extract_text()

    refund = usps.call("DELETE", f"/labels/v3/label/{second}", payment=payment).json()
    assert refund["status"] == "DISPUTED" and refund["disputeId"]
    twice = usps.call(
        "POST",
        "/scan-forms/v3/scan-form",
        json={
            "mailingDate": "2026-12-03",
            "entryFacilityZIPCode": "63116",
            "destinationEntryFacilityType": "NONE",
            "shipment": {"trackingNumbers": [third]},
            "fromAddress": {
                "firm": "Acme",
                "streetAddress": "4120 Bingham Ave",
                "city": "St. Louis",
                "state": "MO",
                "ZIPCode": "63116",
            },
        },
    )
    assert_usps_error(twice, 400, parameter="trackingNumbers", detail="already part of another")


def test_switches_fail_rate_limit_and_hang_after_buying(usps):
    fake = usps.server.fake
    fake.fail_next("prices", status=503)
    assert_usps_error(usps.call("POST", "/prices/v3/total-rates/search", json={}), 503)
    fake.rate_limit_next("prices", retry_after=7)
    limited = usps.call("POST", "/prices/v3/total-rates/search", json={})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"

    payment = usps.payment()
    fake.hang_next("labels", seconds=1.0)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{usps.url}/labels/v3/label",
            json=label_body(),
            timeout=0.3,
            headers={
                "Authorization": f"Bearer {usps.token}",
                "X-Payment-Authorization-Token": payment,
            },
        )
    assert time.monotonic() - started < 1.0
    assert fake.purchases == 1  # bought, though the caller never heard


def test_zpl_label_when_asked(usps):
    body = label_body()
    body["imageInfo"]["imageType"] = "ZPL203DPI"
    answer = usps.call("POST", "/labels/v3/label", payment=usps.payment(), json=body)
    image = base64.b64decode(parts_of(answer)["labelImage"].get_payload())
    assert image.startswith(b"^XA") and image.rstrip().endswith(b"^XZ")
