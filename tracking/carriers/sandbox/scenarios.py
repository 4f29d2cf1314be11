"""Realistic USPS event sequences the sandbox plays back, in simulated hours after creation."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    hour: float
    code: str
    text: str
    place: str  # "origin", "hub" or "destination"
    recipient: str = ""


_START = [
    Step(0.5, "MA", "Shipping Label Created, USPS Awaiting Item", "origin"),
    Step(6, "03", "USPS in possession of item", "origin"),
    Step(8, "10", "Processed through USPS Facility", "origin"),
    Step(10, "SF", "Departed USPS Regional Facility", "origin"),
    Step(24, "A1", "Arrived at USPS Regional Facility", "hub"),
    Step(26, "SF", "Departed USPS Regional Facility", "hub"),
    Step(36, "A1", "Arrived at USPS Regional Destination Facility", "destination"),
    Step(40, "07", "Arrived at Post Office", "destination"),
]
_OUT = Step(42, "OF", "Out for Delivery", "destination")

SCENARIOS: dict[str, list[Step]] = {
    "delivered": [
        *_START,
        _OUT,
        Step(47, "01", "Delivered, In/At Mailbox", "destination", recipient="J SMITH"),
    ],
    "attempt_then_delivered": [
        *_START,
        _OUT,
        Step(47, "02", "Notice Left (No Authorized Recipient Available)", "destination"),
        Step(66, "OF", "Out for Delivery", "destination"),
        Step(71, "01", "Delivered, Left with Individual", "destination", recipient="A GARCIA"),
    ],
    "pickup": [
        *_START,
        _OUT,
        Step(47, "02", "Notice Left (No Authorized Recipient Available)", "destination"),
        Step(48, "16", "Available for Pickup", "destination"),
        Step(
            96,
            "17",
            "Delivered, Individual Picked Up at Post Office",
            "destination",
            recipient="M CHEN",
        ),
    ],
    "returned": [
        *_START,
        _OUT,
        Step(47, "05", "Undeliverable as Addressed", "destination"),
        Step(52, "09", "Return to Sender Processed", "destination"),
        Step(70, "A1", "Arrived at USPS Regional Facility", "hub"),
        Step(110, "RD", "Delivered, To Original Sender", "origin", recipient="SHIPPING DEPT"),
    ],
    "lost": [
        *_START[:6],
        Step(130, "DX", "Delivery Status Not Updated", "hub"),
        Step(260, "11", "Forwarded to Mail Recovery Center", "hub"),
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

PLACES = {
    "origin": ("SEATTLE", "WA", "98108"),
    "hub": ("DENVER", "CO", "80266"),
    "destination": ("NEW YORK", "NY", "10001"),
}
