"""The per-shipment proof chain: appended at ingest, recomputable from /proof, immutable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tracking.models import Checkpoint, ImmutableCheckpoint
from tracking.pod.canonical import canonical_json
from tracking.pod.chain import GENESIS_PREFIX, chain_event, chain_genesis, chain_hashes
from tracking.pod.services import proof_chain_extend
from tracking.tests.pod.support import DELIVERED, IN_TRANSIT, NOW
from tracking.tests.usps_items import usps_event

pytestmark = pytest.mark.django_db


def recompute_from_proof(proof: dict) -> list[str]:
    """What anyone can do with the /proof answer alone: recompute every link and the head."""
    uuid = proof["shipment"]["uuid"]
    previous = hashlib.sha256(GENESIS_PREFIX + uuid.encode()).hexdigest()
    assert previous == proof["genesis"]["hash"]
    hashes = []
    for link in proof["links"]:
        previous = hashlib.sha256(bytes.fromhex(previous) + link["canonical"].encode()).hexdigest()
        hashes.append(previous)
    return hashes


def test_the_chain_recomputes_from_the_proof_answer(public, track):
    with time_machine.travel(NOW, tick=False):
        shipment = track(DELIVERED)
        proof = public.get(f"/api/v1/shipments/{shipment.uuid}/proof").json()["data"]

    assert [link["seq"] for link in proof["links"]] == [1, 2, 3, 4]
    assert recompute_from_proof(proof) == [link["hash"] for link in proof["links"]]
    assert proof["head"] == proof["links"][-1]["hash"] == shipment.chain_head
    assert proof["length"] == shipment.chain_length == 4
    # Links follow the events' time order within one ingest; each canonical form is RFC 8785.
    events = [chain_event(c) for c in shipment.checkpoints.order_by("chain_seq")]
    assert [e["occurred_at"] for e in events] == sorted(e["occurred_at"] for e in events)
    assert [link["canonical"].encode() for link in proof["links"]] == [
        canonical_json(e) for e in events
    ]


def test_events_ingested_later_extend_the_chain_and_repeats_change_nothing(track):
    with time_machine.travel(NOW, tick=False):
        shipment = track(IN_TRANSIT)
        first = list(
            shipment.checkpoints.order_by("chain_seq").values_list("chain_hash", flat=True)
        )
        head_before = shipment.chain_head
        shipment = track(IN_TRANSIT, shipment=shipment)  # the same answer again
        assert (shipment.chain_length, shipment.chain_head) == (2, head_before)
        shipment = track(DELIVERED, shipment=shipment)

    links = list(shipment.checkpoints.order_by("chain_seq"))
    assert [c.chain_hash for c in links[:2]] == first  # earlier links never move
    assert [c.message for c in links[2:]] == ["Out for Delivery", "Delivered, In/At Mailbox"]
    assert shipment.chain_length == 4
    assert chain_hashes(shipment.uuid, [chain_event(c) for c in links]) == [
        c.chain_hash for c in links
    ]
    assert shipment.chain_head == links[-1].chain_hash


def test_h0_is_bound_to_the_shipment_behind_a_domain_prefix(track):
    with time_machine.travel(NOW, tick=False):
        a, b = track(IN_TRANSIT), track(IN_TRANSIT)
    assert chain_genesis(a.uuid) != chain_genesis(b.uuid)
    assert chain_genesis(a.uuid) != hashlib.sha256(str(a.uuid).encode()).hexdigest()
    # Same events, other shipment: every link differs.
    assert not set(a.checkpoints.values_list("chain_hash", flat=True)) & set(
        b.checkpoints.values_list("chain_hash", flat=True)
    )


def test_a_chained_checkpoint_cannot_change(track):
    with time_machine.travel(NOW, tick=False):
        shipment = track(DELIVERED)
    delivery = shipment.checkpoints.get(tag="Delivered")

    delivery.message = "Delivered, Front Door"
    with pytest.raises(ImmutableCheckpoint):
        delivery.save()
    with pytest.raises(ImmutableCheckpoint):
        Checkpoint.objects.filter(pk=delivery.pk).update(city="Elsewhere")
    with pytest.raises(ImmutableCheckpoint):
        shipment.checkpoints.update(checkpoint_time=timezone.now())
    delivery.chain_hash = "0" * 64
    with pytest.raises(ImmutableCheckpoint), transaction.atomic():
        Checkpoint.objects.bulk_update([delivery], ["chain_hash"])

    delivery.refresh_from_db()
    assert delivery.message == "Delivered, In/At Mailbox"
    assert delivery.city == "New York"
    # What the chain does not cover may still be maintained (nothing here changes a link).
    assert Checkpoint.objects.filter(pk=delivery.pk).update(latitude=40.7) == 1


def test_a_correction_is_a_new_event_at_the_end_of_the_chain(track):
    with time_machine.travel(NOW, tick=False):
        shipment = track(DELIVERED)
        head = shipment.chain_head
        corrected = usps_event(
            "01", "Delivered, Front Desk/Reception/Mail Room", NOW - timedelta(hours=1)
        )
        shipment = track([corrected, *DELIVERED], shipment=shipment)

    assert shipment.chain_length == 5
    last = shipment.checkpoints.get(chain_seq=5)
    assert last.message == "Delivered, Front Desk/Reception/Mail Room"
    assert shipment.checkpoints.get(chain_seq=4).chain_hash == head
    assert shipment.chain_head == last.chain_hash


def unchained(shipment, messages):
    for index, message in enumerate(messages):
        Checkpoint.objects.create(
            shipment=shipment,
            event_key=f"old-{index}",
            checkpoint_time=NOW - timedelta(hours=10 - index),
            utc_offset_minutes=-300,
            message=message,
            tag="InTransit",
            subtag="InTransit_001",
            subtag_message="In Transit",
            city="Denver",
            state="CO",
            zip="80202",
        )


def test_the_migration_chains_checkpoints_stored_before_the_chain(partner, numbers):
    from importlib import import_module

    from tracking.services.shipments import shipment_create

    shipment = shipment_create(partner=partner, tracking_number=numbers())
    unchained(shipment, ["Accepted", "Departed", "Arrived"])
    migration = import_module("tracking.migrations.0005_proof_chain_backfill")
    state = MigrationExecutor(connection).loader.project_state(
        ("tracking", "0005_proof_chain_backfill")
    )

    migration.backfill(state.apps, None)
    migration.backfill(state.apps, None)  # again: nothing left to chain

    shipment.refresh_from_db()
    links = list(shipment.checkpoints.order_by("chain_seq"))
    assert [c.message for c in links] == ["Accepted", "Departed", "Arrived"]
    assert [c.chain_seq for c in links] == [1, 2, 3]
    assert chain_hashes(shipment.uuid, [chain_event(c) for c in links]) == [
        c.chain_hash for c in links
    ]
    assert (shipment.chain_head, shipment.chain_length) == (links[-1].chain_hash, 3)


def test_checkpoints_stored_by_other_paths_are_chained_when_the_proof_is_read(
    public, partner, numbers
):
    from tracking.services.shipments import shipment_create

    shipment = shipment_create(partner=partner, tracking_number=numbers())
    unchained(shipment, ["Accepted", "Departed"])
    updated_at = shipment.updated_at

    proof = public.get(f"/api/v1/shipments/{shipment.uuid}/proof").json()["data"]

    assert [link["seq"] for link in proof["links"]] == [1, 2]
    assert recompute_from_proof(proof) == [link["hash"] for link in proof["links"]]
    shipment.refresh_from_db()
    assert shipment.updated_at == updated_at  # chaining does not restart the retention clock
    assert proof_chain_extend(shipment=shipment) == 0


def test_an_empty_chain_is_h0(public, partner, numbers):
    from tracking.services.shipments import shipment_create

    shipment = shipment_create(partner=partner, tracking_number=numbers())
    proof = public.get(f"/api/v1/shipments/{shipment.uuid}/proof").json()["data"]
    assert proof["links"] == []
    assert proof["head"] == proof["genesis"]["hash"] == chain_genesis(shipment.uuid)
    assert proof["length"] == 0
