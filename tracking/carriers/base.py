"""The carrier interface and the carrier-neutral data every carrier returns.

Carrier codes stop at a carrier's mapper: everything here speaks shipdesk's tags and subtags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class TrackRequest:
    tracking_number: str
    mailing_date: date | None = None
    destination_zip: str = ""
    # Sandbox carriers need to know how long a shipment has existed and the lane it names;
    # real carriers ignore these.
    created_at: datetime | None = None
    origin_city: str = ""
    origin_state: str = ""
    origin_zip: str = ""
    destination_city: str = ""
    destination_state: str = ""


@dataclass(frozen=True)
class Event:
    """One checkpoint, as a carrier reported it, already mapped to a tag/subtag."""

    key: str
    time: datetime  # aware
    utc_offset_minutes: int | None
    message: str
    tag: str
    subtag: str
    subtag_message: str
    raw_tag: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country_iso3: str = ""
    country_name: str = ""
    location: str = ""
    recipient_name: str = ""
    firm: str = ""


@dataclass
class TrackResult:
    """What a carrier said about one tracking number: events, or an error."""

    tracking_number: str
    events: list[Event] = field(default_factory=list)
    error: str = ""
    # A retryable error (quota, network) leaves the shipment as it was and retries soon.
    retryable: bool = False
    # The whole request failed (unreachable, credentials refused, an unreadable answer), not
    # what the carrier said of this number.
    request_failed: bool = False
    unique_tracking_id: str = ""
    mail_class: str = ""
    status: str = ""
    status_summary: str = ""
    expected_delivery: date | None = None
    pod_eligible: bool = False
    rre_eligible: bool = False
    origin_city: str = ""
    origin_state: str = ""
    origin_zip: str = ""
    destination_city: str = ""
    destination_state: str = ""
    destination_zip: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class PodRecipient:
    """Someone the carrier e-mails a proof of delivery record to."""

    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class ProofRequest:
    """Ask the carrier to e-mail its own proof of delivery record (USPS POD or RRE)."""

    tracking_number: str
    unique_tracking_id: str
    recipients: tuple[PodRecipient, ...]
    return_receipt: bool = False  # Return Receipt (Electronic) instead of Proof of Delivery
    mailing_date: date | None = None
    crid: str = ""


@dataclass(frozen=True)
class ProofAnswer:
    """The carrier's answer to a ProofRequest."""

    accepted: bool
    message: str = ""
    # The carrier could not be reached or its budget is spent: worth trying again later.
    retryable: bool = False
    retry_at: datetime | None = None


class Carrier(Protocol):
    slug: str
    name: str
    batch_size: int
    simulated: bool
    time_scale: float  # how much faster than real time the carrier's world moves

    def track(self, requests: list[TrackRequest]) -> list[TrackResult]:
        """Track up to `batch_size` numbers; one result per request, in any order."""
        ...

    def request_proof_of_delivery(self, request: ProofRequest) -> ProofAnswer:
        """Ask the carrier to e-mail its proof of delivery record; never raises for an answer."""
        ...
