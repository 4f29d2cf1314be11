"""The webhook-subscription API's OpenAPI description (/api/schema/webhooks/): served offline,
valid, complete, and true to what the server answers (schemathesis over every documented
operation, in-process, with a test key and a real webhook with an invocation)."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings

from mailorders.tests.conftest import PostGridClient
from shipdesk.models import APIKey
from shipdesk.services import api_key_create
from shipdesk.tests import openapi_support as support
from shipdesk.webhooks.api import schema as doc
from shipdesk.webhooks.api.urls import urlpatterns
from shipdesk.webhooks.models import (
    EventType,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookInvocation,
)


@pytest.fixture(scope="module")
def openapi() -> dict:
    return support.document(doc.SETTINGS)


def test_the_webhooks_description_is_valid_and_covers_every_endpoint(client, openapi):
    response = client.get("/api/schema/webhooks/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.json() == openapi
    validate_schema(openapi)

    routes = {
        "/print-mail/v1/" + re.sub(r"<\w+:(\w+)>", r"{\1}", str(p.pattern)) for p in urlpatterns
    }
    assert set(openapi["paths"]) == routes
    methods = {(path, method) for path, method, _ in support.operations(openapi)}
    detail = "/print-mail/v1/webhooks/{webhook_id}"
    assert {(detail, m) for m in ("get", "post", "patch", "delete")} <= methods
    assert len(methods) == 7
    scheme = openapi["components"]["securitySchemes"]["xApiKey"]
    assert (scheme["in"], scheme["name"]) == ("header", "x-api-key")
    for path, method, operation in support.operations(openapi):
        assert operation["security"] == [{"xApiKey": []}], (path, method)
    create = openapi["components"]["schemas"]["WebhookRequest"]
    assert set(create["required"]) == {"url", "enabledEvents"}


def test_webhooks_docs_are_served_offline(client):
    support.assert_served_offline(client, "webhooks")


def test_every_member_the_api_sends_is_documented(openapi, examples):
    api, _ = examples
    schemas = openapi["components"]["schemas"]
    webhook = api.get(f"/print-mail/v1/webhooks/{doc.EXAMPLE_ID}").json()
    assert set(webhook) == set(schemas["Webhook"]["properties"])
    invocations = api.get(f"/print-mail/v1/webhooks/{doc.EXAMPLE_ID}/invocations").json()
    assert set(invocations["data"][0]) == set(schemas["WebhookInvocation"]["properties"])


# ---------------------------------------------------------------------------------------------
# schemathesis

schema = support.fuzz_schema(doc.SETTINGS, examples=15, real_ids={"webhook_id": [doc.EXAMPLE_ID]})


def refused_for_state(error: dict) -> bool:
    """A `url` whose host does not resolve, or resolves to a non-public address: where a name
    points is not the request's shape (the description says such a `url` is refused)."""
    message = error.get("message", "")
    return error.get("field") == "url" and (
        message.endswith("could not be resolved.") or "loopback or private network" in message
    )


def _ensure_example(partner) -> Webhook:
    webhook, created = Webhook.objects.get_or_create(
        public_id=doc.EXAMPLE_ID,
        defaults={
            "partner": partner,
            "live": False,
            "url": "https://hooks.example.com/postgrid",
            "enabled_events": [EventType.LETTER_CREATED],
            "secret": "s" * 32,
        },
    )
    if created:
        event = WebhookEvent.objects.create(
            partner=partner, type=EventType.LETTER_CREATED, live=False, data={"id": "letter_x"}
        )
        delivery = WebhookDelivery.objects.create(webhook=webhook, event=event, body=b"{}")
        WebhookInvocation.objects.create(
            webhook=webhook, delivery=delivery, status_code=200, duration_ms=12
        )
    return webhook


@pytest.fixture
def examples(db, partner, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False  # the real target check
    key, raw_key = api_key_create(partner=partner, name="fuzz", is_test=True)
    APIKey.objects.filter(pk=key.pk).update(rate_per_second=1_000_000)
    _ensure_example(partner)
    with support.connection_kept_open():
        yield PostGridClient(raw_key), raw_key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_webhooks_api_answers_as_its_description_says(case, examples, partner):
    _, raw_key = examples
    _ensure_example(partner)
    case.call_and_validate(
        headers=support.key_header(case, raw_key), checks=support.checks(refused_for_state)
    )


def test_fuzzing_reaches_the_example_webhook(examples):
    api, _ = examples
    assert api.get(f"/print-mail/v1/webhooks/{doc.EXAMPLE_ID}").status_code == 200
    invocations = api.get(f"/print-mail/v1/webhooks/{doc.EXAMPLE_ID}/invocations").json()
    assert invocations["totalCount"] == 1


@pytest.mark.parametrize(
    "member, value",
    [("enabled", "false"), ("description", 7), ("enabledEvents", "letter.created")],
)
def test_a_json_member_of_the_wrong_type_is_refused(partner, member, value):
    """DRF alone read "false" as False and 7 as "7" (the description says boolean, string)."""
    _, raw_key = api_key_create(partner=partner, name="types", is_test=True)
    api = PostGridClient(raw_key)
    body = {"url": "http://127.0.0.1:9/hook", "enabledEvents": ["letter.created"]}

    response = api.post("/print-mail/v1/webhooks", {**body, member: value})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == member
    assert not Webhook.objects.exists()
    assert api.post("/print-mail/v1/webhooks", body).status_code == 200
