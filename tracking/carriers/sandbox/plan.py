"""A sandbox parcel's journey: its lane, mail class and the local time of every step.

Pure and deterministic: the tracking number (and the lane the shipment names, when it names
one) decides everything. Times are real-world times in each place's own zone: acceptance in
the origin's business hours, transit in business days by mail class and zone (the service
standards of `lanes.py`, with a little noise), delivery in the destination's daytime. How fast
the sandbox plays the plan back is the carrier's business, not this module's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from tracking import edd, zones
from tracking.carriers.sandbox import lanes
from tracking.carriers.sandbox.scenarios import SCENARIOS, Step, scenario_for

# IMpb service type codes (digits 3-5) and the mail class USPS reports for them.
SERVICE_TYPE_CLASSES = {
    "001": lanes.GA,
    "055": lanes.PM,
    "701": lanes.PME,
    "612": "Parcel Select",
    "710": "Media Mail",
}
# Classes without a table of their own take Ground Advantage's standards plus these days.
SLOWER_THAN_GROUND = {"Parcel Select": 1, "Media Mail": 2}
# Per-parcel deviation from the standard, in business days: (days, share out of 100).
NOISE = {lanes.PME: [(0, 92), (1, 8)]}
DEFAULT_NOISE = [(-1, 5), (0, 72), (1, 19), (2, 4)]
# USPS network facilities a long-haul parcel passes through: (ZIP3, facility ZIP).
HUBS = [
    ("606", "60808"),
    ("802", "80266"),
    ("752", "75260"),
    ("303", "30320"),
    ("381", "38118"),
    ("641", "64121"),
    ("191", "19176"),
    ("900", "90052"),
    ("981", "98168"),
    ("841", "84199"),
    ("554", "55550"),
    ("432", "43218"),
]
LOCAL_HAUL_MILES = 300
MAX_DETOUR = 1.3  # a hub further off the way than this is not on it
ACCEPTANCE_CUTOFF = time(17, 0)


@dataclass(frozen=True)
class Spot:
    """A place events happen at: its city, state, ZIP, zone and (approximate) position."""

    city: str
    state: str
    zip: str
    tz: str
    place: lanes.Place  # the nearest known ZIP3 area, for distances

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True)
class Lane:
    mail_class: str
    origin: Spot
    hub: Spot
    destination: Spot
    zone: int
    standard_days: int
    transit_days: int


@dataclass(frozen=True)
class Planned:
    step: Step
    spot: Spot
    at: datetime  # aware


@dataclass(frozen=True)
class Plan:
    lane: Lane
    events: list[Planned]  # oldest first
    expected: datetime  # USPS's expected delivery: acceptance day + the service standard


def draw(number: str, salt: str) -> float:
    """A number in [0, 1) fixed by the tracking number and `salt`."""
    digest = hashlib.sha256(f"{salt}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _pick(number: str, salt: str, pairs):
    point = draw(number, salt) * sum(w for _, w in pairs)
    for value, weight in pairs:
        if point < weight:
            return value
        point -= weight
    return pairs[-1][0]


def mail_class_for(number: str) -> str:
    """The class an IMpb's service type code names; a fixed pick for other numbers."""
    digits = number.strip().upper()
    is_impb = digits.isdigit() and len(digits) >= 20 and digits[0] == "9"
    if is_impb and (found := SERVICE_TYPE_CLASSES.get(digits[2:5])):
        return found
    return _pick(number, "class", [(lanes.PM, 45), (lanes.GA, 45), (lanes.PME, 10)])


def _nearest_area(zip3: str) -> lanes.Place:
    if zip3 in lanes.BY_ZIP3:
        return lanes.BY_ZIP3[zip3]
    return min(lanes.PLACES, key=lambda p: abs(int(p.zip3) - int(zip3)))


