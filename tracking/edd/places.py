"""Places and mail classes: ZIP3 to time zone, mail-class names normalised."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

DEFAULT_TZ = "America/Chicago"  # central: within two hours of every contiguous-US zone

# ZIP3 ranges → IANA zone; coarse (by state, with the large exceptions), first match wins.
_ZIP3_ZONES: list[tuple[int, int, str]] = [
    (6, 7, "America/Puerto_Rico"),
    (8, 8, "America/St_Thomas"),
    (9, 9, "America/Puerto_Rico"),
    (324, 325, "America/Chicago"),  # Florida panhandle
    (370, 372, "America/Chicago"),  # middle Tennessee
    (380, 385, "America/Chicago"),  # west Tennessee
    (420, 424, "America/Chicago"),  # western Kentucky
    (463, 464, "America/Chicago"),  # north-west Indiana
    (476, 477, "America/Chicago"),  # Evansville
    (577, 577, "America/Denver"),  # western South Dakota
    (690, 693, "America/Denver"),  # western Nebraska
    (798, 799, "America/Denver"),  # El Paso
    (835, 838, "America/Los_Angeles"),  # northern Idaho
    (850, 865, "America/Phoenix"),
    (967, 968, "Pacific/Honolulu"),
    (969, 969, "Pacific/Guam"),
    (995, 999, "America/Anchorage"),
    (5, 349, "America/New_York"),
    (350, 369, "America/Chicago"),
    (373, 379, "America/New_York"),
    (386, 397, "America/Chicago"),
    (398, 419, "America/New_York"),
    (425, 499, "America/New_York"),
    (500, 589, "America/Chicago"),
    (590, 599, "America/Denver"),
    (600, 799, "America/Chicago"),
    (800, 884, "America/Denver"),
    (889, 961, "America/Los_Angeles"),
    (970, 994, "America/Los_Angeles"),
]
_ZIP_RE = re.compile(r"[0-9]{5}(?:-?[0-9]{4})?")


def zip3(postal_code: str | None) -> str | None:
    """The first three digits of a US ZIP code, or None when it is not one."""
    code = (postal_code or "").strip()
    if not _ZIP_RE.fullmatch(code):
        return None
    return code[:3]


def zip_timezone(postal_code: str | None) -> ZoneInfo | None:
    prefix = zip3(postal_code)
    if prefix is None:
        return None
    number = int(prefix)
    for low, high, name in _ZIP3_ZONES:
        if low <= number <= high:
            return ZoneInfo(name)
    return None


CLASS_NAMES = {
    "priority_mail_express": "Priority Mail Express",
    "priority_mail": "Priority Mail",
    "ground_advantage": "USPS Ground Advantage",
    "first_class_mail": "First-Class Mail",
    "media_mail": "Media Mail",
    "library_mail": "Library Mail",
    "parcel_select": "Parcel Select",
}


def normalize_mail_class(name: str | None) -> str | None:
    """A stable key for a USPS mail class or AfterShip service type name (None if blank).

    "Priority Mail Express®", "usps-priority_mail_express" → "priority_mail_express";
    "First-Class Package Service" and "Retail Ground" → "ground_advantage" (their successor
    since July 2023); anything unknown → its lower-case words joined by "_".
    """
    text = (name or "").lower().replace("®", " ").replace("™", " ")
    text = re.sub(r"^usps[-_ ]+", "", text.strip())
    words = re.findall(r"[a-z0-9]+", text)
    if not words:
        return None
    joined = " ".join(words)
    if "express" in joined and ("priority" in joined or "express mail" in joined):
        return "priority_mail_express"
    if joined.startswith("priority mail") or joined == "priority":
        return "priority_mail"
    if (
        "ground advantage" in joined
        or joined.startswith("first class package")
        or joined in {"retail ground", "parcel select ground"}
    ):
        return "ground_advantage"
    if joined.startswith("first class"):
        return "first_class_mail"
    if joined.startswith("media mail"):
        return "media_mail"
    if joined.startswith("library mail"):
        return "library_mail"
    if joined.startswith("parcel select"):
        return "parcel_select"
    return "_".join(words)
