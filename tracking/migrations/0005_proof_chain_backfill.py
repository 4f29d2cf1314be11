"""Chain the checkpoints stored before the proof chain existed, in the order they were stored."""

from django.db import migrations

from tracking.pod.chain import chain_event, chain_genesis, chain_link


def backfill(apps, schema_editor):
    Shipment = apps.get_model("tracking", "Shipment")
    Checkpoint = apps.get_model("tracking", "Checkpoint")
    shipments = Shipment.objects.filter(checkpoints__chain_hash="").distinct().order_by("pk")
    for shipment in shipments.iterator(chunk_size=500):
        links = Checkpoint.objects.filter(shipment=shipment)
        head = shipment.chain_head or chain_genesis(shipment.uuid)
        length = shipment.chain_length
        loose = sorted(
            links.filter(chain_hash=""),
            key=lambda c: (c.created_at, c.checkpoint_time, c.event_key),
        )
        for checkpoint in loose:
            length += 1
            head = chain_link(head, chain_event(checkpoint))
            checkpoint.chain_seq, checkpoint.chain_hash = length, head
        Checkpoint.objects.bulk_update(loose, ["chain_seq", "chain_hash"], batch_size=500)
        Shipment.objects.filter(pk=shipment.pk).update(chain_head=head, chain_length=length)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0004_pod_request"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
