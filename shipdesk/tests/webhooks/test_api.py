"""/print-mail/v1/webhooks: CRUD, invocations, validation per field, refused targets, isolation."""

import pytest
import requests
from rest_framework.test import APIClient

from shipdesk.services import api_key_create
from shipdesk.webhooks.models import Webhook, WebhookDelivery, WebhookEvent, WebhookInvocation

BASE = "/print-mail/v1/webhooks"
HOOK = "http://127.0.0.1:8123/hook"


def client_for(partner, *, test=True) -> APIClient:
    _, raw_key = api_key_create(partner=partner, name="backend", is_test=test)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw_key)
    return client


@pytest.fixture
def api(partner):
    return client_for(partner)


def create(api, **body):
    body = {"url": HOOK, "enabledEvents": ["letter.created"], **body}
    return api.post(BASE, body, format="json")


def test_create_answers_the_webhook_with_a_generated_secret(api, partner):
    response = create(api, enabledEvents=["letter.created", "tracking.updated"])

    assert response.status_code == 200
    data = response.json()
    assert data["id"].startswith("webhook_")
    assert data == {
        **data,
        "object": "webhook",
        "live": False,
        "enabled": True,
        "enabledEvents": ["letter.created", "tracking.updated"],
        "payloadFormat": "jwt",
        "url": HOOK,
        "description": None,
        "disabledAt": None,
    }
    assert data["secret"].startswith("webhook_secret_") and len(data["secret"]) >= 20
    webhook = Webhook.objects.get()
    assert (webhook.partner, webhook.public_id, webhook.secret) == (
        partner,
        data["id"],
        data["secret"],
    )


