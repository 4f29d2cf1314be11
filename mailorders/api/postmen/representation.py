"""Labels and manifests in Postmen v3's shapes (seed 002, "Create a label" / "Get a label")."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from mailorders.models import Label, Manifest, ShipperAccount


def api_time(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def shipper_account_data(account: ShipperAccount) -> dict:
    """The account as a label or manifest names it."""
    return {"id": account.id, "slug": account.slug, "description": account.description}


def shipper_account_detail(account: ShipperAccount) -> dict:
    """The account as GET /shipper-accounts gives it. Credentials are never shown (Postmen
    does not show them either); an account is not edited after it is set up in admin, so its
    `updated_at` is its `created_at`."""
    created = api_time(account.created_at)
    return {
        "id": account.id,
        "address": None,
        "slug": account.slug,
        "status": "enabled",
        "description": account.description,
        "type": "default",
        "timezone": settings.TIME_ZONE,
        "settings": {"sandbox": account.sandbox, "mailer_id": account.mailer_id},
        "created_at": created,
        "updated_at": created,
    }


def manifest_file_data(manifest: Manifest | None, *, absolute) -> dict | None:
    if manifest is None or not manifest.file:
        return None
    url = absolute(reverse("postmen-manifest-file", args=[manifest.id]))
    return {"url": url, "file_type": "pdf", "paper_size": "letter"}


def label_data(label: Label, *, absolute) -> dict:
    """A label; its `files.manifest` is the manifest it was handed over on, once it is
    (`label.manifest` is expected fetched with it)."""
    label_file = None
    if label.label_file:
        url = absolute(reverse("postmen-label-file", args=[label.id]))
        label_file = {"url": url, "file_type": "pdf", "paper_size": label.paper_size}
    return {
        "id": label.id,
        "status": label.status,
        "ship_date": label.ship_date.isoformat(),
        "tracking_numbers": list(label.tracking_numbers),
        "rate": {
            "total_charge": {
                "amount": float(label.charge_amount),
                "currency": label.charge_currency,
            },
            "service_type": label.service_type,
            "service_name": label.service_name,
            "transit_time": None,
            "info_message": None,
            "charge_weight": {
                "unit": label.charge_weight_unit,
                "value": float(label.charge_weight_value),
            },
            "delivery_date": None,
            "error_message": None,
            "shipper_account": shipper_account_data(label.shipper_account),
            "pickup_deadline": None,
            "booking_cut_off": None,
            "detailed_charges": [],
        },
        "files": {
            "label": label_file,
            "invoice": None,
            "manifest": manifest_file_data(label.manifest, absolute=absolute),
            "customs_declaration": None,
        },
        "references": list(label.references),
        "custom_fields": label.custom_fields,
        "created_at": api_time(label.created_at),
        "updated_at": api_time(label.updated_at),
    }


def manifest_data(manifest: Manifest, label_ids: list[str], *, absolute) -> dict:
    return {
        "id": manifest.id,
        "status": manifest.status,
        "shipper_account": shipper_account_data(manifest.shipper_account),
        "files": {"manifest": manifest_file_data(manifest, absolute=absolute)},
        "labels": [{"id": pk} for pk in label_ids],
        "created_at": api_time(manifest.created_at),
        "updated_at": api_time(manifest.updated_at),
    }
