"""What a delivery sends: the event in PostGrid's shape, encoded and signed once.

A delivered tracking's `tracking.updated` event also carries `proofOfDelivery` (`url`,
`letter_url`: the partner API's POD endpoints for that tracking, called with the partner's key).

JWT payloads (the default) send `{"payload": "<JWT>"}`, the token signed with HS256 and the
webhook's secret, its claims the event plus `iat`. JSON payloads send the event itself. Both
carry `PostGrid-Signature: t=<unix ms>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`.
The bytes are compact JSON (no whitespace), exactly as signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import warnings
from dataclasses import dataclass
from datetime import datetime

import jwt
from django.core.serializers.json import DjangoJSONEncoder
from jwt.warnings import InsecureKeyLengthWarning

from shipdesk.webhooks.models import EventType, Webhook, WebhookEvent

SIGNATURE_HEADER = "PostGrid-Signature"
JWT_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Signed:
    body: bytes
    signature: str


def event_payload(event: WebhookEvent) -> dict:
    payload = {
        "id": event.public_id,
        "object": "event",
        "type": event.type,
        "live": event.live,
        "data": event.data,
        "createdAt": event.created_at.isoformat().replace("+00:00", "Z"),
    }
    pod = _proof_of_delivery(event)
    if pod:
        payload["proofOfDelivery"] = pod
    return payload


def _proof_of_delivery(event: WebhookEvent) -> dict | None:
    """Where a delivered tracking's POD is, beside (not inside) the AfterShip tracking object:
    once the carrier recorded a delivery event, `data.tag` is Delivered."""
    data = event.data if isinstance(event.data, dict) else {}
    if event.type != EventType.TRACKING_UPDATED or data.get("tag") != "Delivered":
        return None
    checkpoints = data.get("checkpoints") or []
    if not any(isinstance(c, dict) and c.get("tag") == "Delivered" for c in checkpoints):
        return None  # marked delivered by hand: no delivery event, no POD
    from tracking.pod.partner import pod_links

    return pod_links(data["id"])


def compact_json(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def signature_header(*, secret: str, body: bytes, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}.".encode() + body, hashlib.sha256)
    return f"t={timestamp_ms},v1={digest.hexdigest()}"


def event_sign(*, event: WebhookEvent, webhook: Webhook, now: datetime) -> Signed:
    payload = event_payload(event)
    if webhook.payload_format == Webhook.PayloadFormat.JWT:
        claims = json.loads(compact_json(payload)) | {"iat": int(now.timestamp())}
        with warnings.catch_warnings():
            # PostGrid's secrets may be as short as 20 characters; the partner chose it.
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            token = jwt.encode(claims, webhook.secret, JWT_ALGORITHM)
        body = compact_json({"payload": token})
    else:
        body = compact_json(payload)
    stamp = int(now.timestamp() * 1000)
    return Signed(body, signature_header(secret=webhook.secret, body=body, timestamp_ms=stamp))