def test_create_takes_a_json_format_a_secret_and_a_description(partner):
    live = client_for(partner, test=False)
    response = create(
        live,
        payloadFormat="json",
        secret="s" * 20,
        description="Order system",
        enabled=False,
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["payloadFormat"], data["secret"], data["description"]) == (
        "json",
        "s" * 20,
        "Order system",
    )
    assert (data["live"], data["enabled"]) == (True, False)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": None}, "url", "may not be null"),
        ({"url": "not a url"}, "url", "valid URL"),
        ({"url": "ftp://files.example.com/x"}, "url", "http:// or https://"),
        ({"enabledEvents": []}, "enabledEvents", "may not be empty"),
        ({"enabledEvents": ["letter.exploded"]}, "enabledEvents", "not a valid choice"),
        ({"enabledEvents": "letter.created"}, "enabledEvents", "list"),
        ({"payloadFormat": "xml"}, "payloadFormat", "not a valid choice"),
        ({"secret": "s" * 19}, "secret", "at least 20"),
        ({"secret": " " + "s" * 20}, "secret", "spaces"),
        ({"enabled": "sometimes"}, "enabled", "boolean"),
        ({"description": "d" * 501}, "description", "500"),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, body, field, words):
    response = create(api, **body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "validation_error"
    assert error["field"] == field
    assert field in error["message"] and words in error["message"]
    assert not Webhook.objects.exists()


def test_a_missing_member_is_named(api):
    response = api.post(BASE, {"url": HOOK}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "enabledEvents"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_loopback_and_private_targets_are_refused(api, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    response = create(api, url=url)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "url"
    assert "loopback or private network" in error["message"]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://[64:ff9b::7f00:1]/hook", "loopback or private network"),
        ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "loopback or private network"),
        ("http://[64:ff9b:1::5db8:d822]/hook", "loopback or private network"),
        ("http://[2002:7f00:1::]/hook", "loopback or private network"),
        ("http://[::7f00:1]/hook", "loopback or private network"),
        ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", "loopback or private network"),
        ("https://93.184.216.34:0/hook", "port must be a number from 1 to 65535"),
        ("https://93.184.216.34:65536/hook", "port must be a number from 1 to 65535"),
    ],
)
def test_wrapped_private_addresses_and_port_0_are_refused_naming_url(api, settings, url, says):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    response = create(api, url=url)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["field"]) == ("validation_error", "url")
    assert says in error["message"]
    assert not Webhook.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_over_http_a_nat64_or_6to4_loopback_target_is_refused(live_server, partner, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    _, raw_key = api_key_create(partner=partner, name="backend", is_test=True)
    with requests.Session() as session:
        session.headers["x-api-key"] = raw_key
        for url in ("http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://h.test:0/"):
            body = {"url": url, "enabledEvents": ["letter.created"]}
            response = session.post(live_server.url + BASE, json=body, timeout=10)
            assert response.status_code == 400, response.text
            assert response.json()["error"]["field"] == "url"
        kept = session.post(
            live_server.url + BASE,
            json={"url": "https://93.184.216.34/hook", "enabledEvents": ["letter.created"]},
            timeout=10,
        ).json()["id"]
        moved = session.post(
            f"{live_server.url}{BASE}/{kept}", json={"url": "http://[::7f00:1]/"}, timeout=10
        )
    assert moved.status_code == 400 and moved.json()["error"]["field"] == "url"
    assert list(Webhook.objects.values_list("url", flat=True)) == ["https://93.184.216.34/hook"]


def test_a_public_address_is_accepted_and_an_update_to_a_private_one_refused(api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = create(api, url="https://93.184.216.34/hooks/postgrid")
    assert response.status_code == 200
    webhook_id = response.json()["id"]

    refused = api.post(f"{BASE}/{webhook_id}", {"url": "http://127.0.0.1/x"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "url"
    assert Webhook.objects.get().url == "https://93.184.216.34/hooks/postgrid"


def test_list_pages_with_limit_and_skip_newest_first(api, django_assert_max_num_queries):
    ids = [create(api, description=f"hook {i}").json()["id"] for i in range(5)]

    with django_assert_max_num_queries(6):
        response = api.get(BASE, {"limit": 2, "skip": 1})

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("object", "limit", "skip", "totalCount")} == {
        "object": "list",
        "limit": 2,
        "skip": 1,
        "totalCount": 5,
    }
    assert [w["id"] for w in body["data"]] == [ids[3], ids[2]]
    assert api.get(BASE, {"search": "hook 4"}).json()["data"][0]["id"] == ids[4]
    bad = api.get(BASE, {"limit": 0})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "limit"


def test_retrieve_update_and_delete(api):
    webhook_id = create(api).json()["id"]

    assert api.get(f"{BASE}/{webhook_id}").json()["id"] == webhook_id
    updated = api.post(
        f"{BASE}/{webhook_id}",
        {"enabledEvents": ["cheque.updated"], "payloadFormat": "json"},
        format="json",
    )
    assert updated.status_code == 200
    assert updated.json()["enabledEvents"] == ["cheque.updated"]
    assert updated.json()["payloadFormat"] == "json"
    assert updated.json()["url"] == HOOK  # what was not sent stays
    patched = api.patch(f"{BASE}/{webhook_id}", {"enabled": False}, format="json")
    assert patched.json()["enabled"] is False
    bad = api.post(f"{BASE}/{webhook_id}", {"enabledEvents": ["nope"]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "enabledEvents"

    deleted = api.delete(f"{BASE}/{webhook_id}")

    assert deleted.json() == {"id": webhook_id, "object": "webhook", "deleted": True}
    assert api.get(f"{BASE}/{webhook_id}").status_code == 404
    assert not Webhook.objects.exists()


def test_invocations_list_time_status_duration_and_error(
    api, partner, django_assert_max_num_queries
):
    webhook = Webhook.objects.get(public_id=create(api).json()["id"])
    event = WebhookEvent.objects.create(partner=partner, type="letter.created", data={})
    delivery = WebhookDelivery.objects.create(event=event, webhook=webhook, body=b"{}")
    for status, error in [(None, "No answer within 10 s."), (500, "HTTP 500"), (200, "")]:
        WebhookInvocation.objects.create(
            webhook=webhook, delivery=delivery, status_code=status, duration_ms=12, error=error
        )

    with django_assert_max_num_queries(6):
        response = api.get(f"{BASE}/{webhook.public_id}/invocations", {"limit": 2})

    body = response.json()
    assert body["totalCount"] == 3
    first = body["data"][0]
    assert first == {
        **first,
        "object": "webhook_invocation",
        "webhook": webhook.public_id,
        "type": "letter.created",
        "event": event.public_id,
        "statusCode": 200,
        "durationMs": 12,
        "error": None,
        "replay": False,
    }
    assert first["id"].startswith("webhook_invocation_") and first["createdAt"].endswith("Z")
    assert body["data"][1]["error"] == "HTTP 500"


def test_another_partners_or_modes_webhook_is_not_found(api, partner, other_partner):
    theirs = create(client_for(other_partner)).json()["id"]
    live = create(client_for(partner, test=False)).json()["id"]
    mine = create(api).json()["id"]

    for webhook_id in (theirs, live):
        for method, path in [
            ("get", f"{BASE}/{webhook_id}"),
            ("post", f"{BASE}/{webhook_id}"),
            ("delete", f"{BASE}/{webhook_id}"),
            ("get", f"{BASE}/{webhook_id}/invocations"),
        ]:
            response = getattr(api, method)(path, {"enabled": False}, format="json")
            assert response.status_code == 404, (method, path)
            assert response.json()["error"]["type"] == "not_found_error"
    assert [w["id"] for w in api.get(BASE).json()["data"]] == [mine]
    assert Webhook.objects.filter(enabled=True).count() == 3


def test_a_request_without_a_key_is_refused_in_postgrids_envelope(db):
    response = APIClient().get(BASE)

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_api_key_error"
