"""The per-shipment proof chain, as pure functions (standard library only).

    h(0) = SHA-256(GENESIS_PREFIX ‖ the shipment's UUID in its canonical text form)
    h(n) = SHA-256(h(n-1) ‖ canonical_json(event n))

Hashes are raw 32-byte digests inside the formula and lower-case hex outside it. The chained
form of an event (:func:`chain_event`) is the public delivery record a POD shows: when, where at
city/state/ZIP level, what; never the recipient's name or the firm, so /proof and /pod carry no
personal data while still letting anyone recompute the links.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta, timezone

from tracking.pod.canonical import canonical_json

GENESIS_PREFIX = b"shipdesk/proof-chain/v1\x00"


def chain_genesis(shipment_uuid) -> str:
    """h(0) for a shipment: its UUID behind a domain-separation prefix."""
    return hashlib.sha256(GENESIS_PREFIX + str(shipment_uuid).lower().encode("ascii")).hexdigest()


def chain_link(previous: str, event: dict) -> str:
    """h(n) from h(n-1) (hex) and the chained form of event n."""
    return hashlib.sha256(bytes.fromhex(previous) + canonical_json(event)).hexdigest()


def chain_event(checkpoint) -> dict:
    """The chained (and published) form of a checkpoint; any object with its attributes will do.

    ``occurred_at`` is the event's local time with its UTC offset, as the carrier printed it.
    """
    when = checkpoint.checkpoint_time.astimezone(UTC)
    if checkpoint.utc_offset_minutes is not None:
        when = when.astimezone(timezone(timedelta(minutes=checkpoint.utc_offset_minutes)))
    return {
        "key": checkpoint.event_key,
        "occurred_at": when.isoformat(),
        "tag": checkpoint.tag,
        "subtag": checkpoint.subtag,
        "description": checkpoint.message,
        "location": checkpoint.location,
        "city": checkpoint.city,
        "state": checkpoint.state,
        "zip": checkpoint.zip,
        "country": checkpoint.country_iso3,
    }


def chain_hashes(shipment_uuid, events: list[dict]) -> list[str]:
    """[h(1), …, h(n)] for the chained events in chain order."""
    hashes, previous = [], chain_genesis(shipment_uuid)
    for event in events:
        previous = chain_link(previous, event)
        hashes.append(previous)
    return hashes
