"""SCAN Form 3.0 over HTTP: one PS Form 5630 for a set of labels."""

from __future__ import annotations

from datetime import date

from tracking.carriers.shipping import PostalAddress, ScanForm
from tracking.carriers.usps import scan_forms_mapper as mapper
from tracking.carriers.usps.client import CarrierUnavailable, UspsClient
from tracking.carriers.usps.errors import ensure_ok


def scan_form_create(
    client: UspsClient,
    *,
    tracking_numbers: list[str],
    mailing_date: date,
    ship_from: PostalAddress,
    entry_zip: str = "",
) -> ScanForm:
    body = mapper.build_scan_form(
        tracking_numbers=tracking_numbers,
        mailing_date=mailing_date,
        ship_from=ship_from,
        entry_zip=entry_zip,
    )
    response = client.call("scan_forms", "POST", "/scan-forms/v3/scan-form", json=body)
    ensure_ok(response, ok=(200, 201))
    try:
        return mapper.parse_scan_form(response.headers.get("Content-Type", ""), response.content)
    except (ValueError, KeyError, StopIteration) as exc:
        raise CarrierUnavailable(
            f"USPS SCAN form answer malformed: {exc}", outcome_unknown=True
        ) from exc
