"""Helpers shared by the partner API tests: paths, envelope checks, row snapshots."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tracking import numbers
from tracking.models import Shipment

PREFIX = "/tracking/2024-04"
ERROR_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "BadRequest",
    415: "BadRequest",
    429: "TooManyRequests",
}
CODE_EXISTS, CODE_NOT_FOUND, CODE_RETRACK = 4003, 4004, 4016


def url(*parts: str) -> str:
    return "/".join([PREFIX, *parts])


def impb(serial: int) -> str:
    """A valid 22-digit USPS IMpb number (check digit included), distinct per serial."""
    return numbers.with_impb_check_digit(f"940011189922{serial:09d}")


class PartnerClient(APIClient):
    """An APIClient that sends JSON and a partner's key."""

    def __init__(self, raw_key: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.default_format = "json"
        if raw_key:
            self.credentials(HTTP_AS_API_KEY=raw_key)


def ok(response, status: int = 200) -> dict:
    """The `data` of a success answer, after checking the envelope."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body == {"meta": {"code": status}, "data": body["data"]}
    return body["data"]


def error(response, status: int, *, code: int | None = None, says: tuple[str, ...] = ()) -> dict:
    """The `meta` of an error answer, after checking the envelope, its type and message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"meta", "data"}
    meta = body["meta"]
    assert set(meta) == {"code", "type", "message"}
    assert meta["code"] == (code or status)
    assert meta["type"] == ERROR_TYPES[status]
    assert isinstance(meta["message"], str)
    assert meta["message"]
    for text in says:
        assert text in meta["message"], meta["message"]
    return meta


def snapshot(shipment: Shipment) -> dict:
    """Everything stored about a shipment: its row, its subscribers and its checkpoints."""
    shipment = Shipment.objects.get(pk=shipment.pk)
    return {
        "row": {f.attname: getattr(shipment, f.attname) for f in Shipment._meta.concrete_fields},
        "subscribers": sorted(shipment.subscribers.values_list("channel", "address")),
        "checkpoints": sorted(shipment.checkpoints.values_list("event_key", "tag", "message")),
    }


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


REDIS = ("127.0.0.1", 6379)


def redis_required() -> None:
    """Skip without a Redis server at 127.0.0.1:6379, except in CI, where it must be there."""
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis at 127.0.0.1:6379")
