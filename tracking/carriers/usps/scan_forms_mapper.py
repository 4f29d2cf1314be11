"""SCAN Form 3.0 (`POST /scan-forms/v3/scan-form`, PS Form 5630): request and answer. Pure.

Follows the current request shape (a flat `fromAddress`, `shipment.trackingNumbers`); the older
one nested the address under `fromAddress.address`.
"""

from __future__ import annotations

import base64
import json
from datetime import date

from tracking.carriers.shipping import PostalAddress, ScanForm
from tracking.carriers.usps import multipart
from tracking.carriers.usps.labels_mapper import address_fields


def build_scan_form(
    *,
    tracking_numbers: list[str],
    mailing_date: date,
    ship_from: PostalAddress,
    entry_zip: str = "",
) -> dict:
    if not tracking_numbers:
        raise ValueError("a SCAN form needs at least one tracking number")
    origin = address_fields(ship_from)
    for key in ("phone", "email"):
        origin.pop(key, None)
    return {
        "imageInfo": {"imageType": "PDF", "labelType": "8.5X11LABEL"},
        "mailingDate": mailing_date.isoformat(),
        "overwriteMailingDate": True,
        "entryFacilityZIPCode": (entry_zip or ship_from.zip_code)[:5],
        "destinationEntryFacilityType": "NONE",
        "shipment": {"trackingNumbers": list(tracking_numbers)},
        "fromAddress": origin,
    }


def parse_scan_form(content_type: str, body: bytes) -> ScanForm:
    if content_type.split(";")[0].strip().lower().startswith("application/vnd.usps"):
        payload = json.loads(body)
        return _form(payload, base64.b64decode(payload.get("SCANFormImage") or ""))
    parts = multipart.split(content_type, body)
    meta = next(p for p in parts if p.content_type == "application/json")
    image = next((p for p in parts if p is not meta), None)
    return _form(meta.json(), image.content if image else b"", image.content_type if image else "")


def _form(metadata: dict, image: bytes, image_type: str = "application/pdf") -> ScanForm:
    number = metadata.get("manifestNumber")
    if not isinstance(number, str) or not number:
        raise ValueError("USPS's SCAN form answer has no manifestNumber")
    if not image:
        raise ValueError("USPS's SCAN form answer has no form image")
    numbers = metadata.get("trackingNumbers") or (metadata.get("shipment") or {}).get(
        "trackingNumbers"
    )
    return ScanForm(
        manifest_number=number,
        tracking_numbers=tuple(str(n) for n in numbers or []),
        image=image,
        image_type=image_type or "application/pdf",
    )
