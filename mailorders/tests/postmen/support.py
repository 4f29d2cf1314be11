"""Helpers for the /postmen/v3/ tests: a keyed client and the envelope checks."""

from __future__ import annotations

from rest_framework.test import APIClient

from shipdesk.services import api_key_create

PREFIX = "/postmen/v3"


def client_of(partner, header: str = "HTTP_AS_API_KEY") -> APIClient:
    _, raw_key = api_key_create(partner=partner, name="labels", is_test=True)
    client = APIClient()
    client.default_format = "json"
    client.credentials(**{header: raw_key})
    return client


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["meta"] == {"code": 200, "message": "OK", "details": [], "retryable": False}
    return body["data"]


# Postmen's meta.code for each HTTP status of a refusal (its "API Request Errors" reference).
META_CODES = {400: 4104, 404: 4153}


def refused(response, status: int, code: int | None = None) -> dict:
    """A Postmen refusal: HTTP `status`, Postmen's `code` (4104 for a 400, 4153 for a 404)."""
    assert response.status_code == status, response.content
    body = response.json()
    code = code or META_CODES.get(status, status)
    assert set(body) == {"meta", "data"} and body["meta"]["code"] == code, body
    assert body["meta"]["message"] and body["meta"]["retryable"] is False
    return body["meta"]
