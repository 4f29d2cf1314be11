"""Bodies and query strings past Django's limits (DATA_UPLOAD_MAX_MEMORY_SIZE,
DATA_UPLOAD_MAX_NUMBER_FIELDS) answer 413 or 400 in each API's own envelope and change
nothing, on every partner write endpoint and on the public POD endpoints."""

from __future__ import annotations

import json

import pytest
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, TooManyFilesSent
from django.test import Client

from mailorders.models import (
    BankAccount,
    Cheque,
    Contact,
    Label,
    Letter,
    Manifest,
    Postcard,
    SelfMailer,
    Template,
)
from shipdesk.api import exception_handler
from shipdesk.services import api_key_create
from shipdesk.webhooks.models import Webhook
from tracking.models import Shipment
from tracking.pod.views import pod_exception_handler

BIG_JSON = json.dumps({"tracking_number": "9400111899223100000000", "note": "x" * 10_000_000})
MANY_FIELDS = "&".join(f"field{n}=1" for n in range(1500))
MODELS = [
    Shipment,
    Contact,
    Template,
    BankAccount,
    Letter,
    Postcard,
    Cheque,
    SelfMailer,
    Webhook,
    Label,
    Manifest,
]

TRACKING = ["trackings", "couriers/detect", "estimated-delivery-date/predict-batch"]
PRINT_MAIL = [
    "contacts",
    "templates",
    "bank_accounts",
    "letters",
    "postcards",
    "cheques",
    "self_mailers",
    "webhooks",
]
POSTMEN = ["labels", "manifests", "cancel-labels"]
DIALECTS = {
    "aftership": ("/tracking/2024-04/", "as-api-key", TRACKING),
    "postgrid": ("/print-mail/v1/", "x-api-key", PRINT_MAIL),
    "postmen": ("/postmen/v3/", "postmen-api-key", POSTMEN),
}
ENDPOINTS = [
    pytest.param(dialect, path, id=f"{prefix}{path}")
    for dialect, (prefix, _, paths) in DIALECTS.items()
    for path in paths
]
POD_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def _roomy_rate(settings):
    settings.API_RATE_PER_SECOND = 10_000


@pytest.fixture
def raw_key(partner):
    return api_key_create(partner=partner, name="limits", is_test=True)[1]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def assert_envelope(dialect: str, response, status: int, says: str) -> str:
    """The dialect's error envelope with `status`; returns its message."""
    assert response.status_code == status, response.content[:500]
    body = response.json()
    if dialect == "aftership":
        assert body["meta"]["code"] == status and body["meta"]["type"] == "BadRequest", body
        message = body["meta"]["message"]
    elif dialect == "postgrid":
        assert set(body) == {"error"}, body
        expected = "request_too_large_error" if status == 413 else "validation_error"
        assert body["error"]["type"] == expected, body
        message = body["error"]["message"]
    elif dialect == "postmen":
        meta = body["meta"]
        # Postmen's own code for an invalid request, whatever the HTTP status.
        assert meta["code"] == 4104 and meta["retryable"] is False and body["data"] == {}, body
        message = meta["message"]
    else:
        assert body["ok"] is False, body
        assert body["error"]["code"] == ("request_too_large" if status == 413 else "bad_request")
        message = body["error"]["message"]
    assert says in message, message
    return message


TOO_BIG = f"at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes"
TOO_MANY = f"at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} form fields"


@pytest.mark.parametrize(("dialect", "path"), ENDPOINTS)
def test_a_10_mb_json_body_answers_413_in_the_apis_envelope(db, raw_key, dialect, path):
    prefix, header, _ = DIALECTS[dialect]
    before = row_counts()
    response = Client(raise_request_exception=False).post(
        prefix + path, BIG_JSON, content_type="application/json", headers={header: raw_key}
    )
    message = assert_envelope(dialect, response, 413, TOO_BIG)
    assert message.startswith("The request body is too large")
    assert row_counts() == before


@pytest.mark.parametrize(("dialect", "path"), ENDPOINTS)
def test_1500_fields_answer_400_in_the_apis_envelope(db, raw_key, dialect, path):
    """As a form body where the API takes forms (print-mail), else as query parameters (the
    JSON-only APIs refuse a form body as 415 before reading it)."""
    prefix, header, _ = DIALECTS[dialect]
    before = row_counts()
    client = Client(raise_request_exception=False)
    if dialect == "postgrid":
        response = client.post(
            prefix + path,
            MANY_FIELDS,
            content_type="application/x-www-form-urlencoded",
            headers={header: raw_key},
        )
    else:
        response = client.post(
            f"{prefix}{path}?{MANY_FIELDS}", "{}", content_type="application/json",
            headers={header: raw_key},
        )  # fmt: skip
    assert_envelope(dialect, response, 400, TOO_MANY)
    assert row_counts() == before


@pytest.mark.parametrize("dialect", ["aftership", "postmen"])
def test_a_form_body_to_a_json_only_api_is_refused_as_415(db, raw_key, dialect):
    prefix, header, paths = DIALECTS[dialect]
    response = Client(raise_request_exception=False).post(
        prefix + paths[0],
        MANY_FIELDS,
        content_type="application/x-www-form-urlencoded",
        headers={header: raw_key},
    )
    assert response.status_code == 415
    assert response.json()["meta"]["code"] == {"aftership": 415, "postmen": 4104}[dialect]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_over_http_each_api_refuses_both_in_its_envelope(live_server, raw_key, dialect):
    prefix, header, paths = DIALECTS[dialect]
    before = row_counts()
    with requests.Session() as session:
        session.headers[header] = raw_key
        for path in paths:
            url = live_server.url + prefix + path
            big = session.post(
                url, data=BIG_JSON, headers={"Content-Type": "application/json"}, timeout=60
            )
            assert_envelope(dialect, big, 413, TOO_BIG)
            if dialect == "postgrid":
                many = session.post(
                    url,
                    data=MANY_FIELDS,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    timeout=60,
                )
            else:
                many = session.post(f"{url}?{MANY_FIELDS}", json={}, timeout=60)
            assert_envelope(dialect, many, 400, TOO_MANY)
        listed = session.get(f"{live_server.url}{prefix}{paths[0]}?{MANY_FIELDS}", timeout=60)
        if listed.status_code != 405:
            assert_envelope(dialect, listed, 400, TOO_MANY)
    assert row_counts() == before


@pytest.mark.parametrize(
    "path",
    [f"api/v1/shipments/{POD_UUID}/pod", f"api/v1/shipments/{POD_UUID}/proof"],
)
def test_over_http_the_pod_endpoints_refuse_too_many_fields(live_server, path):
    url = f"{live_server.url}/{path}"
    response = requests.get(f"{url}?{MANY_FIELDS}", timeout=60)
    assert_envelope("pod", response, 400, TOO_MANY)
    big = requests.get(url, data=BIG_JSON, timeout=60)  # a GET's body is never read
    assert big.status_code == 404 and big.json()["error"]["code"] == "not_found"
    posted = requests.post(url, data=BIG_JSON, timeout=60)
    assert posted.status_code == 405 and posted.json()["ok"] is False


@pytest.mark.parametrize(
    ("exc", "status", "says"),
    [
        (TooManyFilesSent("files"), 400, "too many files"),
        (SuspiciousOperation("odd"), 400, "malformed"),
    ],
)
def test_other_suspicious_requests_answer_400_in_each_envelope(exc, status, says):
    response = exception_handler(exc, {"view": None})
    assert response.status_code == status and says in response.data["meta"]["message"]
    response = pod_exception_handler(exc, {})
    assert response.status_code == status and says in response.data["error"]["message"]
