"""USPS v3r2 tracking answers for tests: events and result items parsed by the real mapper."""

from __future__ import annotations

from datetime import timedelta

from tracking.carriers.usps import mapper


def usps_event(
    code, text, gmt, *, recipient="", firm="", city="NEW YORK", state="NY", zip_code="10001"
):
    """A USPS v3r2 trackingEvents[] item at `gmt` (Eastern time, UTC-5)."""
    local = (gmt - timedelta(hours=5)).replace(tzinfo=None).isoformat() + "-05:00"
    return {
        "eventType": text,
        "eventTimestamp": local,
        "GMTTimestamp": gmt.isoformat().replace("+00:00", "Z"),
        "eventCode": code,
        "eventCity": city,
        "eventState": state,
        "eventZIPCode": zip_code,
        "eventCountry": "US",
        "recipientName": recipient,
        "firm": firm,
    }


def usps_result(number, events, **extra):
    """Parse a USPS result item the way the real carrier does."""
    item = {
        "trackingNumber": number,
        "uniqueTrackingID": "UTID" + number[-6:],
        "mailClass": "Priority Mail",
        "status": events[0]["eventType"] if events else "",
        "destinationCity": "NEW YORK",
        "destinationState": "NY",
        "destinationZIPCode": "10001",
        "servicesEligibility": {"proofOfDeliveryEnabled": True},
        "trackingEvents": events,
        **extra,
    }
    (result,) = mapper.parse_tracking_response([item], [number])
    assert result.ok, result.error
    return result
