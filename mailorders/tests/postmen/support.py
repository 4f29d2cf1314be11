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


def refused(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"meta", "data"} and body["meta"]["code"] == status, body
    assert body["meta"]["message"] and body["meta"]["retryable"] is False
    return body["meta"]
