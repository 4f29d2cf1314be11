"""An offline, deterministic stand-in for USPS, used when no USPS credentials are set.

The tracking number picks a scenario, a mail class (an IMpb's service type code) and, unless
the shipment names them, a lane; `plan.py` puts every step of the journey on that lane's
calendar, in each place's own time zone. Answers are USPS-shaped JSON run through the real USPS
mapper, so the sandbox exercises the same path as the real carrier.

How fast the story plays: the part of it before the shipment was created in shipdesk (a parcel
mailed days ago, given by its mailing date) keeps its real times; what follows plays
SANDBOX_TIME_SCALE times faster, so a demo moves while one watches. Numbers of the
REAL_TIME_MAILER_ID play entirely in real time: the demo's history is made of them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time

from django.utils import timezone

from tracking.carriers.base import ProofAnswer, ProofRequest, TrackRequest, TrackResult
from tracking.carriers.sandbox.plan import Plan, lane_for, plan
from tracking.carriers.sandbox.scenarios import scenario_for
from tracking.carriers.usps import mapper, pod_mapper

__all__ = ["REAL_TIME_MAILER_ID", "SIMULATED_NOTE", "SandboxCarrier", "scenario_for"]

SIMULATED_NOTE = "Simulated by the shipdesk sandbox carrier"
REAL_TIME_MAILER_ID = "118994"
MAILING_DAY_START = time(9, 0)


def mailer_id(number: str) -> str:
    """The Mailer ID of a 20-22 digit IMpb (9 digits when it starts with 9, else 6)."""
    if not (number.isdigit() and 20 <= len(number) <= 22 and number[0] == "9"):
        return ""
    return number[5:14] if number[5] == "9" else number[5:11]


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

    def plan_for(self, request: TrackRequest, *, created_at: datetime) -> Plan:
        """The journey of `request`'s parcel, its label made on the mailing day if that came
        before the shipment was created, else when it was created."""
        number = request.tracking_number
        lane = lane_for(
            number,
            origin=(request.origin_city, request.origin_state, request.origin_zip),
            destination=(
                request.destination_city,
                request.destination_state,
                request.destination_zip,
            ),
        )
        start = created_at
        if request.mailing_date:
            morning = datetime.combine(request.mailing_date, MAILING_DAY_START, lane.origin.zone)
            start = min(start, morning)
        return plan(number, start=start, lane=lane)

    def pace(self, number: str) -> float:
        return 1.0 if mailer_id(number) == REAL_TIME_MAILER_ID else self.time_scale

    def playback(self, at: datetime, *, created_at: datetime, pace: float) -> datetime:
        """When the sandbox shows a step planned for `at`: as planned before the shipment was
        created, `pace` times sooner after it."""
        if at <= created_at or pace == 1:
            return at
        return created_at + (at - created_at) / pace

    def usps_item(self, request: TrackRequest, now: datetime) -> dict:
        """The USPS v3r2 result item this shipment would have at `now`."""
        number = request.tracking_number
        created_at = request.created_at or now
        journey = self.plan_for(request, created_at=created_at)
        pace = self.pace(number)
        shown = []
        for planned in journey.events:
            when = self.playback(planned.at, created_at=created_at, pace=pace)
            if when <= now:
                shown.append((planned, when))
        lane = journey.lane
        expected = self.playback(journey.expected, created_at=created_at, pace=pace)
        return {
            "trackingNumber": number,
            "uniqueTrackingID": "SBX" + hashlib.sha1(number.encode()).hexdigest()[:17].upper(),
            "mailClass": lane.mail_class,
            "status": shown[-1][0].step.text if shown else "Label created, not yet in system",
            "statusSummary": SIMULATED_NOTE,
            "originCity": lane.origin.city,
            "originState": lane.origin.state,
            "originZIPCode": lane.origin.zip,
            "destinationCity": lane.destination.city,
            "destinationState": lane.destination.state,
            "destinationZIPCode": lane.destination.zip,
            "deliveryDateExpectation": {
                "expectedDeliveryDate": expected.astimezone(lane.destination.zone)
                .date()
                .isoformat()
            },
            "servicesEligibility": {"proofOfDeliveryEnabled": True, "RREEnabled": False},
            "trackingEvents": [self._event(p, when) for p, when in reversed(shown)],
        }

    @staticmethod
    def _event(planned, when: datetime) -> dict:
        when = when.astimezone(UTC).replace(microsecond=0)
        spot = planned.spot
        local = when.astimezone(spot.zone)
        return {
            "eventType": planned.step.text,
            "eventTimestamp": local.isoformat(),
            "GMTTimestamp": when.isoformat().replace("+00:00", "Z"),
            "eventCode": planned.step.code,
            "eventCity": spot.city,
            "eventState": spot.state,
            "eventZIPCode": spot.zip,
            "eventCountry": "US",
            "recipientName": planned.step.recipient,
            "firm": "",
        }
