"""Transit days by USPS zone and mail class: the estimate for a lane with no history at all.

How a lane gets its zone
------------------------
USPS zones grow with the distance between the origin's and the destination's 3-digit ZIP areas
(Notice 123 / DMM 608: zone 1 up to 50 miles, 2 to 150, 3 to 300, 4 to 600, 5 to 1,000,
6 to 1,400, 7 to 1,800, 8 beyond). USPS's own chart holds ~900 x 900 ZIP3 pairs; this table is
coarser on purpose: `REGIONS` places each ZIP3 range (and each state or territory, for an
address given without a ZIP) at one point, its main population centre, and the zone follows
from the great-circle distance between the two points. The same ZIP3 is zone 1 (local); two
ZIP3s of one region are zone 2 (assumed: neighbouring areas). Alaska, Hawaii, the territories
and military post offices are "non-contiguous": their own, longer column, whatever the distance.

Days per mail class
-------------------
`DAYS` gives (earliest, likely, latest) USPS business days per zone, from the ranges USPS
publishes for each class (Priority Mail Express 1-2 days, Priority Mail 1-3, USPS Ground
Advantage 2-5, First-Class Mail 1-5, Media and Library Mail 2-8, Parcel Select 2-8), spread over
the zones so that nearer lanes get the lower end; the non-contiguous column adds the 1-3 days
USPS quotes for Alaska, Hawaii and the territories. An unknown or missing class is read as
USPS Ground Advantage, the most common parcel class (and the successor of First-Class Package
Service). These are assumptions, not measurements: the learnt model replaces them as soon as a
lane (or its region, or its class) has history, and USPS Service Standards replace them for
predict-batch when USPS credentials are configured.

Pure: no database, no network.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tracking.edd.places import normalize_mail_class, zip3

# (first ZIP3, last ZIP3, state, latitude, longitude): first match wins.
REGIONS: list[tuple[int, int, str, float, float]] = [
    (5, 5, "NY", 40.8, -73.0),
    (6, 7, "PR", 18.4, -66.1),
    (8, 8, "VI", 18.3, -64.9),
    (9, 9, "PR", 18.4, -66.1),
    (10, 27, "MA", 42.3, -71.3),
    (28, 29, "RI", 41.8, -71.4),
    (30, 38, "NH", 43.0, -71.5),
    (39, 49, "ME", 44.0, -70.2),
    (50, 59, "VT", 44.4, -72.9),
    (60, 69, "CT", 41.6, -72.8),
    (70, 89, "NJ", 40.5, -74.4),
    (90, 99, "AE", 50.0, 8.0),
    (100, 119, "NY", 40.7, -73.9),
    (120, 149, "NY", 42.9, -75.5),
    (150, 168, "PA", 40.4, -79.9),
    (169, 196, "PA", 40.2, -76.3),
    (197, 199, "DE", 39.5, -75.6),
    (200, 200, "DC", 38.9, -77.0),
    (201, 201, "VA", 38.9, -77.4),
    (202, 205, "DC", 38.9, -77.0),
    (206, 219, "MD", 39.2, -76.7),
    (220, 246, "VA", 37.8, -77.8),
    (247, 268, "WV", 38.6, -80.9),
    (270, 289, "NC", 35.6, -79.4),
    (290, 299, "SC", 34.0, -80.9),
    (300, 319, "GA", 33.6, -84.0),
    (320, 329, "FL", 28.9, -82.0),
    (330, 339, "FL", 26.4, -80.3),
    (340, 340, "AA", 26.0, -80.2),
    (341, 349, "FL", 27.0, -81.8),
    (350, 369, "AL", 33.0, -86.8),
    (370, 385, "TN", 35.9, -86.6),
    (386, 397, "MS", 32.6, -89.7),
    (398, 399, "GA", 31.6, -84.2),
    (400, 427, "KY", 37.9, -85.3),
    (430, 458, "OH", 40.2, -82.8),
    (460, 479, "IN", 39.9, -86.3),
    (480, 499, "MI", 42.7, -84.2),
    (500, 528, "IA", 41.9, -93.4),
    (530, 549, "WI", 43.8, -88.8),
    (550, 567, "MN", 45.3, -93.6),
    (569, 569, "DC", 38.9, -77.0),
    (570, 577, "SD", 44.0, -99.5),
    (580, 588, "ND", 47.2, -99.5),
    (590, 599, "MT", 46.6, -110.0),
    (600, 629, "IL", 41.3, -88.4),
    (630, 658, "MO", 38.4, -92.3),
    (660, 679, "KS", 38.5, -97.4),
    (680, 693, "NE", 41.2, -97.6),
    (700, 714, "LA", 30.8, -91.5),
    (716, 729, "AR", 35.0, -92.4),
    (730, 749, "OK", 35.6, -97.1),
    (750, 769, "TX", 32.7, -97.0),
    (770, 779, "TX", 29.8, -95.4),
    (780, 789, "TX", 29.8, -98.2),
    (790, 797, "TX", 32.5, -101.9),
    (798, 799, "TX", 31.8, -106.4),
    (800, 816, "CO", 39.6, -105.0),
    (820, 831, "WY", 42.8, -106.9),
    (832, 838, "ID", 43.7, -115.4),
    (840, 847, "UT", 40.6, -111.9),
    (850, 865, "AZ", 33.5, -112.0),
    (870, 884, "NM", 35.0, -106.4),
    (885, 885, "TX", 31.8, -106.4),
    (889, 898, "NV", 36.4, -116.0),
    (900, 935, "CA", 34.1, -118.0),
    (936, 961, "CA", 37.8, -121.7),
    (962, 966, "AP", 35.0, 135.0),
    (967, 968, "HI", 21.3, -157.9),
    (969, 969, "GU", 13.5, 144.8),
    (970, 979, "OR", 44.9, -122.9),
    (980, 994, "WA", 47.4, -122.2),
    (995, 999, "AK", 61.2, -149.9),
]
NON_CONTIGUOUS = {"AK", "HI", "PR", "VI", "GU", "AS", "MP", "AA", "AE", "AP"}
NC = "non-contiguous"
# Zone upper bounds in miles (zone 1 is also the same ZIP3).
ZONE_MILES = ((1, 50), (2, 150), (3, 300), (4, 600), (5, 1000), (6, 1400), (7, 1800))

_D = tuple[int, int, int]


def _by_zone(z1: _D, z2: _D, z3: _D, z4: _D, z5: _D, z6: _D, z7: _D, z8: _D, nc: _D) -> dict:
    return {1: z1, 2: z2, 3: z3, 4: z4, 5: z5, 6: z6, 7: z7, 8: z8, NC: nc}


_PACKAGE_SERVICES = _by_zone(
    (2, 3, 4), (2, 3, 5), (3, 4, 6), (3, 5, 7), (4, 6, 8), (5, 7, 8), (5, 7, 8), (5, 8, 8),
    (6, 8, 10),
)  # fmt: skip
DAYS: dict[str, dict] = {
    "priority_mail_express": _by_zone(
        (1, 1, 1), (1, 1, 1), (1, 1, 2), (1, 1, 2), (1, 2, 2), (1, 2, 2), (2, 2, 2), (2, 2, 2),
        (2, 2, 3),
    ),
    "priority_mail": _by_zone(
        (1, 1, 2), (1, 2, 2), (1, 2, 3), (2, 2, 3), (2, 3, 3), (2, 3, 3), (3, 3, 3), (3, 3, 3),
        (3, 4, 5),
    ),
    "ground_advantage": _by_zone(
        (1, 2, 3), (2, 2, 3), (2, 3, 4), (3, 3, 4), (3, 4, 5), (4, 5, 5), (4, 5, 5), (4, 5, 5),
        (5, 7, 9),
    ),
    "first_class_mail": _by_zone(
        (1, 2, 2), (2, 2, 3), (2, 3, 3), (3, 3, 4), (3, 4, 5), (4, 5, 5), (4, 5, 5), (5, 5, 5),
        (4, 5, 6),
    ),
    "media_mail": _PACKAGE_SERVICES,
    "library_mail": _PACKAGE_SERVICES,
    "bound_printed_matter": _PACKAGE_SERVICES,
    "parcel_select": _by_zone(
        (2, 2, 3), (2, 3, 4), (2, 3, 5), (3, 4, 6), (3, 5, 7), (4, 6, 8), (4, 6, 8), (4, 6, 8),
        (5, 8, 10),
    ),
}  # fmt: skip
DEFAULT_CLASS = "ground_advantage"

STATE_NAMES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA",
    "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR", "virgin islands": "VI", "guam": "GU",
}  # fmt: skip
_STATE_POINT = {}
for _low, _high, _state, _lat, _lon in REGIONS:
    _STATE_POINT.setdefault(_state, (_low, _state, _lat, _lon))


@dataclass(frozen=True)
class Place:
    key: str  # the ZIP3, or "state:XX" for an address with a state only
    region: int  # the REGIONS row
    state: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Standard:
    """Transit days for a lane with no history: where they come from and how much to trust."""

    transit_days: tuple[int, int, int]  # USPS business days: earliest, likely, latest
    source: str  # "usps_standards" or "zone_table"
    zone: int | str | None = None


def state_code(state: str | None) -> str | None:
    text = re.sub(r"[^a-z ]", "", (state or "").strip().lower())
    if len(text) == 2 and text.upper() in _STATE_POINT:
        return text.upper()
    return STATE_NAMES.get(" ".join(text.split()))


def place(postal_code: str | None, state: str | None = None) -> Place | None:
    """Where an address sits for the table: its ZIP3 when it has one, else its state."""
    prefix = zip3(postal_code)
    if prefix is not None:
        number = int(prefix)
        for index, (low, high, code, lat, lon) in enumerate(REGIONS):
            if low <= number <= high:
                return Place(prefix, index, code, lat, lon)
        return None
    code = state_code(state)
    if code is None:
        return None
    low, code, lat, lon = _STATE_POINT[code]
    index = next(i for i, row in enumerate(REGIONS) if row[0] == low)
    return Place(f"state:{code}", index, code, lat, lon)


def miles(a: Place, b: Place) -> float:
    """Great-circle distance (haversine, Earth radius 3,959 miles)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 3959 * math.asin(math.sqrt(h))


def zone(origin: Place, destination: Place) -> int | str:
    far = origin.state in NON_CONTIGUOUS or destination.state in NON_CONTIGUOUS
    if far and origin.region != destination.region:
        return NC
    if origin.key == destination.key:
        return 1
    if origin.region == destination.region:
        return 2
    distance = miles(origin, destination)
    return next((z for z, limit in ZONE_MILES if distance <= limit), 8)


def table_standard(
    *,
    origin_zip: str | None,
    destination_zip: str | None,
    mail_class: str | None,
    origin_state: str | None = None,
    destination_state: str | None = None,
) -> Standard | None:
    """The table's transit days for a lane; None only when an end is not a US place."""
    origin = place(origin_zip, origin_state)
    destination = place(destination_zip, destination_state)
    if origin is None or destination is None:
        return None
    lane_zone = zone(origin, destination)
    days = DAYS.get(normalize_mail_class(mail_class) or "", DAYS[DEFAULT_CLASS])
    return Standard(days[lane_zone], "zone_table", lane_zone)