def _spot(city: str, state: str, zip_code: str) -> Spot | None:
    """The place a shipment names, when its ZIP code (or state) says where it is."""
    prefix = edd.zip3(zip_code)
    state = state.strip().upper()
    tz = edd.zip_timezone(zip_code) if prefix else None
    name = str(tz) if tz else (zones.STATE_ZONES.get(state) or (None,))[0]
    if not prefix or name is None:
        return None
    area = _nearest_area(prefix)
    return Spot(
        city=(city.strip() or area.city).upper(),
        state=state or area.state,
        zip=zip_code.strip()[:5],
        tz=name,
        place=area,
    )


def _area_spot(area: lanes.Place, zip_code: str) -> Spot:
    return Spot(area.city, area.state, zip_code, area.tz, area)


def _hub(origin: Spot, destination: Spot) -> Spot:
    """The network facility between the two, or the origin's own for a short haul."""
    area = _hub_area(origin.place, destination.place)
    return origin if area is None else _area_spot(*area)


@cache
def _hub_area(o: lanes.Place, d: lanes.Place) -> tuple[lanes.Place, str] | None:
    if lanes.miles(o, d) <= LOCAL_HAUL_MILES:
        return None
    candidates = [
        (lanes.miles(o, h) + lanes.miles(h, d), zip_code, h)
        for zip3, zip_code in HUBS
        if (h := lanes.BY_ZIP3[zip3]) and lanes.miles(o, h) > 100 and lanes.miles(h, d) > 100
    ]
    if not candidates:
        return None
    detour, zip_code, area = min(candidates, key=lambda c: c[0])
    if detour > MAX_DETOUR * lanes.miles(o, d):
        return None
    return area, zip_code


def lane_for(number: str, *, origin=("", "", ""), destination=("", "", "")) -> Lane:
    """The lane of a parcel: the places the shipment names, else ones the number picks."""
    origin_spot = _spot(*origin)
    if origin_spot is None:
        zip3, _, _ = _pick(number, "origin", [((z, c, s), s) for z, s, c in lanes.ORIGINS])
        area = lanes.BY_ZIP3[zip3]
        origin_spot = _area_spot(area, f"{zip3}{1 + int(draw(number, 'ozip') * 98):02d}")
    destination_spot = _spot(*destination)
    if destination_spot is None:
        area = _pick(number, "destination", [(p, p.weight) for p in lanes.PLACES])
        destination_spot = _area_spot(area, f"{area.zip3}{1 + int(draw(number, 'dzip') * 98):02d}")
    mail_class = mail_class_for(number)
    lane_zone = lanes.zone(origin_spot.place, destination_spot.place)
    table = lanes.STANDARD_DAYS.get(mail_class, lanes.STANDARD_DAYS[lanes.GA])
    standard = table[lane_zone] + SLOWER_THAN_GROUND.get(mail_class, 0)
    noise = _pick(number, "noise", NOISE.get(mail_class, DEFAULT_NOISE))
    return Lane(
        mail_class=mail_class,
        origin=origin_spot,
        hub=_hub(origin_spot, destination_spot),
        destination=destination_spot,
        zone=lane_zone,
        standard_days=standard,
        transit_days=max(1, standard + noise),
    )


class _Clock:
    """Local times on the lane's places, each drawn from the number."""

    def __init__(self, number: str):
        self.number = number

    def hours(self, salt: str, low: float, high: float) -> timedelta:
        return timedelta(hours=low + (high - low) * draw(self.number, salt))

    def on(self, day: date, spot: Spot, salt: str, low: float, high: float) -> datetime:
        """A time between `low` and `high` o'clock on `day`, local to `spot`."""
        local = datetime.combine(day, time(0), spot.zone) + self.hours(salt, low, high)
        return local.replace(microsecond=0)


def _business_day_on_or_after(day: date) -> date:
    return day if edd.is_business_day(day) else edd.next_business_day(day)


