"""What a partner's receiver does to trust a delivery: the README shows the same lines."""

import hashlib
import hmac
import json

import jwt


def verify_json_delivery(body: bytes, signature_header: str, secret: str) -> dict:
    """`PostGrid-Signature: t=<ms>,v1=<hex>`: HMAC-SHA256 of `t + "." + raw body`."""
    parts = dict(item.split("=", 1) for item in signature_header.split(","))
    signed = parts["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        raise ValueError("bad signature")
    return json.loads(body)


def verify_jwt_delivery(body: bytes, secret: str) -> dict:
    return jwt.decode(json.loads(body)["payload"], secret, algorithms=["HS256"])
