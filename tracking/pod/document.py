"""The signed POD of a delivered shipment, and its public proof chain."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tracking.choices import Tag
from tracking.models import Checkpoint, Shipment
from tracking.pod.canonical import canonical_json
from tracking.pod.chain import GENESIS_PREFIX, chain_event, chain_genesis
from tracking.pod.errors import PodNotDelivered, PodOutsideRetention, PodSigningUnavailable
from tracking.pod.keys import KeyFileError, SigningKeyMissing, signing_key
from tracking.pod.passport import passport_sign
from tracking.pod.services import proof_chain_extend, retention_cutoff
from tracking.pod.verification import PAYLOAD_FIELDS, POD_SPEC

logger = logging.getLogger(__name__)

PROOF_SPEC = "sdproof1"


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _delivery(shipment: Shipment) -> Checkpoint | None:
    """The latest carrier delivery event, chained (checkpoints stored by other paths than
    ingest are chained on the way)."""
    delivered = shipment.checkpoints.filter(tag=Tag.DELIVERED).order_by(
        "-checkpoint_time", "-chain_seq", "-id"
    )
    delivery = delivered.first()
    if delivery is not None and not delivery.chain_hash:
        proof_chain_extend(shipment=shipment)
        delivery = delivered.first()
    return delivery


def pod_document(*, shipment: Shipment, now: datetime | None = None) -> dict:
    """The whole signed POD document ``GET /api/v1/shipments/{uuid}/pod`` answers (spec sdpod1).

    ``{spec, issued_at, status, delivered_at, shipment: {uuid, carrier, tracking_number,
    mail_class}, delivery: {key, occurred_at, tag, subtag, description, location, city, state,
    zip, country}, chain: {genesis, head, length, delivery_seq, delivery_prev, delivery_hash},
    verify: {public_key_url, proof_url}, passport: {spec, alg, kid, payload_b64,
    signature_b64}}``: every field but ``passport`` is exactly the signed payload's (which also
    holds ``kid``). No personal data: no names, no street address, no firm.

    Raises :class:`~tracking.pod.errors.PodNotDelivered` (no recorded delivery),
    :class:`~tracking.pod.errors.PodOutsideRetention` (event detail past the retention window
    or purged) or :class:`~tracking.pod.errors.PodSigningUnavailable` (no signing key).
    """
    now = now or timezone.now()
    if shipment.tag != Tag.DELIVERED:
        raise PodNotDelivered("The shipment is not delivered: a POD is issued only after delivery.")
    delivery = _delivery(shipment)
    if delivery is None:
        raise PodNotDelivered("The carrier has not recorded a delivery event for this shipment.")
    if delivery.detail_purged_at or shipment.updated_at < retention_cutoff(now):
        raise PodOutsideRetention(
            f"The event detail is kept {settings.POD_RETENTION_DAYS} days after the shipment's "
            "last update and is gone; the proof chain is still at the proof URL."
        )
    if delivery.chain_seq == 1:
        previous = chain_genesis(shipment.uuid)
    else:
        previous = shipment.checkpoints.get(chain_seq=delivery.chain_seq - 1).chain_hash
    event = chain_event(delivery)
    payload = {
        "spec": POD_SPEC,
        "issued_at": now.astimezone(UTC).replace(microsecond=0).isoformat(),
        "status": "delivered",
        "delivered_at": event["occurred_at"],
        "shipment": {
            "uuid": str(shipment.uuid),
            "carrier": shipment.slug,
            "tracking_number": shipment.tracking_number,
            "mail_class": shipment.mail_class,
        },
        "delivery": event,
        "chain": {
            "genesis": chain_genesis(shipment.uuid),
            "head": shipment.chain_head,
            "length": shipment.chain_length,
            "delivery_seq": delivery.chain_seq,
            "delivery_prev": previous,
            "delivery_hash": delivery.chain_hash,
        },
        "verify": {
            "public_key_url": _url("pod-public-keys"),
            "proof_url": _url("pod-proof", shipment_uuid=shipment.uuid),
        },
    }
    try:
        passport = passport_sign(payload=payload, signing_key=signing_key())
    except SigningKeyMissing as exc:
        raise PodSigningUnavailable(str(exc)) from None
    except KeyFileError as exc:
        logger.error("The POD signing key cannot be read: %s", exc)
        raise PodSigningUnavailable("The signing key cannot be read right now.") from None
    document = {name: payload[name] for name in PAYLOAD_FIELDS if name != "kid"}
    document["passport"] = passport
    return document


def proof_document(*, shipment: Shipment) -> dict:
    """What ``GET /api/v1/shipments/{uuid}/proof`` answers: the whole chain, each link's hash
    and, while its detail is kept, the exact canonical bytes (as UTF-8 text) it hashes."""
    links = list(shipment.checkpoints.order_by("chain_seq"))
    if any(not link.chain_hash for link in links):
        proof_chain_extend(shipment=shipment)
        links = list(shipment.checkpoints.order_by("chain_seq"))
    return {
        "spec": PROOF_SPEC,
        "shipment": {"uuid": str(shipment.uuid)},
        "algorithm": "SHA-256",
        "genesis": {
            "prefix": GENESIS_PREFIX.decode("ascii").rstrip("\x00"),
            "hash": chain_genesis(shipment.uuid),
            "formula": "h(0) = SHA-256(prefix ‖ 0x00 ‖ lower-case uuid text); "
            "h(n) = SHA-256(h(n-1) ‖ canonical(event n)), RFC 8785 canonical JSON",
        },
        "head": shipment.chain_head or chain_genesis(shipment.uuid),
        "length": shipment.chain_length,
        "links": [
            {
                "seq": link.chain_seq,
                "hash": link.chain_hash,
                "purged": link.detail_purged_at is not None,
                "canonical": None
                if link.detail_purged_at
                else canonical_json(chain_event(link)).decode("utf-8"),
            }
            for link in links
        ],
    }