def _accepted(clock: _Clock, label: datetime, origin: Spot) -> datetime:
    """Handed over a few hours after the label, within the origin's business hours."""
    at = (label + clock.hours("accept", 1.5, 5)).astimezone(origin.zone)
    if edd.is_business_day(at.date()) and 8 <= at.hour < 19:
        return at
    day = at.date() if at.hour < 8 else at.date() + timedelta(days=1)
    return clock.on(_business_day_on_or_after(day), origin, "accept-day", 9, 17)


def _after(at: datetime, earliest: datetime, gap_hours: float = 0.5) -> datetime:
    return max(at, earliest + timedelta(hours=gap_hours))


def plan(number: str, *, start: datetime, lane: Lane) -> Plan:
    """Every moment of the parcel's journey, from its label made at `start`."""
    c = _Clock(number)
    o, h, d = lane.origin, lane.hub, lane.destination
    label = start.astimezone(o.zone).replace(microsecond=0) + c.hours("label", 0.1, 0.4)
    accepted = _accepted(c, label, o)
    day0 = edd.acceptance_day(accepted.replace(tzinfo=None), ACCEPTANCE_CUTOFF)
    processed = accepted + c.hours("processed", 2, 4)
    departed = processed + c.hours("departed", 1.5, 3)
    due = edd.add_business_days(day0, lane.transit_days)
    if lane.transit_days >= 2:
        arrived = c.on(due - timedelta(days=1), d, "arrived", 19, 23.5)
    else:
        arrived = c.on(due, d, "arrived", 2, 4.5)
    arrived = _after(arrived, departed, 3)
    hub_arrived = departed + (arrived - departed) * 0.4
    hub_departed = min(hub_arrived + c.hours("hub", 2, 6), arrived - timedelta(hours=1))
    post_office = _after(c.on(due, d, "post_office", 5, 6.75), arrived)
    out = _after(c.on(due, d, "out", 7.5, 9.5), post_office)
    latest = 17 if lane.mail_class == lanes.PME else 19
    attempted = _after(c.on(due, d, "attempted", 10, latest), out, 1)
    next_day = edd.next_business_day(due)
    return_day = edd.next_business_day(next_day) if attempted.hour >= 17 else next_day
    return_processed = c.on(return_day, d, "return_processed", 9, 12)
    returned_day = edd.add_business_days(return_day, lane.transit_days)
    returned_home = c.on(returned_day, o, "returned_home", 10, 17)
    not_updated = c.on(hub_departed.date() + timedelta(days=5), h, "not_updated", 10, 16)
    moments = {
        "label": label,
        "accepted": accepted,
        "processed": processed,
        "departed": departed,
        "hub_arrived": hub_arrived,
        "hub_departed": hub_departed,
        "arrived": arrived,
        "post_office": post_office,
        "out": out,
        "attempted": attempted,
        "out_again": c.on(next_day, d, "out_again", 7.5, 9.5),
        "redelivered": c.on(next_day, d, "redelivered", 10, 17),
        "available": attempted + c.hours("available", 0.5, 2),
        "picked_up": c.on(
            edd.add_business_days(due, 1 + int(draw(number, "pickup-day") * 2)),
            d,
            "picked_up",
            10,
            17,
        ),
        "return_processed": return_processed,
        "return_hub": return_processed + (returned_home - return_processed) * 0.5,
        "returned_home": returned_home,
        "not_updated": not_updated,
        "recovery": c.on(
            not_updated.date() + timedelta(days=6 + int(draw(number, "mrc") * 4)),
            h,
            "recovery",
            9,
            15,
        ),
    }
    spots = {"origin": o, "hub": h, "destination": d}
    events = [
        Planned(step, spots[step.place], moments[step.moment])
        for step in SCENARIOS[scenario_for(number)]
    ]
    expected = c.on(edd.add_business_days(day0, lane.standard_days), d, "expected", 12, 12)
    return Plan(lane=lane, events=events, expected=expected)
