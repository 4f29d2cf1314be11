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


def _money(amount) -> dict:
    return {"amount": float(amount), "currency": "USD"}


def rate_data(rate: dict) -> dict:
    """One stored rate (mailorders.services.rate_quotes) as Postmen's Rate."""
    if rate.get("error"):
        return {
            "shipper_account": rate["shipper_account"],
            "service_type": None,
            "service_name": None,
            "pickup_deadline": None,
            "booking_cut_off": None,
            "delivery_date": None,
            "transit_time": None,
            "error_message": rate["error"],
            "info_message": None,
            "charge_weight": None,
            "total_charge": None,
            "detailed_charges": [],
        }
    info = None
    if rate["box_type"] != "custom":
        info = f"Ship it in USPS's packaging: box_type {rate['box_type']}."
    return {
        "shipper_account": rate["shipper_account"],
        "service_type": rate["service_type"],
        "service_name": rate["service_name"],
        "box_type": rate["box_type"],
        "pickup_deadline": None,
        "booking_cut_off": None,
        "delivery_date": rate["delivery_date"],
        "transit_time": rate["transit_days"],
        "error_message": None,
        "info_message": info,
        "charge_weight": {"unit": "lb", "value": float(rate["charge_weight_lb"])},
        "total_charge": _money(rate["total"]),
        "detailed_charges": [
            {"type": what, "charge": _money(amount)} for what, amount in rate["charges"]
        ],
        "zone": rate["zone"],
    }


def rate_quote_data(quote) -> dict:
    return {
        "id": quote.id,
        "status": quote.status,
        "rates": [rate_data(rate) for rate in quote.rates],
        "created_at": api_time(quote.created_at),
        "updated_at": api_time(quote.updated_at),
    }


def _postmen_address(address, sent: dict) -> dict:
    """A PostalAddress in Postmen's Address shape (the contact as it was sent)."""
    postal_code = address.zip_code + (f"-{address.zip_plus4}" if address.zip_plus4 else "")
    found = {
        **{k: sent[k] for k in ("contact_name", "company_name", "phone", "email") if k in sent},
        "street1": address.street,
        "city": address.city,
        "state": address.state,
        "postal_code": postal_code,
        "country": "USA",
    }
    if address.secondary:
        found["street2"] = address.secondary
    return found


ADDRESS_STATUSES = {True: "valid", False: "invalid", None: "unverified"}


def address_validation_data(verdict, sent: dict, *, validation_id: str, at) -> dict:
    """USPS's verdict (mailorders.services.address_checks) as Postmen's AddressValidation:
    `address` is USPS's standard form (the one sent when USPS matched nothing), `type` business
    or residential when USPS says; `usps` keeps what USPS said beyond Postmen's shape."""
    address = dict(sent)
    if verdict.standardized is not None:
        address = _postmen_address(verdict.standardized, sent)
    if verdict.business is not None:
        address["type"] = "business" if verdict.business else "residential"
    status = ADDRESS_STATUSES[verdict.deliverable]
    if verdict.deliverable and verdict.dpv_confirmation in ("D", "S"):
        status = "partially_valid"
    return {
        "id": validation_id,
        "status": status,
        "address": address,
        "usps": {
            "checked": verdict.source == "usps",
            "dpv_confirmation": verdict.dpv_confirmation or None,
            "zip_plus4": verdict.zip_plus4 or None,
            "business": verdict.business,
            "vacant": verdict.vacant,
            "message": verdict.message or None,
            "corrections": [{"code": c, "text": t} for c, t in verdict.corrections],
            "changes": [
                {"field": c.field, "sent": c.sent, "usps": c.usps} for c in verdict.changes
            ],
        },
        "created_at": api_time(at),
        "updated_at": api_time(at),
    }
