"""Manifests of labels bought from USPS: a SCAN Form (PS Form 5630) made by USPS, whose PDF is
the manifest's file.

The labels are claimed (MANIFESTING) in one transaction, USPS is asked outside any, and the
answer is recorded in another; when USPS refuses, the labels go back to CREATED and the manifest
is removed, so nothing is left half-made.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mailorders.choices import LabelStatus, ManifestStatus
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.services.common import LabelError, atomic_with_files
from mailorders.services.manifests import manifest_labels_lock
from mailorders.services.usps_labels import postal_address_of, usps_client_for
from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import Partner
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.usps import scan_forms
from tracking.carriers.usps.client import CarrierUnavailable
from tracking.carriers.usps.errors import UspsError


def usps_manifest_create(
    *,
    partner: Partner,
    account: ShipperAccount,
    label_ids: list[str] | None,
    actor: Actor = SYSTEM,
) -> Manifest:
    client = usps_client_for(account)
    with transaction.atomic():
        chosen = manifest_labels_lock(partner=partner, account=account, label_ids=label_ids)
        manifest = Manifest.objects.create(
            partner=partner, shipper_account=account, status=ManifestStatus.MANIFESTING
        )
        Label.objects.filter(pk__in=[label.pk for label in chosen]).update(
            manifest=manifest, status=LabelStatus.MANIFESTING, updated_at=timezone.now()
        )
    try:
        form = scan_forms.scan_form_create(
            client,
            tracking_numbers=[label.tracking_number for label in chosen],
            mailing_date=timezone.localdate(),
            ship_from=postal_address_of(chosen[0].ship_from),
        )
    except (UspsError, CarrierUnavailable, BudgetExhausted) as exc:
        _undo(manifest)
        if isinstance(exc, UspsError):
            raise LabelError(
                exc.text, details=[{"path": "labels", "info": exc.text}], code="carrier_refused"
            ) from exc
        raise LabelError(
            f"USPS did not make the SCAN form ({exc}); try again.",
            details=[],
            code="carrier_unavailable",
        ) from exc
    with atomic_with_files() as files:
        Label.objects.filter(manifest=manifest).update(
            status=LabelStatus.MANIFESTED, updated_at=timezone.now()
        )
        manifest.status = ManifestStatus.MANIFESTED
        files.save(manifest.file, f"{manifest.id}.pdf", form.image)
        manifest.save(update_fields=["status", "file", "updated_at"])
        audit_record(
            actor=actor,
            action="manifest.create",
            summary=f"USPS SCAN form {form.manifest_number}: {len(chosen)} labels on {manifest}",
            targets=[manifest],
            detail={
                "labels": [label.pk for label in chosen],
                "usps_manifest_number": form.manifest_number,
            },
        )
    return manifest


def _undo(manifest: Manifest) -> None:
    with transaction.atomic():
        Label.objects.filter(manifest=manifest).update(
            manifest=None, status=LabelStatus.CREATED, updated_at=timezone.now()
        )
        manifest.delete()
