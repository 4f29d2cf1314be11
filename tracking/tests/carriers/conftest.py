"""A small fake of USPS APIs v3 (OAuth token + Tracking v3r2) on a real HTTP server.

The fake follows the documented contract: `POST /oauth2/v3/token` with a form
(`grant_type=client_credentials`, `client_id`, `client_secret`) answers a token living 28799 s;
`POST /tracking/v3r2/tracking` takes a JSON array of 1-35 `{trackingNumber, mailingDate?,
destinationZIPCode?}` behind a Bearer token and answers 200, or 207 with a `statusCode` per item
when some numbers fail. Tests script failures (5xx, 429 with Retry-After, slow answers, broken
bodies) with `next_tracking` / `always_tracking` and read what the server saw.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tracking import numbers
from tracking.carriers.usps.carrier import UspsCarrier
from tracking.carriers.usps.client import UspsClient
from tracking.services.refresh import refresh_due
from tracking.services.shipments import shipment_create

CLIENT_ID = "shipdesk-test-client"
CLIENT_SECRET = "shipdesk-test-secret"
TOKEN_LIFETIME = 28799
NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9]{4,34}$")

# --- realistic USPS tracking items ---------------------------------------------------------

# Places an item passes through: city, state, ZIP and the local UTC offset in November.
PLACES = {
    "origin": ("CHICAGO", "IL", "60607", -6 * 60),
    "hub": ("JERSEY CITY", "NJ", "07097", -5 * 60),
    "destination": ("NEW YORK", "NY", "10001", -5 * 60),
}


@dataclass(frozen=True)
class Step:
    hours: float  # after the label was created
    code: str
    text: str
    place: str
    recipient: str = ""
    firm: str = ""


_START = [
    Step(0, "MA", "Shipping Label Created, USPS Awaiting Item", "origin"),
    Step(3, "03", "USPS in possession of item", "origin"),
    Step(5, "10", "Processed through USPS Facility", "origin"),
    Step(6, "SF", "Departed USPS Regional Facility", "origin"),
    Step(20, "A1", "Arrived at USPS Regional Destination Facility", "hub"),
    Step(24, "T1", "Departed USPS Regional Facility", "hub"),
    Step(30, "07", "Arrived at Post Office", "destination"),
]
_OUT = Step(31, "OF", "Out for Delivery", "destination")
_NOTICE = Step(36, "02", "Notice Left (No Authorized Recipient Available)", "destination")

HISTORIES: dict[str, list[Step]] = {
    "label": _START[:1],
    "in_transit": _START[:5],
    "out_for_delivery": [*_START, _OUT],
    "delivered": [
        *_START,
        _OUT,
        Step(36, "01", "Delivered, In/At Mailbox", "destination", recipient="J SMITH"),
    ],
    "notice_left": [*_START, _OUT, _NOTICE],
    "pickup": [*_START, _OUT, _NOTICE, Step(37, "16", "Available for Pickup", "destination")],
    "returned": [
        *_START,
        _OUT,
        _NOTICE,
        Step(60, "09", "Return to Sender Processed", "destination"),
        Step(
            80,
            "RD",
            "Delivered, To Original Sender",
            "origin",
            recipient="M LOPEZ",
            firm="ACME PARCELS",
        ),
    ],
    "lost": [*_START[:4], Step(70, "11", "Forwarded to Mail Recovery Center", "hub")],
}

STATUS_CATEGORY = {
    "label": "Pre-Shipment",
    "in_transit": "In Transit",
    "out_for_delivery": "Out for Delivery",
    "delivered": "Delivered",
    "notice_left": "Alert",
    "pickup": "Available for Pickup",
    "returned": "Delivered",
    "lost": "Alert",
}


def history_start(now: datetime | None = None) -> datetime:
    """When the label of every fake item was created: four days ago, on the hour."""
    now = now or datetime.now(UTC)
    return (now - timedelta(days=4)).replace(minute=12, second=0, microsecond=0)


def usps_event(step: Step, start: datetime, *, gmt_only: bool = False) -> dict:
    """One v3r2 trackingEvents[] item: local time with its offset, and the GMT time."""
    city, state, zip_code, offset = PLACES[step.place]
    when = start + timedelta(hours=step.hours)
    local = when.astimezone(dt_timezone(timedelta(minutes=offset)))
    return {
        "eventType": step.text,
        "eventTimestamp": None if gmt_only else local.isoformat(timespec="seconds"),
        "GMTTimestamp": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "GMTOffset": f"{offset // 60:+03d}:00",
        "eventCountry": None,
        "eventCity": city,
        "eventState": state,
        "eventZIPCode": zip_code,
        "firm": step.firm or None,
        "name": None,
        "authorizedAgent": False,
        "eventCode": step.code,
        "actionCode": None,
        "reasonCode": None,
        "recipientName": step.recipient or None,
    }


def usps_item(number: str, history: str = "in_transit", *, start: datetime | None = None) -> dict:
    """One v3r2 tracking result as USPS shapes it, events newest first."""
    start = start or history_start()
    steps = HISTORIES[history]
    last = steps[-1]
    expected = (start + timedelta(days=2)).date()
    return {
        "trackingNumber": number,
        "additionalInfo": None,
        "ADPScripting": None,
        "archiveRestoreInfo": None,
        "associatedLabel": None,
        "carrierRelease": False,
        "mailClass": "Priority Mail",
        "destinationCity": "NEW YORK",
        "destinationState": "NY",
        "destinationZIPCode": "10001",
        "emailEnabled": True,
        "endOfDay": None,
        "eSOFEligible": False,
        "kahalaIndicator": False,
        "mailType": "DOMESTIC_MAIL",
        "approximateIntakeDate": None,
        "uniqueTrackingID": f"{number}-{start:%Y%m%d}-UTID",
        "onTime": history == "delivered",
        "originCity": "CHICAGO",
        "originState": "IL",
        "originZIPCode": "60607",
        "proofOfDeliveryEnabled": True,
        "predictedDeliveryTimeStamp": None,
        "predictedDeliveryDate": None,
        "predictedDeliveryWindowStartTime": None,
        "predictedDeliveryWindowEndTime": None,
        "relatedReturnReceiptID": None,
        "redeliveryEnabled": history == "notice_left",
        "enabledNotificationRequests": {"SMS": {"futureDelivery": True}},
        "restoreEnabled": False,
        "returnDateNotice": None,
        "RRAMenabled": False,
        "RREEnabled": True,
        "services": ["USPS Tracking"],
        "serviceTypeCode": "001",
        "status": last.text,
        "statusCategory": STATUS_CATEGORY[history],
        "statusSummary": f"Your item's latest status: {last.text}.",
        "trackingProofOfDeliveryEnabled": True,
        "valueofArticle": None,
        "extendRetentionPurchasedCode": None,
        "extendRetentionExtraServiceCodeOptions": [],
        "servicesEligibility": {
            "proofOfDeliveryEnabled": True,
            "RREEnabled": True,
            "trackingProofOfDeliveryEnabled": True,
            "redeliveryEnabled": history == "notice_left",
        },
        "deliveryDateExpectation": {
            "expectedDeliveryDate": expected.isoformat(),
            "predictedDeliveryDate": expected.isoformat(),
            "predictedDeliveryWindowStartTime": "09:00",
            "predictedDeliveryWindowEndTime": "13:00",
            "guaranteedDeliveryDate": None,
        },
        "trackingEvents": [usps_event(s, start) for s in reversed(steps)],
    }


def not_found_item(number: str) -> dict:
    return {
        "trackingNumber": number,
        "statusCode": "404",
        "error": {
            "code": "404",
            "message": "The tracking number may be incorrect or the status update is not yet "
            "available.",
        },
    }


# --- the fake server -----------------------------------------------------------------------


@dataclass
class Seen:
    kind: str  # "token" or "tracking"
    at: float  # time.monotonic() on arrival
    authorization: str = ""
    form: dict = field(default_factory=dict)
    body: object = None

    @property
    def numbers(self) -> list[str]:
        return [item["trackingNumber"] for item in self.body]


class FakeUsps:
    """The USPS endpoints shipdesk calls, answering as the contract says."""

    client_id = CLIENT_ID
    client_secret = CLIENT_SECRET
    token_lifetime = TOKEN_LIFETIME

    def __init__(self, server: HTTPServer):
        self.server = server
        self.base_url = server.url_for("").rstrip("/")
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.apps: dict[str, str] = {CLIENT_ID: CLIENT_SECRET}  # client id -> secret
        self.token_apps: dict[str, str] = {}  # token -> the client id it was issued to
        self.reject_all_tokens = False
        self.histories: dict[str, str] = {}  # number -> history name
        self.items: dict[str, Callable[[str], dict]] = {}  # number -> item builder
        self.default_history = "in_transit"
        self.start = history_start()
        self.token_delay = 0.0
        self.tracking_delay = 0.0
        self._next_tracking: deque[Callable[[Request], Response]] = deque()
        self._next_token: deque[Callable[[Request], Response]] = deque()
        self._always_tracking: Callable[[Request], Response] | None = None
        self._always_token: Callable[[Request], Response] | None = None
        self._release = threading.Event()
        self._in_flight = 0
        server.expect_request("/oauth2/v3/token", method="POST").respond_with_handler(
            self._guarded(self.token)
        )
        server.expect_request("/tracking/v3r2/tracking", method="POST").respond_with_handler(
            self._guarded(self.tracking)
        )

    # --- scripting ---------------------------------------------------------------------

    def next_tracking(self, *, times: int = 1, **answer) -> None:
        """The next `times` tracking requests get this answer (see `answer`)."""
        with self.lock:
            self._next_tracking.extend([_answer(**answer)] * times)

    def always_tracking(self, **answer) -> None:
        self._always_tracking = _answer(**answer)

    def next_token(self, *, times: int = 1, **answer) -> None:
        with self.lock:
            self._next_token.extend([_answer(**answer)] * times)

    def always_token(self, **answer) -> None:
        self._always_token = _answer(**answer)

    def revoke_tokens(self) -> None:
        """Tokens issued so far stop working (USPS answers 401 to them)."""
        with self.lock:
            self.revoked.update(self.issued)

    # --- what the server saw -----------------------------------------------------------

    @property
    def requests_seen(self) -> int:
        """Every request the HTTP server answered, as its own log counts them."""
        return len(self.server.log)

    def of_kind(self, kind: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.kind == kind]

    @property
    def token_requests(self) -> list[Seen]:
        return self.of_kind("token")

    @property
    def tracking_requests(self) -> list[Seen]:
        return self.of_kind("tracking")

    @staticmethod
    def events_in(history: str) -> int:
        """How many tracking events an item with this history carries."""
        return len(HISTORIES[history])

    def app_of(self, seen: Seen) -> str:
        """The client id of the app whose token a request carried."""
        return self.token_apps.get(seen.authorization.removeprefix("Bearer "), "")

    def numbers_sent(self) -> list[str]:
        return [n for s in self.tracking_requests for n in s.numbers]

    def drain(self, timeout: float = 5.0) -> None:
        """Let slow handlers finish now and wait until none is running."""
        self._release.set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self._in_flight:
                    return
            time.sleep(0.01)
        raise AssertionError("fake USPS handlers still running")

    # --- handlers ----------------------------------------------------------------------

    def _guarded(self, handler):
        def run(request: Request) -> Response:
            with self.lock:
                self._in_flight += 1
            try:
                return handler(request)
            finally:
                with self.lock:
                    self._in_flight -= 1

        return run

    def _scripted(self, queue: deque, always) -> Callable[[Request], Response] | None:
        with self.lock:
            if queue:
                return queue.popleft()
        return always

    def token(self, request: Request) -> Response:
        with self.lock:
            self.seen.append(Seen("token", time.monotonic(), form=dict(request.form)))
        if self.token_delay:
            self._release.wait(self.token_delay)
        scripted = self._scripted(self._next_token, self._always_token)
        if scripted:
            return scripted(request)
        if request.mimetype != "application/x-www-form-urlencoded":
            return _json({"error": "invalid_request"}, 400)
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        client_id = form.get("client_id", "")
        if client_id not in self.apps or form.get("client_secret") != self.apps[client_id]:
            return _json(
                {"error": "invalid_client", "error_description": "Client credentials invalid"},
                401,
            )
        with self.lock:
            token = f"tok-{len(self.issued) + 1}"
            self.issued.append(token)
            self.token_apps[token] = client_id
        return _json(
            {
                "access_token": token,
                "token_type": "Bearer",
                "issued_at": int(time.time() * 1000),
                "expires_in": TOKEN_LIFETIME,
                "status": "approved",
                "scope": "tracking",
                "issuer": "api.usps.com",
                "client_id": client_id,
                "application_name": "shipdesk tests",
                "api_products": "[Public Access]",
                "public_key": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K",
            }
        )

    def tracking(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            body = None
        seen = Seen(
            "tracking",
            time.monotonic(),
            authorization=request.headers.get("Authorization", ""),
            body=body,
        )
        with self.lock:
            self.seen.append(seen)
        if self.tracking_delay:
            self._release.wait(self.tracking_delay)
        scripted = self._scripted(self._next_tracking, self._always_tracking)
        if scripted:
            return scripted(request)
        token = seen.authorization.removeprefix("Bearer ")
        with self.lock:
            valid = token in self.issued and token not in self.revoked
        if self.reject_all_tokens or not seen.authorization.startswith("Bearer ") or not valid:
            return _error(401, "Unauthorized: the access token is invalid or expired.")
        if request.mimetype != "application/json":
            return _error(415, "Content-Type must be application/json.")
        problem = _validate(body)
        if problem:
            return _error(400, problem)
        items = [self._item(entry["trackingNumber"]) for entry in body]
        if all("statusCode" not in item for item in items):
            return _json(items, 200)
        for item in items:
            item.setdefault("statusCode", "200")
        return _json(items, 207)

    def _item(self, number: str) -> dict:
        if number in self.items:
            return self.items[number](number)
        history = self.histories.get(number, self.default_history)
        return usps_item(number, history, start=self.start)


def _validate(body) -> str:
    if not isinstance(body, list) or not 1 <= len(body) <= 35:
        return "The request body must be an array of 1 to 35 items."
    for entry in body:
        if not isinstance(entry, dict) or set(entry) - {
            "trackingNumber",
            "mailingDate",
            "destinationZIPCode",
        }:
            return "Unexpected item in the request body."
        if not NUMBER_PATTERN.match(str(entry.get("trackingNumber", ""))):
            return "trackingNumber must be 4 to 34 letters and digits."
        if "mailingDate" in entry and not re.match(r"^\d{4}-\d{2}-\d{2}$", entry["mailingDate"]):
            return "mailingDate must be YYYY-MM-DD."
        if "destinationZIPCode" in entry and not re.match(r"^\d{5}$", entry["destinationZIPCode"]):
            return "destinationZIPCode must be 5 digits."
    return ""


def _json(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(payload), status=status, headers=headers, content_type="application/json"
    )


def _error(status: int, message: str, headers: dict | None = None) -> Response:
    return _json(
        {"apiVersion": "v3r2", "error": {"code": str(status), "message": message}},
        status,
        headers,
    )


def _answer(
    *,
    status: int = 200,
    json_body=None,
    raw: str | None = None,
    content_type: str = "application/json",
    headers: dict | None = None,
) -> Callable[[Request], Response]:
    """A canned answer: raw text, a JSON body, or USPS's error envelope for the status."""

    def respond(_request: Request) -> Response:
        if raw is not None:
            return Response(raw, status=status, headers=headers, content_type=content_type)
        if json_body is not None:
            return _json(json_body, status, headers)
        return _error(status, f"HTTP {status} from the fake", headers)

    return respond


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def make_httpserver():
    """pytest-httpserver's server, on 127.0.0.1 and threaded (slow answers block no one)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def fake_usps(httpserver):
    fake = FakeUsps(httpserver)
    yield fake
    fake.drain()


class SleepRecorder(list):
    """Stands in for time.sleep: remembers what the client asked to wait, waits not."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return SleepRecorder()


