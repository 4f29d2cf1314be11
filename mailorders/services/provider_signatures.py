"""Checking a print-mail provider's webhook the way PostGrid signs them (pure).

`PostGrid-Signature: t=<unix ms>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>` (several `v1`
while a secret is rotated); a JWT body (`{"payload": "<JWT>"}`) is an HS256 token signed with
the same secret. shipdesk's own outbound webhooks are signed so (shipdesk.webhooks.signing).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import warnings

import jwt
from jwt.warnings import InsecureKeyLengthWarning

SIGNATURE_HEADER = "PostGrid-Signature"
FUTURE_SKEW_MS = 5 * 60 * 1000  # clocks may disagree by a few minutes


class SignatureError(ValueError):
    """A webhook that is not the provider's, or no longer fresh; the message says which and
    `field` names what is at fault (the header, or the JWT `payload`)."""

    def __init__(self, message: str, *, field: str = SIGNATURE_HEADER):
        super().__init__(message)
        self.field = field


def signature_check(
    *, secret: str, body: bytes, header: str, now_ms: int, tolerance_seconds: int
) -> None:
    """Raise SignatureError unless `header` signs `body` with `secret` within the tolerance."""
    if not secret:
        raise SignatureError(
            f"{SIGNATURE_HEADER} cannot be checked: no webhook secret is configured for this "
            "provider."
        )
    stamp, signatures = _parse(header)
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body and the secret.")
    if stamp < now_ms - tolerance_seconds * 1000:
        raise SignatureError(
            f"{SIGNATURE_HEADER} was made more than {tolerance_seconds} s ago (stale or replayed)."
        )
    if stamp > now_ms + FUTURE_SKEW_MS:
        raise SignatureError(f"{SIGNATURE_HEADER} is dated in the future.")


def _parse(header: str) -> tuple[int, list[str]]:
    stamp, signatures = None, []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit():
            stamp = int(value)
        elif name == "v1" and value:
            signatures.append(value)
    if stamp is None or not signatures:
        raise SignatureError(f"{SIGNATURE_HEADER} is missing or not `t=…,v1=…`.")
    return stamp, signatures


def event_read(*, secret: str, body: bytes) -> dict:
    """The event of a checked body: the JSON itself, or the claims of its `payload` JWT."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("The webhook body is not JSON.") from exc
    if isinstance(data, dict) and set(data) == {"payload"} and isinstance(data["payload"], str):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InsecureKeyLengthWarning)
                data = jwt.decode(data["payload"], secret, algorithms=["HS256"])
        except jwt.InvalidTokenError as exc:
            raise SignatureError(
                f"payload: the JWT does not verify with the webhook secret ({exc}).",
                field="payload",
            ) from exc
    if not isinstance(data, dict):
        raise ValueError("The webhook body is not a JSON object.")
    return data
