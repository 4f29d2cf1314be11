"""Fixtures for the mail-order and label tests: PostGrid-keyed clients (test and live) for two
partners, a sandbox shipper account."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer
from rest_framework.test import APIClient

from conftest import role_group
from mailorders.models import PrintJob, PrintRoute, ShipperAccount
from mailorders.printhouse import PROVIDER
from mailorders.tests.fake_print_provider import FakePrintProvider
from shipdesk.roles import PRINT_ROOM
from shipdesk.services import api_key_create
from shipdesk.webhooks.models import EventType, Webhook
from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET
from tracking.carriers.usps.fake.fixtures import usps_server  # noqa: F401 (a fixture)

PREFIX = "/print-mail/v1"
TO = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "addressLine1": "145 Mulberry St",
    "addressLine2": "Apt PH D",
    "city": "New York",
    "provinceOrState": "NY",
    "postalOrZip": "10013",
    "countryCode": "US",
}
FROM = {
    "companyName": "Acme Parcels",
    "addressLine1": "90 Canal St",
    "city": "Boston",
    "provinceOrState": "MA",
    "postalOrZip": "02114",
    "countryCode": "US",
}
PROVIDER_WEBHOOK_SECRET = "webhook_secret_fake0123456789abcdef0123"
HTML = "<html><body><p>Hello {{name}}, your code is {{code}}.</p></body></html>"


def url(*parts: str) -> str:
    return "/".join([PREFIX, *parts])


class PostGridClient(APIClient):
    """An APIClient that sends JSON and a partner's key in `x-api-key`."""

    def __init__(self, raw_key: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.default_format = "json"
        if raw_key:
            self.credentials(HTTP_X_API_KEY=raw_key)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int, *, field: str | None = None, says: str = "") -> dict:
    """The `error` object of a PostGrid error answer, after checking its shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert isinstance(err["type"], str) and err["type"].endswith("_error"), err
    assert isinstance(err["message"], str) and err["message"], err
    if field is not None:
        assert err.get("field") == field, err
        assert field in err["message"], err
    assert says in err["message"], err
    return err


@pytest.fixture(autouse=True)
def _roomy_rate(settings, tmp_path):
    settings.API_RATE_PER_SECOND = 10_000
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def account(partner):
    """A sandbox shipper account of the partner."""
    return ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")


@pytest.fixture
def client_for(db):
    def make(partner, *, test: bool = True) -> PostGridClient:
        key, raw_key = api_key_create(partner=partner, name="print", is_test=test)
        client = PostGridClient(raw_key)
        client.key, client.raw_key = key, raw_key
        return client

    return make


@pytest.fixture
def api(client_for, partner):
    """The partner's test-mode client."""
    return client_for(partner)


@pytest.fixture
def live_api(client_for, partner):
    return client_for(partner, test=False)


@pytest.fixture
def other_api(client_for, other_partner):
    return client_for(other_partner)


@pytest.fixture
def letter_body():
    return {
        "to": dict(TO),
        "from": dict(FROM),
        "html": HTML,
        "mergeVariables": {"name": "Ada", "code": "X-42"},
        "description": "Welcome letter",
    }


@pytest.fixture
def create_letter(api, letter_body):
    def make(client=None, **overrides) -> dict:
        response = (client or api).post(url("letters"), {**letter_body, **overrides})
        return ok(response)

    return make


@pytest.fixture
def provider_server():
    """A threaded server: a late answer does not hold up the next request."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def fake_provider(provider_server, settings, partner):
    """The fake provider `fake`, where the partner's orders are routed."""
    provider = FakePrintProvider(delay_seconds=0.8)
    settings.PRINT_PROVIDERS = {
        "fake": {
            "BASE_URL": provider.install(provider_server),
            "API_KEY": provider.api_key,
            "WEBHOOK_SECRET": PROVIDER_WEBHOOK_SECRET,
            "TIMEOUT_SECONDS": 0.3,
        }
    }
    settings.PRINT_PROVIDER_DEFAULT = ""
    settings.PRINT_PROVIDER_RETRY_BASE_SECONDS = 10
    settings.PRINT_PROVIDER_RETRY_MAX_SECONDS = 600
    settings.PRINT_PROVIDER_MAX_ATTEMPTS = 8
    PrintRoute.objects.create(partner=partner, house=PROVIDER, provider="fake")
    return provider


@pytest.fixture
def forwarded(create_letter, django_capture_on_commit_callbacks):
    """Create a letter through the API; its print job is submitted once the create commits."""

    def make(**overrides) -> PrintJob:
        with django_capture_on_commit_callbacks(execute=True):
            data = create_letter(**overrides)
        return PrintJob.objects.get(order_id=data["id"])

    return make


@pytest.fixture
def printer_user(django_user_model):
    """A member of the Print room group (the print queue's people)."""
    user = django_user_model.objects.create_user("printer", password="pw-printer-1")
    user.groups.add(role_group(PRINT_ROOM))
    return user


@pytest.fixture
def printer_client(client, printer_user):
    client.force_login(printer_user)
    return client


@pytest.fixture
def order_webhook(partner):
    """A test-mode webhook of the partner's for print-mail updates (so their events are kept)."""
    return Webhook.objects.create(
        partner=partner,
        url="http://127.0.0.1:9/hook",
        enabled_events=[
            EventType.LETTER_UPDATED,
            EventType.POSTCARD_UPDATED,
            EventType.CHEQUE_UPDATED,
        ],
        live=False,
    )


# A live USPS shipper account as the label tests use it (USPS's example CRID and MIDs).
LIVE_ACCOUNT = {
    "description": "USPS Ship",
    "sandbox": False,
    "mailer_id": "904128936",
    "crid": "56982563",
    "manifest_mid": "904128937",
    "eps_account": "1000000001",
}


@pytest.fixture
def fake(settings, usps_server, tmp_path):  # noqa: F811
    """The fake USPS server as USPS (tracking, and live accounts' test environment), the app's
    credentials in the settings, no retries; the fake itself, to read what it was sent."""
    settings.USPS_BASE_URL = usps_server.url
    settings.USPS_TEST_BASE_URL = usps_server.url
    settings.USPS_CLIENT_ID = CLIENT_ID
    settings.USPS_CLIENT_SECRET = CLIENT_SECRET
    settings.USPS_TIMEOUT_SECONDS = 2.0
    settings.USPS_MAX_RETRIES = 0
    settings.MEDIA_ROOT = tmp_path
    return usps_server.fake


@pytest.fixture
def live(partner):
    return ShipperAccount.objects.create(partner=partner, **LIVE_ACCOUNT)
