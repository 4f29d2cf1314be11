"""Shipments as AfterShip 2026-07 tracking objects, field for field as the version carries them.

Read from the same rows as 2024-04 (tracking.api.representation); a field shipdesk has no value
for is null. Country fields are `*_country_region` (ISO 3166-1 alpha-3), the promised delivery
date is a range object, checkpoints name their `postal_code`, `coordinate` and `hash`, and the
people of a shipment are `customers[]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tracking.api.representation import USPS_TRACKING_LINK, day, local_naive
from tracking.api.representation import iso as iso_plain

SIGNATURE_REQUIREMENTS = {
    "signature_required",
    "adult_signature_required",
    "indirect_signature_required",
    "no_signature_required",
}
COURIER = {
    "slug": "usps",
    "name": "USPS",
    "phone": "+1 800-275-8777",
    "other_name": "United States Postal Service",
    "web_url": "https://www.usps.com",
    "required_fields": [],
    "optional_fields": ["destination_postal_code", "tracking_ship_date"],
    "default_language": "en",
    "support_languages": ["en"],
    "service_from_country_regions": ["USA"],
}


def checkpoint(c: tuple, iso=iso_plain) -> dict:
    """A checkpoint from its values as representation.CHECKPOINT_ROWS reads them."""
    (
        _shipment_id,
        slug,
        created_at,
        checkpoint_time,
        city,
        country_iso3,
        country_name,
        message,
        state,
        tag,
        subtag,
        subtag_message,
        zip_code,
        location,
        raw_tag,
        latitude,
        longitude,
        utc_offset_minutes,
        chain_hash,
    ) = c
    return {
        "created_at": iso(created_at),
        "slug": slug,
        "checkpoint_time": iso(checkpoint_time, utc_offset_minutes),
        "location": location or None,
        "city": city or None,
        "state": state or None,
        "postal_code": zip_code or None,
        "coordinate": None
        if latitude is None or longitude is None
        else {"latitude": latitude, "longitude": longitude},
        "country_region": country_iso3 or None,
        "country_region_name": country_name or None,
        "message": message,
        "tag": tag,
        "subtag": subtag,
        "subtag_message": subtag_message,
        "raw_tag": raw_tag or None,
        "events": [],
        "source": "carrier",
        "hash": chain_hash or None,
    }


def customers(stored: list, subscribers: Iterable[tuple[str, str]], name: str) -> list[dict]:
    """The customers as sent, kept to the addresses still notified; addresses added since
    (e.g. through 2024-04's notifications) follow as customers of their own. The first named
    customer carries the shipment's customer name (2024-04's `customer_name`)."""
    emails = [a for channel, a in subscribers if channel == "email"]
    phones = [a for channel, a in subscribers if channel == "sms"]
    out = []
    for c in stored or []:
        email = c.get("email") if c.get("email") in emails else None
        phone = c.get("phone_number") if c.get("phone_number") in phones else None
        if email:
            emails.remove(email)
        if phone:
            phones.remove(phone)
        if email or phone or c.get("name"):
            out.append(
                {
                    "role": c.get("role"),
                    "name": c.get("name"),
                    "phone_number": phone,
                    "email": email,
                    "language": c.get("language"),
                    "id": c.get("id"),
                }
            )
    for index in range(max(len(emails), len(phones))):
        out.append(
            {
                "role": None,
                "name": None,
                "phone_number": phones[index] if index < len(phones) else None,
                "email": emails[index] if index < len(emails) else None,
                "language": None,
                "id": None,
            }
        )
    named = next((c for c in out if c["name"]), None)
    if named is not None:
        named["name"] = name or None
    elif name:
        if out:
            out[0]["name"] = name
        else:
            out.append(
                {
                    "role": None,
                    "name": name,
                    "phone_number": None,
                    "email": None,
                    "language": None,
                    "id": None,
                }
            )
    return out


def _estimate(when, source: str, *, latest: bool = False) -> dict | None:
    if not when:
        return None
    data = {
        "type": "specific",
        "source": source,
        "datetime": day(when),
        "datetime_min": None,
        "datetime_max": None,
    }
    if latest:
        data["revise_reason"] = None
    return data


def _promised(s: Mapping) -> dict | None:
    dates = (
        s["order_promised_delivery_date"],
        s["order_promised_delivery_date_min"],
        s["order_promised_delivery_date_max"],
    )
    if not any(dates):
        return None
    return {
        "promised_delivery_date": day(dates[0]),
        "promised_delivery_date_min": day(dates[1]),
        "promised_delivery_date_max": day(dates[2]),
    }


def tracking(
    s: Mapping,
    *,
    subscribers: Iterable[tuple[str, str]],
    checkpoints: Iterable[tuple],
    fields: set[str] | None = None,
    iso=iso_plain,
) -> dict:
    subscribers = list(subscribers)
    expected = s["expected_delivery"]
    weight = s["shipment_weight"]
    signature = s["signature_requirement"]
    data = {
        "id": s["public_id"],
        "legacy_id": None,
        "created_at": iso(s["created_at"]),
        "updated_at": iso(s["updated_at"]),
        "tracking_number": s["tracking_number"],
        "slug": s["slug"],
        "active": s["active"],
        "custom_fields": s["custom_fields"],
        "transit_time": s["delivery_time"] if s["tag"] == "Delivered" else None,
        "origin_country_region": s["origin_country_iso3"] or None,
        "origin_state": s["origin_state"] or None,
        "origin_city": s["origin_city"] or None,
        "origin_postal_code": s["origin_postal_code"] or None,
        "origin_raw_location": s["origin_raw_location"] or None,
        "destination_country_region": s["destination_country_iso3"] or None,
        "destination_state": s["destination_state"] or None,
        "destination_city": s["destination_city"] or None,
        "destination_postal_code": s["destination_postal_code"] or None,
        "destination_raw_location": s["destination_raw_location"] or None,
        "courier_destination_country_region": s["courier_destination_country_iso3"]
        or s["destination_country_iso3"]
        or None,
        "courier_estimated_delivery_date": {
            "estimated_delivery_date": day(expected),
            "estimated_delivery_date_min": None,
            "estimated_delivery_date_max": None,
        }
        if expected
        else None,
        "note": s["note"] or None,
        "order_id": s["order_id"] or None,
        "order_id_path": s["order_id_path"] or None,
        "order_date": iso(s["order_date"]),
        "shipment_package_count": s["shipment_package_count"],
        "shipment_pickup_date": local_naive(
            s["shipment_pickup_date"], s["shipment_delivery_offset"], iso
        ),
        "shipment_delivery_date": local_naive(
            s["shipment_delivery_date"], s["shipment_delivery_offset"], iso
        ),
        "shipment_type": s["shipment_type"] or None,
        "shipment_weight": None
        if weight is None
        else {"unit": s["shipment_weight_unit"] or None, "value": weight},
        "shipment_dimensions": None,
        "signed_by": s["signed_by"] or None,
        "source": s["source"],
        "tag": s["tag"],
        "subtag": s["subtag"],
        "subtag_message": s["subtag_message"],
        "title": s["title"] or s["tracking_number"],
        "tracked_count": s["tracked_count"],
        "language": s["language"] or None,
        "unique_token": "deprecated",
        "checkpoints": [checkpoint(cp, iso) for cp in checkpoints],
        "subscribed_smses": [a for channel, a in subscribers if channel == "sms"],
        "subscribed_emails": [a for channel, a in subscribers if channel == "email"],
        "order_promised_delivery_date": _promised(s),
        "delivery_type": s["delivery_type"] or None,
        "pickup_location": s["pickup_location"] or None,
        "pickup_note": s["pickup_note"] or None,
        "courier_tracking_link": USPS_TRACKING_LINK + s["tracking_number"],
        "first_attempted_at": iso(s["first_attempted_at"], s["first_attempted_offset"]),
        "courier_redirect_link": None,
        "tracking_account_number": s["tracking_account_number"] or None,
        "tracking_key": s["tracking_key"] or None,
        "tracking_ship_date": s["tracking_ship_date"] or None,
        "on_time_status": s["on_time_status"] or None,
        "on_time_difference": s["on_time_difference"],
        "order_tags": s["order_tags"] or [],
        "aftership_estimated_delivery_date": {
            "estimated_delivery_date": day(s["estimated_delivery_date"]),
            "confidence_code": s["estimated_delivery_confidence"],
            "estimated_delivery_date_min": day(s["estimated_delivery_date_min"]),
            "estimated_delivery_date_max": day(s["estimated_delivery_date_max"]),
        }
        if s["estimated_delivery_date"]
        else None,
        "custom_estimated_delivery_date": {
            "type": "specific",
            "datetime": day(s["custom_estimated_delivery_date"]),
            "datetime_min": None,
            "datetime_max": None,
        }
        if s["custom_estimated_delivery_date"]
        else None,
        "order_number": s["order_number"] or None,
        "first_estimated_delivery": _estimate(s["first_expected_delivery"], "Carrier EDD"),
        "latest_estimated_delivery": _estimate(
            expected or s["estimated_delivery_date"],
            "Carrier EDD" if expected else "AfterShip EDD",
            latest=True,
        ),
        "shipment_tags": s["shipment_tags"] or [],
        "courier_connection_id": None,
        "carbon_emissions": None,
        "location_id": None,
        "shipping_method": s["shipping_method"] or None,
        "failed_delivery_attempts": s["failed_delivery_attempts"],
        "signature_requirement": signature if signature in SIGNATURE_REQUIREMENTS else None,
        "delivery_location_type": None,
        "aftership_tracking_url": None,
        "aftership_tracking_order_url": None,
        "first_mile": None,
        "last_mile": None,
        "customers": customers(s["customers"], subscribers, s["customer_name"]),
        "proof_of_delivery": None,
        "multi_piece_info": None,
        "shipment_direction": s["shipment_direction"] or None,
        "forward_shipment": None,
    }
    if fields:
        return {k: v for k, v in data.items() if k in fields or k == "id"}
    return data
