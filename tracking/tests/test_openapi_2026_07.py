"""The tracking API 2026-07's OpenAPI description: served offline, valid, complete, and true to
what the server answers (schemathesis over WSGI, as tracking/tests/test_openapi.py does for
2024-04: no 500, every answer as documented, valid data accepted, invalid data refused)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from shipdesk.api import NotFoundView
from shipdesk.models import APIKey
from shipdesk.services import api_key_create, partner_get_or_create
from shipdesk.tests.openapi_support import assert_served_offline
from shipdesk.wsgi import application
from tracking.api.schema import v2026_07 as doc
from tracking.api.versions import shapes_2026_07 as shapes
from tracking.api.versions.v2026_07 import VERSION
from tracking.models import Checkpoint, Shipment
from tracking.services.shipments import shipment_create

PREFIX = "/tracking/2026-07"
SCHEMA_URL = "/api/schema/tracking-2026-07/"
EXAMPLE_ID = "5b7658cec7c33c0e007de3c5"
EXAMPLE_NUMBER = "9400111899223123456785"
METHODS = ("get", "put", "post", "patch", "delete")


def _generate() -> dict:
    with patched_settings(doc.SETTINGS):
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def openapi() -> dict:
    return _generate()


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_the_description_is_served_beside_2024_04_and_valid(client):
    response = client.get(SCHEMA_URL, HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    assert document["info"]["version"] == "2026-07"
    assert all(path.startswith(PREFIX + "/") for path in document["paths"])
    assert client.get("/api/schema/").status_code == 200  # 2024-04's stays
    assert_served_offline(client, "tracking-2026-07")


def test_every_2026_07_route_is_documented_with_its_errors(openapi):
    documented = {(path, method) for path, method, _ in _operations(openapi)}
    missing = [
        f"{method} {path}"
        for path, _, method, callback in EndpointEnumerator().get_api_endpoints()
        if path.startswith(PREFIX)
        and callback.cls is not NotFoundView
        and (path, method.lower()) not in documented
    ]
    assert not missing
    for path, method, operation in _operations(openapi):
        where = f"{method.upper()} {path}"
        assert {"401", "429"} <= set(operation["responses"]), where
        assert "{slug}" not in path, where
    listing = {
        p["name"]
        for p in openapi["paths"][f"{PREFIX}/trackings"]["get"]["parameters"]
        if p["in"] == "query"
    }
    assert {"cursor", "limit", "keyword", "shipment_tags"} <= listing
    assert "page" not in listing


def test_every_key_the_api_sends_is_documented(openapi, partner):
    shipment = shipment_create(partner=partner, tracking_number=EXAMPLE_NUMBER)
    Checkpoint.objects.create(
        shipment=shipment,
        event_key="k",
        checkpoint_time=shipment.created_at,
        message="Accepted",
        tag="InTransit",
        subtag="InTransit_002",
        subtag_message="Acceptance scan",
    )
    schemas = openapi["components"]["schemas"]
    (tracking,) = VERSION.trackings([shipment.pk])

    assert set(tracking) == set(schemas["Tracking"]["properties"])
    assert set(tracking["checkpoints"][0]) == set(schemas["Checkpoint"]["properties"])
    assert set(shapes.COURIER) == set(schemas["Courier"]["properties"])


# ---------------------------------------------------------------------------------------------
# schemathesis


def _fuzz_schema():
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": 20,
                "deterministic": True,
                "database": "none",
                "mode": "all",
                "allow-x00": False,
            },
            "phases": {"stateful": {"enabled": False}},
            "operations": [
                {"include-operation-id-regex": "^patch", "phases": {"coverage": {"enabled": False}}}
            ],
        }
    )
    loaded = schemathesis.openapi.from_dict(_generate(), config=config)
    loaded.app = application

    @loaded.hook
    def before_generate_path_parameters(context, strategy):
        if "{tracking_id}" in context.operation.path:
            return st.one_of(strategy, st.just({"tracking_id": EXAMPLE_ID}))
        return strategy

    return loaded


schema = _fuzz_schema()


@pytest.fixture
def fuzz_key(db):
    partner = partner_get_or_create(name="Fuzz Parcels")
    key, raw_key = api_key_create(partner=partner, name="fuzz")
    APIKey.objects.filter(pk=key.pk).update(rate_per_second=1_000_000)
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield partner, raw_key
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _ensure_example_tracking(partner) -> None:
    if Shipment.objects.filter(public_id=EXAMPLE_ID).exists():
        return
    shipment = shipment_create(partner=partner, tracking_number=EXAMPLE_NUMBER)
    Shipment.objects.filter(pk=shipment.pk).update(public_id=EXAMPLE_ID)


# Refusals of what the tracking is, or of a cursor no list gave: the values are well-formed,
# and the description says so.
STATE_CODES = {4003, 4016}


def valid_data_accepted(ctx, response, case):
    if response.status_code == 400:
        meta = response.json()["meta"]
        if meta["code"] in STATE_CODES or meta["message"].startswith("cursor: "):
            return None
    return positive_data_acceptance(ctx, response, case)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_2026_07_answers_as_its_schema_says(case, fuzz_key):
    partner, raw_key = fuzz_key
    _ensure_example_tracking(partner)
    sent = {header.lower() for header in case.headers or {}}
    case.call_and_validate(
        headers={"as-api-key": raw_key} if "as-api-key" in sent else {},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
            valid_data_accepted,
        ],
    )
