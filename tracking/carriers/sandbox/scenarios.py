"""Realistic USPS event sequences the sandbox plays back.

Each step happens at a named moment of the parcel's journey; `plan.py` puts the moments on
the calendar of its lane (business days, each place's local clock).
"""

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    moment: str
    code: str
    text: str
    place: str  # "origin", "hub" or "destination"
    recipient: str = ""


_START = [
    Step("label", "MA", "Shipping Label Created, USPS Awaiting Item", "origin"),
    Step("accepted", "03", "USPS in possession of item", "origin"),
    Step("processed", "10", "Processed through USPS Facility", "origin"),
    Step("departed", "SF", "Departed USPS Regional Facility", "origin"),
    Step("hub_arrived", "A1", "Arrived at USPS Regional Facility", "hub"),
    Step("hub_departed", "SF", "Departed USPS Regional Facility", "hub"),
    Step("arrived", "A1", "Arrived at USPS Regional Destination Facility", "destination"),
    Step("post_office", "07", "Arrived at Post Office", "destination"),
]
_OUT = Step("out", "OF", "Out for Delivery", "destination")
_NOTICE = Step("attempted", "02", "Notice Left (No Authorized Recipient Available)", "destination")

SCENARIOS: dict[str, list[Step]] = {
    "delivered": [
        *_START,
        _OUT,
        Step("attempted", "01", "Delivered, In/At Mailbox", "destination", recipient="J SMITH"),
    ],
    "attempt_then_delivered": [
        *_START,
        _OUT,
        _NOTICE,
        Step("out_again", "OF", "Out for Delivery", "destination"),
        Step(
            "redelivered",
            "01",
            "Delivered, Left with Individual",
            "destination",
            recipient="A GARCIA",
        ),
    ],
    "pickup": [
        *_START,
        _OUT,
        _NOTICE,
        Step("available", "16", "Available for Pickup", "destination"),
        Step(
            "picked_up",
            "17",
            "Delivered, Individual Picked Up at Post Office",
            "destination",
            recipient="M CHEN",
        ),
    ],
    "returned": [
        *_START,
        _OUT,
        Step("attempted", "05", "Undeliverable as Addressed", "destination"),
        Step("return_processed", "09", "Return to Sender Processed", "destination"),
        Step("return_hub", "A1", "Arrived at USPS Regional Facility", "hub"),
        Step(
            "returned_home",
            "RD",
            "Delivered, To Original Sender",
            "origin",
            recipient="SHIPPING DEPT",
        ),
    ],
    "lost": [
        *_START[:6],
        Step("not_updated", "DX", "Delivery Status Not Updated", "hub"),
        Step("recovery", "11", "Forwarded to Mail Recovery Center", "hub"),
    ],
    "stalled": _START[:2],
    "unknown": [],
}

# Share of each scenario among sandbox numbers (out of 100).
WEIGHTS = [
    ("delivered", 50),
    ("attempt_then_delivered", 14),
    ("pickup", 10),
    ("returned", 8),
    ("lost", 6),
    ("stalled", 7),
    ("unknown", 5),
]


def scenario_for(tracking_number: str) -> str:
    bucket = int(hashlib.sha256(tracking_number.encode()).hexdigest(), 16) % 100
    for name, weight in WEIGHTS:
        if bucket < weight:
            return name
        bucket -= weight
    return WEIGHTS[0][0]
