"""An offline, deterministic stand-in for USPS, used when no USPS credentials are set.

The tracking number picks a scenario; the time since the shipment was created, sped up by
SANDBOX_TIME_SCALE, says how far along it is. Answers are USPS-shaped JSON run through the
real USPS mapper, so the sandbox exercises the same path as the real carrier.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from tracking.carriers.base import ProofAnswer, ProofRequest, TrackRequest, TrackResult
from tracking.carriers.sandbox.scenarios import PLACES, SCENARIOS, WEIGHTS
from tracking.carriers.usps import mapper, pod_mapper

SIMULATED_NOTE = "Simulated by the shipdesk sandbox carrier"
OFFSET = timedelta(hours=-5)


def scenario_for(tracking_number: str) -> str:
    bucket = int(hashlib.sha256(tracking_number.encode()).hexdigest(), 16) % 100
    for name, weight in WEIGHTS:
        if bucket < weight:
            return name
        bucket -= weight
    return WEIGHTS[0][0]


class SandboxCarrier:
    slug = "usps"
    name = "USPS (simulated)"
    batch_size = mapper.BATCH_SIZE
    simulated = True

    def __init__(self, *, time_scale: float = 60.0, clock=timezone.now):
        self.time_scale = time_scale
        self.clock = clock

    def track(self, requests: list[TrackRequest]) -> list[TrackResult]:
        now = self.clock()
        items = [self.usps_item(r, now) for r in requests]
        return mapper.parse_tracking_response(items, [r.tracking_number for r in requests])

    def request_proof_of_delivery(self, request: ProofRequest) -> ProofAnswer:
        """Answer as USPS would for a sandbox item (POD enabled, RRE not), e-mailing nobody."""
        pod_mapper.build_pod_request(request)  # the same checks as a real request
        if request.return_receipt:
            return ProofAnswer(
                False,
                f"{SIMULATED_NOTE}: Return Receipt (Electronic) was not purchased for this item.",
            )
        emails = ", ".join(r.email for r in request.recipients)
        return ProofAnswer(
            True,
            f"{SIMULATED_NOTE}: accepted; USPS would e-mail its proof of delivery to {emails}.",
        )

    def usps_item(self, request: TrackRequest, now: datetime) -> dict:
        """The USPS v3r2 result item this shipment would have at `now`."""
        number = request.tracking_number
        start = request.created_at or now
        elapsed_hours = (now - start).total_seconds() / 3600 * self.time_scale
        steps = [s for s in SCENARIOS[scenario_for(number)] if s.hour <= elapsed_hours]
        events = [self._event(start, step) for step in reversed(steps)]
        return {
            "trackingNumber": number,
            "uniqueTrackingID": "SBX" + hashlib.sha1(number.encode()).hexdigest()[:17].upper(),
            "mailClass": "Priority Mail",
            "status": steps[-1].text if steps else "Label created, not yet in system",
            "statusSummary": SIMULATED_NOTE,
            "originCity": PLACES["origin"][0],
            "originState": PLACES["origin"][1],
            "originZIPCode": PLACES["origin"][2],
            "destinationCity": PLACES["destination"][0],
            "destinationState": PLACES["destination"][1],
            "destinationZIPCode": PLACES["destination"][2],
            "deliveryDateExpectation": {
                "expectedDeliveryDate": (start + self._real(48)).date().isoformat()
            },
            "servicesEligibility": {"proofOfDeliveryEnabled": True, "RREEnabled": False},
            "trackingEvents": events,
        }

    def _real(self, hours: float) -> timedelta:
        return timedelta(hours=hours / self.time_scale)

    def _event(self, start: datetime, step) -> dict:
        when = (start + self._real(step.hour)).astimezone(UTC).replace(microsecond=0)
        city, state, zip_code = PLACES[step.place]
        local = when.astimezone(timezone.get_fixed_timezone(OFFSET))
        return {
            "eventType": step.text,
            "eventTimestamp": local.isoformat(),
            "GMTTimestamp": when.isoformat().replace("+00:00", "Z"),
            "eventCode": step.code,
            "eventCity": city,
            "eventState": state,
            "eventZIPCode": zip_code,
            "eventCountry": "US",
            "recipientName": step.recipient,
            "firm": "",
        }
