"""Fixtures for the mail-order and label tests: PostGrid-keyed clients (test and live) for two
partners, a sandbox shipper account."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mailorders.models import ShipperAccount
from shipdesk.services import api_key_create

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
