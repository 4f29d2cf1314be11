"""Writing the proof chain and purging event detail (see tracking.pod.chain for the hashes)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracking.models import Checkpoint, Shipment
from tracking.pod.chain import chain_event, chain_genesis, chain_link


def _append(shipment: Shipment, checkpoints: list[Checkpoint]) -> None:
    """Give `checkpoints` (in chain order) their place and hash; move the shipment's head."""
    head = shipment.chain_head or chain_genesis(shipment.uuid)
    for checkpoint in checkpoints:
        shipment.chain_length += 1
        head = chain_link(head, chain_event(checkpoint))
        checkpoint.chain_seq, checkpoint.chain_hash = shipment.chain_length, head
    shipment.chain_head = head


def _chain_order(checkpoint: Checkpoint):
    return (checkpoint.checkpoint_time, checkpoint.event_key)


def checkpoints_chain(
    *, shipments: list[Shipment], checkpoints: list, stored: set[tuple[int, str]] | None = None
) -> list:
    """The not-yet-stored `checkpoints` of locked `shipments`, chained and ready to insert.

    Events already stored (same `event_key`; `stored` gives their (shipment id, event key)
    pairs when the caller has read them) and repeats within the batch are dropped; the new
    ones are appended to their shipment's chain in time order. The caller inserts the returned
    rows and saves each shipment's ``chain_head`` and ``chain_length`` in the same transaction.
    `checkpoints` are Checkpoint instances or objects with the same attributes.
    """
    by_id = {shipment.pk: shipment for shipment in shipments}
    if stored is None:
        stored = set(
            Checkpoint.objects.filter(shipment__in=list(by_id)).values_list(
                "shipment_id", "event_key"
            )
        )
    seen = set(stored)
    fresh = defaultdict(list)
    for checkpoint in checkpoints:
        key = (checkpoint.shipment_id, checkpoint.event_key)
        if key not in seen:
            seen.add(key)
            fresh[checkpoint.shipment_id].append(checkpoint)
    for shipment_id, rows in fresh.items():
        _append(by_id[shipment_id], sorted(rows, key=_chain_order))
    return [row for rows in fresh.values() for row in rows]


def proof_chain_extend(*, shipment: Shipment) -> int:
    """Chain the shipment's stored checkpoints that are not chained yet (rows written by other
    paths than ingest, or before the chain existed); returns how many were chained."""
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        loose = sorted(
            locked.checkpoints.filter(chain_hash=""), key=lambda c: (c.created_at, *_chain_order(c))
        )
        if not loose:
            return 0
        _append(locked, loose)
        for checkpoint in loose:
            Checkpoint.objects.filter(pk=checkpoint.pk).link(
                seq=checkpoint.chain_seq, hash=checkpoint.chain_hash
            )
        # Not save(): the chain is bookkeeping and must not restart the retention clock.
        Shipment.objects.filter(pk=locked.pk).update(
            chain_head=locked.chain_head, chain_length=locked.chain_length
        )
    shipment.chain_head, shipment.chain_length = locked.chain_head, locked.chain_length
    return len(loose)


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Shipments last updated before this are past the POD retention window."""
    return (now or timezone.now()) - timedelta(days=settings.POD_RETENTION_DAYS)


def event_detail_purge(*, now: datetime | None = None) -> int:
    """Blank the event detail of shipments last updated before the retention window; the chain
    hashes stay (``/proof`` still answers), ``/pod`` answers 410 from then on. Returns the
    number of checkpoints purged."""
    now = now or timezone.now()
    with transaction.atomic():
        return Checkpoint.objects.filter(
            detail_purged_at__isnull=True, shipment__updated_at__lt=retention_cutoff(now)
        ).purge_detail(now=now)