@pytest.fixture
def make_client(fake_usps, sleeps):
    def make(**overrides) -> UspsClient:
        options = {
            "base_url": fake_usps.base_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "per_hour": 60,
            "timeout": 5.0,
            "max_retries": 2,
            "backoff": 0.01,
            "sleep": sleeps,
        }
        options.update(overrides)
        return UspsClient(**options)

    return make


@pytest.fixture
def usps_carrier(make_client):
    return UspsCarrier(make_client())


@pytest.fixture
def refresh():
    """One refresh pass through the real scheduler, with this carrier for USPS."""

    def run(carrier, **kwargs):
        return refresh_due(carriers={"usps": carrier}, **kwargs)

    return run


_serials = itertools.count(1)


def next_impb() -> str:
    """A fresh valid 22-digit IMpb number (mod-10 check digit included)."""
    return numbers.with_impb_check_digit(f"92055901755477{next(_serials):07d}")


@pytest.fixture
def impb():
    return next_impb


@pytest.fixture
def make_shipments(partner):
    def make(count: int, **fields):
        return [
            shipment_create(partner=partner, tracking_number=next_impb(), **fields)
            for _ in range(count)
        ]

    return make


@pytest.fixture
def item():
    """Build a realistic v3r2 tracking item: item(number, history, start=...)."""
    return usps_item


@pytest.fixture
def event():
    """Build one realistic trackingEvents[] entry: event(code, text, place, hours=..., ...)."""

    def make(
        code="10",
        text="Processed through USPS Facility",
        place="hub",
        *,
        hours=10.0,
        start=None,
        recipient="",
        firm="",
        gmt_only=False,
    ):
        step = Step(hours, code, text, place, recipient=recipient, firm=firm)
        return usps_event(step, start or history_start(), gmt_only=gmt_only)

    return make
