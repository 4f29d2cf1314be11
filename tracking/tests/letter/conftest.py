"""Delivered shipments made the way refresh makes them (a USPS answer through the mapper and
ingest), and a fake of USPS's proof-of-delivery endpoint beside the tracking fake."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable

import pytest
from werkzeug import Request, Response

from tracking.carriers.usps import mapper
from tracking.pod.keys import key_file_create, public_keys_document
from tracking.services.ingest import shipments_ingest
from tracking.services.shipments import shipment_create
from tracking.tests.carriers.conftest import (  # noqa: F401  (fixtures shared with carriers/)
    _answer,
    _error,
    _json,
    fake_usps,
    history_start,
    make_client,
    make_httpserver,
    next_impb,
    sleeps,
    usps_item,
)

POD_PATH = re.compile(r"^/tracking/v3r2/tracking/([A-Za-z0-9]{4,34})/proof-of-delivery$")
LETTER_TYPES = {"PROOF_OF_DELIVERY", "RETURN_RECEIPT_ELECTRONIC"}
RECIPIENT_KEYS = {"email", "firstName", "lastName"}


def deliver(shipment, *, history="delivered", eligibility=None, **item_fields):
    """Ingest a USPS answer for `shipment` (delivered by default) and return it fresh."""
    item = usps_item(shipment.tracking_number, history, start=history_start())
    item["servicesEligibility"] = eligibility or {
        "proofOfDeliveryEnabled": True,
        "RREEnabled": False,
    }
    item.update(item_fields)
    result = mapper.parse_item(item)
    shipments_ingest(pairs=[(shipment, result)])
    shipment.refresh_from_db()
    return shipment


@pytest.fixture
def delivered(partner):
    """`delivered(history, eligibility, item, **fields)`: a new shipment (`fields`) USPS
    reports delivered to J SMITH (or `history`), its item's servicesEligibility and fields set."""

    def make(history="delivered", eligibility=None, item=None, **fields):
        shipment = shipment_create(partner=partner, tracking_number=next_impb(), **fields)
        return deliver(shipment, history=history, eligibility=eligibility, **(item or {}))

    return make


class FakeUspsPod:
    """USPS's POST /tracking/v3r2/tracking/{n}/proof-of-delivery, as seed 000 describes it."""

    def __init__(self, fake):
        self.fake = fake
        self.lock = threading.Lock()
        self.seen: list[dict] = []
        self._next: deque[Callable[[Request], Response]] = deque()
        fake.server.expect_request(POD_PATH, method="POST").respond_with_handler(self.handle)

    def next(self, *, times: int = 1, **answer) -> None:
        with self.lock:
            self._next.extend([_answer(**answer)] * times)

    def handle(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            body = None
        number = POD_PATH.match(request.path).group(1)
        with self.lock:
            self.seen.append(
                {
                    "number": number,
                    "body": body,
                    "authorization": request.headers.get("Authorization", ""),
                }
            )
            scripted = self._next.popleft() if self._next else None
        if scripted:
            return scripted(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.fake.issued:
            return _error(401, "Unauthorized: the access token is invalid or expired.")
        problem = _validate(body)
        if problem:
            return _error(400, problem)
        return _json({"message": "Your proof of delivery request has been received."}, 202)


def _validate(body) -> str:
    if not isinstance(body, dict):
        return "The request body must be an object."
    if not body.get("uniqueTrackingID"):
        return "uniqueTrackingID is required."
    if body.get("letterType", "PROOF_OF_DELIVERY") not in LETTER_TYPES:
        return "letterType must be PROOF_OF_DELIVERY or RETURN_RECEIPT_ELECTRONIC."
    recipients = body.get("recipients")
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= 3:
        return "recipients must hold 1 to 3 recipients."
    for r in recipients:
        if not isinstance(r, dict) or set(r) != RECIPIENT_KEYS or not all(r.values()):
            return "Each recipient needs email, firstName and lastName."
    if "mailingDate" in body and not re.match(r"^\d{4}-\d{2}-\d{2}$", body["mailingDate"]):
        return "mailingDate must be YYYY-MM-DD."
    if "CRID" in body and not re.match(r"^\d{1,10}$", body["CRID"]):
        return "CRID must be numeric."
    return ""


@pytest.fixture
def usps_pod(fake_usps):  # noqa: F811  (the fixture imported above)
    return FakeUspsPod(fake_usps)


@pytest.fixture(autouse=True)
def pod_keys(settings, tmp_path):
    """A fresh signing key in a temporary key file, and the public keys file the verifier reads."""
    settings.POD_SIGNING_KEY = ""
    settings.POD_RETIRED_PUBLIC_KEYS = []
    settings.POD_SIGNING_KEY_FILE = tmp_path / "pod-signing-key.json"
    key_file_create(path=settings.POD_SIGNING_KEY_FILE)
    keys_path = tmp_path / "shipdesk-passport.json"
    keys_path.write_text(json.dumps(public_keys_document()))
    return keys_path
