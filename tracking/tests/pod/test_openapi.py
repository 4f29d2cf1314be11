"""The public POD endpoints' OpenAPI description (/api/schema/pod/) agrees with the server:
schemathesis runs every documented operation in-process, with a delivered and an undelivered
shipment to reach real answers."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
import time_machine
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
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

from shipdesk.tests.openapi_support import assert_served_offline
from shipdesk.wsgi import application
from tracking.models import Shipment
from tracking.pod import schema as pod_schema
from tracking.services.shipments import shipment_create
from tracking.tests.pod.support import DELIVERED, IN_TRANSIT, NOW

DELIVERED_UUID = "0f8e3a52-7c41-4d2b-9a65-1b2c3d4e5f60"
IN_TRANSIT_UUID = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]


def _document() -> dict:
    """The description as /api/schema/pod/ serves it."""
    with patched_settings(pod_schema.SETTINGS):
        return SchemaGenerator(urlconf="tracking.pod.urls").get_schema(request=None, public=True)


def test_the_pod_description_is_valid_and_covers_every_endpoint(client):
    response = client.get("/api/schema/pod/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    document = response.json()
    assert document == _document()
    validate_schema(document)

    assert set(document["paths"]) == {
        "/api/v1/shipments/{shipment_uuid}/pod",
        "/api/v1/shipments/{shipment_uuid}/proof",
        "/.well-known/shipdesk-passport.json",
    }
    pod = document["paths"]["/api/v1/shipments/{shipment_uuid}/pod"]["get"]
    assert pod.get("security", []) in ([], [{}])  # no key
    assert "securitySchemes" not in document.get("components", {})
    assert {"200", "400", "404", "409", "410", "429"} <= set(pod["responses"])
    error = pod["responses"]["409"]["content"]["application/json"]["schema"]
    assert error["properties"]["error"]["properties"]["code"]["enum"] == ["not_delivered"]


def test_pod_docs_are_served_offline(client):
    assert_served_offline(client, "pod")


def _fuzz_schema():
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": 20,
                "deterministic": True,
                "database": "none",
                "mode": "all",
            },
            "phases": {"stateful": {"enabled": False}},
        }
    )
    loaded = schemathesis.openapi.from_dict(_document(), config=config)
    loaded.app = application

    @loaded.hook
    def before_generate_path_parameters(context, strategy):
        """Most cases name a real shipment, so fuzzing reaches the signed POD and 409."""
        real = st.sampled_from([DELIVERED_UUID, DELIVERED_UUID.upper(), IN_TRANSIT_UUID])
        return st.one_of(strategy, st.fixed_dictionaries({"shipment_uuid": real}))

    return loaded


schema = _fuzz_schema()


@pytest.fixture
def shipments(db, partner, track, numbers):
    """A delivered and an in-transit shipment with the UUIDs the fuzzing cases name."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    with time_machine.travel(NOW, tick=False):
        for fixed, events in ((DELIVERED_UUID, DELIVERED), (IN_TRANSIT_UUID, IN_TRANSIT)):
            shipment = shipment_create(partner=partner, tracking_number=numbers())
            Shipment.objects.filter(pk=shipment.pk).update(uuid=uuid.UUID(fixed))
            shipment.refresh_from_db()
            track(events, shipment=shipment)
    # Keep the test's connection open across the WSGI requests (as in the tracking API's run).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_pod_endpoints_answer_as_their_description_says(case, shipments):
    with time_machine.travel(NOW, tick=False):
        case.call_and_validate(checks=CHECKS)


def test_fuzzing_reaches_a_signed_pod(shipments):
    with time_machine.travel(NOW, tick=False):
        client = Client()
        assert client.get(f"/api/v1/shipments/{DELIVERED_UUID}/pod").status_code == 200
        assert client.get(f"/api/v1/shipments/{IN_TRANSIT_UUID}/pod").status_code == 409
