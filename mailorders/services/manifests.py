"""Manifests: the end-of-day hand-over of created labels, with its PDF."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.utils import timezone

from mailorders.choices import LabelStatus, ManifestStatus
from mailorders.manifest_pdf import manifest_pdf_render
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.services.common import LabelError, atomic_with_files
from mailorders.services.shippers import shipper_account_of
from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import Partner

# A manifest's PDF is drawn inside its transaction: 1,000 labels take about 3 s.
MANIFEST_MAX_LABELS = 1000


class ManifestBatch(NamedTuple):
    """Labels one manifest hands over: a partner's, bought on one shipper account."""

    partner: Partner
    account: ShipperAccount
    labels: list[Label]


def manifest_batches(labels: Iterable[Label]) -> list[ManifestBatch]:
    """`labels` (created ones, with partner and shipper account loaded) as manifests take
    them: one batch per partner and shipper account, at most MANIFEST_MAX_LABELS each, in the
    order given."""
    groups: dict[tuple[int, str], list[Label]] = {}
    for label in labels:
        groups.setdefault((label.partner_id, label.shipper_account_id), []).append(label)
    return [
        ManifestBatch(
            group[0].partner, group[0].shipper_account, group[i : i + MANIFEST_MAX_LABELS]
        )
        for group in groups.values()
        for i in range(0, len(group), MANIFEST_MAX_LABELS)
    ]


def manifest_labels_lock(
    *, partner: Partner, account: ShipperAccount, label_ids: list[str] | None
) -> list[Label]:
    """The created labels a manifest takes, locked (call inside a transaction); LabelError
    naming each label that is not one."""
    labels = Label.objects.select_for_update().filter(
        partner=partner, shipper_account=account, status=LabelStatus.CREATED
    )
    if label_ids is not None:
        labels = labels.filter(pk__in=label_ids)
    chosen = list(labels.order_by("created_at", "id")[:MANIFEST_MAX_LABELS])
    found = {label.pk for label in chosen}
    missing = [
        {"path": f"labels.{index}.id", "info": f"{pk} is not a created label of this account."}
        for index, pk in enumerate(label_ids or [])
        if pk not in found
    ]
    if missing or not chosen:
        raise LabelError(
            "Nothing to manifest." if not missing else "Some labels cannot be manifested.",
            details=missing or [{"path": "labels", "info": "The account has no created label."}],
        )
    return chosen


def manifest_create(
    *,
    partner: Partner,
    shipper_account_id: str,
    label_ids: list[str] | None = None,
    actor: Actor = SYSTEM,
) -> Manifest:
    """Hand over the account's created labels on one manifest: those named, or, without
    `label_ids`, the oldest MANIFEST_MAX_LABELS of them (the rest go on the next manifest)."""
    if label_ids is not None and not label_ids:
        info = "Name at least one label, or leave `labels` out to take the created labels."
        raise LabelError(
            f"No label named: {info[0].lower()}{info[1:]}",
            details=[{"path": "labels", "info": info}],
        )
    if label_ids is not None and len(label_ids) > MANIFEST_MAX_LABELS:
        raise LabelError(
            f"A manifest holds at most {MANIFEST_MAX_LABELS} labels.",
            details=[{"path": "labels", "info": f"At most {MANIFEST_MAX_LABELS} labels."}],
        )
    account = shipper_account_of(partner=partner, account_id=shipper_account_id)
    if not account.sandbox:
        from mailorders.services.usps_manifests import usps_manifest_create

        return usps_manifest_create(
            partner=partner, account=account, label_ids=label_ids, actor=actor
        )
    with atomic_with_files() as files:
        chosen = manifest_labels_lock(partner=partner, account=account, label_ids=label_ids)
        manifest = Manifest.objects.create(
            partner=partner, shipper_account=account, status=ManifestStatus.MANIFESTED
        )
        Label.objects.filter(pk__in=[label.pk for label in chosen]).update(
            manifest=manifest, status=LabelStatus.MANIFESTED, updated_at=timezone.now()
        )
        files.save(
            manifest.file,
            f"{manifest.id}.pdf",
            manifest_pdf_render(manifest=manifest, labels=chosen),
        )
        manifest.save(update_fields=["file", "updated_at"])
        audit_record(
            actor=actor,
            action="manifest.create",
            summary=f"Manifested {len(chosen)} labels on {manifest}",
            targets=[manifest],
            detail={"labels": [label.pk for label in chosen]},
        )
    return manifest
