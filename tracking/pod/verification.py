"""Checking a whole POD document offline: passport, readable fields, chain link (no Django).

A POD document is the signed payload's fields (all but ``kid``) in the clear, plus the passport.
It verifies when the passport's signature holds under a published key, every readable field is
exactly the signed one, and the delivery event hashes to the chain link the payload names.
"""

from __future__ import annotations

from tracking.pod.chain import chain_genesis, chain_link
from tracking.pod.passport import (
    CHAIN_MISMATCH,
    MALFORMED,
    PAYLOAD_ALTERED,
    PassportError,
    passport_verify,
)

POD_SPEC = "sdpod1"
# The signed payload's fields; the document shows all of them but `kid` (it is on the passport).
PAYLOAD_FIELDS = (
    "spec",
    "kid",
    "issued_at",
    "status",
    "delivered_at",
    "shipment",
    "delivery",
    "chain",
    "verify",
)
DOCUMENT_FIELDS = frozenset(PAYLOAD_FIELDS) - {"kid"} | {"passport"}


def pod_unwrap(body) -> dict:
    """The POD document from the endpoint's answer ``{"ok": true, "data": …}`` or a bare one."""
    if isinstance(body, dict) and set(body) == {"ok", "data"}:
        if body["ok"] is not True:
            raise PassportError(MALFORMED, "the answer is an error, not a POD")
        body = body["data"]
    if not isinstance(body, dict) or set(body) != DOCUMENT_FIELDS:
        raise PassportError(
            MALFORMED, f"a POD document has exactly the fields {sorted(DOCUMENT_FIELDS)}"
        )
    return body


def pod_verify(*, document: dict, keys: dict) -> dict:
    """The signed payload of a POD document (or the endpoint's answer around it).

    Raises :class:`PassportError` with reason ``malformed``, ``unknown kid``,
    ``bad signature``, ``payload altered`` or ``chain mismatch``.
    """
    document = pod_unwrap(document)
    payload = passport_verify(passport=document["passport"], keys=keys)
    if set(payload) != set(PAYLOAD_FIELDS) or payload["spec"] != POD_SPEC:
        raise PassportError(MALFORMED, f"the signed payload is not a {POD_SPEC} payload")
    for name in sorted(DOCUMENT_FIELDS - {"passport"}):
        if document[name] != payload[name] or type(document[name]) is not type(payload[name]):
            raise PassportError(PAYLOAD_ALTERED, f"{name!r} differs from the signed payload")
    chain_check(payload)
    return payload


def chain_check(payload: dict) -> None:
    """The delivery event must hash to the signed chain link (and the head, when it is last)."""
    try:
        chain, shipment, delivery = payload["chain"], payload["shipment"], payload["delivery"]
        seq, length = chain["delivery_seq"], chain["length"]
        genesis = chain_genesis(shipment["uuid"])
        link = chain_link(chain["delivery_prev"], delivery)
    except (KeyError, TypeError, ValueError, AttributeError, UnicodeEncodeError) as exc:
        raise PassportError(CHAIN_MISMATCH, f"the chain block is incomplete ({exc})") from None
    if chain["genesis"] != genesis:
        raise PassportError(CHAIN_MISMATCH, "h(0) is not the one of this shipment")
    if not (isinstance(seq, int) and isinstance(length, int) and 1 <= seq <= length):
        raise PassportError(CHAIN_MISMATCH, "the delivery's place in the chain is impossible")
    if link != chain["delivery_hash"]:
        raise PassportError(CHAIN_MISMATCH, "the delivery event does not hash to its chain link")
    if seq == 1 and chain["delivery_prev"] != genesis:
        raise PassportError(CHAIN_MISMATCH, "the first link does not start from h(0)")
    if seq == length and chain["head"] != link:
        raise PassportError(CHAIN_MISMATCH, "the head is not the delivery's link")
