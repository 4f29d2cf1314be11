"""Tracking-number normalisation, check digits and carrier detection.

USPS IMpb: 20-26 digits (usually 22 starting 91-95), optionally behind a `420`+ZIP routing
prefix, ending in a mod-10 check digit. S10 (international): two letters, eight digits, a
mod-11 check digit, two letters (`EC123456789US`).
"""

import re
from dataclasses import dataclass

API_MIN_LENGTH, API_MAX_LENGTH = 4, 100
USPS_PATTERN = re.compile(r"^[A-Z0-9]{4,34}$")
S10_PATTERN = re.compile(r"^([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})$")
IMPB_PATTERN = re.compile(r"^9[1-5][0-9]{18,24}$")
ROUTING_PREFIX = "420"
ROUTING_ZIP_LENGTHS = (5, 9)  # ZIP or ZIP+4
_SEPARATORS = re.compile(r"[\s\-]+")
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


class TrackingNumberError(ValueError):
    """A tracking number that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class ParsedNumber:
    number: str
    kind: str  # "impb", "s10" or "other"
    slug: str | None  # detected carrier, None when the format says nothing


def normalize(raw: str) -> str:
    """Strip whitespace and dashes, upper-case letters."""
    return _SEPARATORS.sub("", raw or "").upper()


def mod10_check_digit(body: str) -> int:
    """USPS mod-10: weights 3,1,3,… from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def s10_check_digit(serial: str) -> int:
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def with_impb_check_digit(body: str) -> str:
    return body + str(mod10_check_digit(body))


def parse(raw: str) -> ParsedNumber:
    """Validate a tracking number as the API receives it; raise TrackingNumberError."""
    number = normalize(raw)
    if not API_MIN_LENGTH <= len(number) <= API_MAX_LENGTH:
        raise TrackingNumberError(
            f"Tracking number must be {API_MIN_LENGTH} to {API_MAX_LENGTH} characters long "
            "(spaces and dashes are ignored)."
        )
    if not number.isalnum() or not number.isascii():
        raise TrackingNumberError("Tracking number may contain only letters and digits.")
    number = _strip_routing(number)
    if IMPB_PATTERN.match(number):
        expected = mod10_check_digit(number[:-1])
        if int(number[-1]) != expected:
            raise TrackingNumberError(
                f"Tracking number {number} has a wrong check digit: "
                f"expected {expected}, got {number[-1]}."
            )
        return ParsedNumber(number, "impb", "usps")
    s10 = S10_PATTERN.match(number)
    if s10:
        expected = s10_check_digit(s10.group(2))
        if int(s10.group(3)) != expected:
            raise TrackingNumberError(
                f"Tracking number {number} has a wrong check digit: "
                f"expected {expected}, got {s10.group(3)}."
            )
        slug = "usps" if s10.group(4) == "US" else None
        return ParsedNumber(number, "s10", slug)
    return ParsedNumber(number, "other", None)


def _strip_routing(number: str) -> str:
    """The IMpb behind a `420`+ZIP(+4) routing prefix, or the number unchanged.

    420 + ZIP+4 + a 22-digit IMpb can also be read as 420 + ZIP + a 26-digit one when the +4
    starts with 91-95, so prefer the reading whose check digit holds.
    """
    if not number.startswith(ROUTING_PREFIX) or not number.isdigit():
        return number
    readings = [
        number[len(ROUTING_PREFIX) + n :]
        for n in ROUTING_ZIP_LENGTHS
        if IMPB_PATTERN.match(number[len(ROUTING_PREFIX) + n :])
    ]
    for impb in readings:
        if mod10_check_digit(impb[:-1]) == int(impb[-1]):
            return impb
    return readings[0] if readings else number


def validate_for_usps(number: str) -> None:
    if not USPS_PATTERN.match(number):
        raise TrackingNumberError("USPS tracking numbers are 4 to 34 letters and digits.")


def detect_slugs(raw: str) -> list[str]:
    """Carrier slugs whose formats match the number (empty when none is sure)."""
    try:
        parsed = parse(raw)
    except TrackingNumberError:
        return []
    return [parsed.slug] if parsed.slug else []
