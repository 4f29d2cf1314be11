"""Synthetic delivered USPS shipments on real-ish lanes: a deterministic generator.

SYNTHETIC DATA. Nothing here was measured from USPS. The generator stands in for a shipping
business's history so that the estimated-delivery model (tracking/edd/) can be backtested
and demo data can be seeded; its numbers are plausible, not true. What it assumes:

* Places: 57 real ZIP3 areas (city, state, approximate centre, IANA time zone), weighted as
  destinations by rough metro population; 6 of them are the shipper's warehouses (origins),
  each with its own, unpublished last-truck cutoff between 16:00 and 18:00 local (the model
  assumes 17:00, so pickups near the cutoff are sometimes counted on the wrong day, as in life).
* Zones from the great-circle distance between ZIP3 centres with USPS's mileage bands
  (1: ≤ 50 mi, 2: ≤ 150, 3: ≤ 300, 4: ≤ 600, 5: ≤ 1000, 6: ≤ 1400, 7: ≤ 1800, 8: beyond);
  Alaska and Hawaii are put in a zone "9" of their own.
* Service standards in business days per class and zone (`STANDARD_DAYS`): Priority Mail
  Express 1-2, Priority Mail 1-3, Ground Advantage 2-5, First-Class Mail 2-5. USPS's own
  expected date (`expected_delivery`) is the acceptance day plus that standard.
* Real transit = standard + a fixed lane bias (most lanes 0; some consistently a day faster or
  slower; rural and non-contiguous destinations slower more often) + per-parcel noise drawn
  from a per-class distribution (mostly on time, a tail of 1-2 day and rare 3-8 day delays)
  + peak season (Thanksgiving to Christmas Eve: more +1 days) + regional weather events
  (a few per year, 2-5 days long, adding 1-2 days to part of the parcels delivered into that
  ZIP region meanwhile). At least one day always.
* Calendar: tracking.edd's business days (Monday-Saturday, no federal holidays). Pickups fall
  mostly on weekdays, few on Saturday, almost none on Sunday or holidays, through the day
  (peak mid-afternoon, some in the evening after the cutoff); deliveries fall on business days
  between 09:00 and 20:00 local.
* Not modelled: Sunday/holiday Priority Mail Express delivery, parcels that are lost or
  returned, address errors, weight and size, volume trends, carrier-wide outages.

Deterministic: the same `seed` and arguments give the same shipments. The lane biases and
weather events depend on `seed` only, so a seed is one "world".
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from tracking import edd
from tracking.numbers import with_impb_check_digit


@dataclass(frozen=True)
class Place:
    zip3: str
    city: str
    state: str
    lat: float
    lon: float
    tz: str
    weight: float  # destination share, roughly metro population in millions
    rural: bool = False

    @property
    def noncontiguous(self) -> bool:
        return self.state in {"AK", "HI"}


_E, _C, _M, _P = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

PLACES: list[Place] = [
    Place("100", "NEW YORK", "NY", 40.71, -74.01, _E, 19.5),
    Place("088", "EDISON", "NJ", 40.52, -74.41, _E, 1.0),
    Place("021", "BOSTON", "MA", 42.36, -71.06, _E, 4.9),
    Place("191", "PHILADELPHIA", "PA", 39.95, -75.17, _E, 6.2),
    Place("200", "WASHINGTON", "DC", 38.91, -77.04, _E, 6.3),
    Place("212", "BALTIMORE", "MD", 39.29, -76.61, _E, 2.8),
    Place("152", "PITTSBURGH", "PA", 40.44, -80.00, _E, 2.4),
    Place("142", "BUFFALO", "NY", 42.89, -78.88, _E, 1.1),
    Place("041", "PORTLAND", "ME", 43.66, -70.26, _E, 0.55, rural=True),
    Place("054", "BURLINGTON", "VT", 44.48, -73.21, _E, 0.22, rural=True),
    Place("282", "CHARLOTTE", "NC", 35.23, -80.84, _E, 2.7),
    Place("276", "RALEIGH", "NC", 35.78, -78.64, _E, 1.4),
    Place("232", "RICHMOND", "VA", 37.54, -77.44, _E, 1.3),
    Place("303", "ATLANTA", "GA", 33.75, -84.39, _E, 6.1),
    Place("331", "MIAMI", "FL", 25.76, -80.19, _E, 6.1),
    Place("328", "ORLANDO", "FL", 28.54, -81.38, _E, 2.7),
    Place("336", "TAMPA", "FL", 27.95, -82.46, _E, 3.2),
    Place("322", "JACKSONVILLE", "FL", 30.33, -81.66, _E, 1.6),
    Place("372", "NASHVILLE", "TN", 36.16, -86.78, _C, 2.0),
    Place("381", "MEMPHIS", "TN", 35.15, -90.05, _C, 1.3),
    Place("352", "BIRMINGHAM", "AL", 33.52, -86.80, _C, 1.1),
    Place("402", "LOUISVILLE", "KY", 38.25, -85.76, _E, 1.3),
    Place("701", "NEW ORLEANS", "LA", 29.95, -90.07, _C, 1.3),
    Place("722", "LITTLE ROCK", "AR", 34.75, -92.29, _C, 0.75),
    Place("432", "COLUMBUS", "OH", 39.96, -83.00, _E, 2.1),
    Place("441", "CLEVELAND", "OH", 41.50, -81.69, _E, 2.1),
    Place("452", "CINCINNATI", "OH", 39.10, -84.51, _E, 2.3),
    Place("462", "INDIANAPOLIS", "IN", 39.77, -86.16, _E, 2.1),
    Place("482", "DETROIT", "MI", 42.33, -83.05, _E, 4.3),
    Place("532", "MILWAUKEE", "WI", 43.04, -87.91, _C, 1.6),
    Place("554", "MINNEAPOLIS", "MN", 44.98, -93.27, _C, 3.7),
    Place("606", "CHICAGO", "IL", 41.88, -87.63, _C, 9.5),
    Place("631", "SAINT LOUIS", "MO", 38.63, -90.20, _C, 2.8),
    Place("641", "KANSAS CITY", "MO", 39.10, -94.58, _C, 2.2),
    Place("681", "OMAHA", "NE", 41.26, -95.93, _C, 1.0),
    Place("577", "RAPID CITY", "SD", 44.08, -103.23, _M, 0.15, rural=True),
    Place("591", "BILLINGS", "MT", 45.78, -108.50, _M, 0.2, rural=True),
    Place("731", "OKLAHOMA CITY", "OK", 35.47, -97.52, _C, 1.4),
    Place("752", "DALLAS", "TX", 32.78, -96.80, _C, 7.6),
    Place("770", "HOUSTON", "TX", 29.76, -95.37, _C, 7.1),
    Place("782", "SAN ANTONIO", "TX", 29.42, -98.49, _C, 2.6),
    Place("787", "AUSTIN", "TX", 30.27, -97.74, _C, 2.3),
    Place("802", "DENVER", "CO", 39.74, -104.99, _M, 2.9),
    Place("841", "SALT LAKE CITY", "UT", 40.76, -111.89, _M, 1.3),
    Place("850", "PHOENIX", "AZ", 33.45, -112.07, "America/Phoenix", 4.9),
    Place("871", "ALBUQUERQUE", "NM", 35.08, -106.65, _M, 0.9),
    Place("891", "LAS VEGAS", "NV", 36.17, -115.14, _P, 2.3),
    Place("837", "BOISE", "ID", 43.62, -116.20, _M, 0.8, rural=True),
    Place("900", "LOS ANGELES", "CA", 34.05, -118.24, _P, 13.0),
    Place("921", "SAN DIEGO", "CA", 32.72, -117.16, _P, 3.3),
    Place("941", "SAN FRANCISCO", "CA", 37.77, -122.42, _P, 4.7),
    Place("958", "SACRAMENTO", "CA", 38.58, -121.49, _P, 2.4),
    Place("972", "PORTLAND", "OR", 45.52, -122.68, _P, 2.5),
    Place("981", "SEATTLE", "WA", 47.61, -122.33, _P, 4.0),
    Place("992", "SPOKANE", "WA", 47.66, -117.43, _P, 0.6, rural=True),
    Place("995", "ANCHORAGE", "AK", 61.22, -149.90, "America/Anchorage", 0.4),
    Place("968", "HONOLULU", "HI", 21.31, -157.86, "Pacific/Honolulu", 1.0),
]
BY_ZIP3 = {p.zip3: p for p in PLACES}

# The shipper's warehouses: (ZIP3, share of volume, last-truck cutoff, local).
ORIGINS: list[tuple[str, float, time]] = [
    ("088", 0.24, time(18, 0)),
    ("606", 0.20, time(17, 30)),
    ("900", 0.18, time(16, 0)),
    ("303", 0.14, time(17, 0)),
    ("752", 0.14, time(16, 30)),
    ("981", 0.10, time(17, 0)),
]

PME = "Priority Mail Express"
PM = "Priority Mail"
GA = "USPS Ground Advantage"
FCM = "First-Class Mail"
CLASS_SHARES = [(PM, 0.40), (GA, 0.40), (FCM, 0.13), (PME, 0.07)]
# Business days by zone 1..9 (index 0 unused).
STANDARD_DAYS = {
    PME: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2],
    PM: [0, 1, 1, 2, 2, 2, 3, 3, 3, 3],
    GA: [0, 2, 2, 3, 3, 4, 4, 5, 5, 5],
    FCM: [0, 2, 2, 3, 3, 4, 4, 5, 5, 5],
}
# Per-parcel deviation from the lane's usual transit, in business days: (days, probability).
NOISE = {
    PME: [(0, 0.90), (1, 0.07), (2, 0.02), (3, 0.01)],
    PM: [(-1, 0.05), (0, 0.75), (1, 0.14), (2, 0.04), (3, 0.01), (5, 0.01)],
    GA: [(-1, 0.08), (0, 0.66), (1, 0.18), (2, 0.05), (3, 0.02), (6, 0.01)],
    FCM: [(-1, 0.05), (0, 0.65), (1, 0.20), (2, 0.06), (3, 0.02), (8, 0.02)],
}
PEAK_EXTRA_DAY = {PME: 0.05, PM: 0.15, GA: 0.22, FCM: 0.22}
WEEKDAY_SHARE = [0.19, 0.18, 0.18, 0.18, 0.17, 0.09, 0.01]  # Monday .. Sunday
# Local hour → relative share, from 08:00 and from 09:00.
PICKUP_HOUR_SHARE = dict(zip(range(8, 21), (2, 4, 6, 7, 8, 9, 11, 12, 12, 9, 8, 6, 3), strict=True))
DELIVERY_HOUR_SHARE = dict(zip(range(9, 20), (3, 8, 12, 13, 13, 12, 11, 10, 8, 5, 3), strict=True))
IMPB_PREFIX = {PME: "9470111", PM: "9405511", GA: "9400111", FCM: "9400111"}


def miles(a: Place, b: Place) -> float:
    """Great-circle distance between two ZIP3 centres."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 3958.8 * 2 * math.asin(math.sqrt(h))


def zone(a: Place, b: Place) -> int:
    if a.noncontiguous or b.noncontiguous:
        return 9 if a.state != b.state else 1
    distance = miles(a, b)
    for number, limit in enumerate((50, 150, 300, 600, 1000, 1400, 1800), start=1):
        if distance <= limit:
            return number
    return 8


def thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def in_peak(day: date) -> bool:
    return thanksgiving(day.year) < day <= date(day.year, 12, 24)


@dataclass(frozen=True)
class WeatherEvent:
    region: str  # first ZIP digit of the destinations it slows
    start: date
    end: date  # inclusive
    extra_days: int
    hit_share: float


@dataclass(frozen=True)
class SyntheticShipment:
    tracking_number: str
    mail_class: str
    origin: Place
    origin_zip: str
    destination: Place
    destination_zip: str
    zone: int
    accepted_at: datetime  # aware, origin local time
    delivered_at: datetime  # aware, destination local time
    expected_delivery: date  # USPS's own date: acceptance day + service standard
    standard_days: int
    transit_days: int  # business days actually taken, from the true acceptance day
    delay: str  # "", "noise", "lane", "peak", "weather" (the largest cause)

    @cached_property
    def pickup_offset_minutes(self) -> int:
        return int(self.accepted_at.utcoffset().total_seconds() // 60)

    @cached_property
    def delivery_offset_minutes(self) -> int:
        return int(self.delivered_at.utcoffset().total_seconds() // 60)

    def shipment_fields(self) -> dict:
        """The Shipment fields a tracked, delivered copy of this parcel would have."""
        return {
            "tracking_number": self.tracking_number,
            "mail_class": self.mail_class,
            "origin_city": self.origin.city,
            "origin_state": self.origin.state,
            "origin_postal_code": self.origin_zip,
            "origin_country_iso3": "USA",
            "destination_city": self.destination.city,
            "destination_state": self.destination.state,
            "destination_postal_code": self.destination_zip,
            "destination_zip": self.destination_zip,
            "destination_country_iso3": "USA",
            "shipment_pickup_date": self.accepted_at.astimezone(UTC),
            "shipment_delivery_date": self.delivered_at.astimezone(UTC),
            "shipment_delivery_offset": self.delivery_offset_minutes,
            "expected_delivery": self.expected_delivery,
        }

    def record(self) -> edd.TransitRecord:
        """What the EDD model learns from, built as the service builds it from a Shipment."""
        return edd.transit_record(
            origin_postal_code=self.origin_zip,
            destination_postal_code=self.destination_zip,
            mail_class=self.mail_class,
            picked_up_at=self.accepted_at.astimezone(UTC),
            pickup_offset_minutes=self.pickup_offset_minutes,
            delivered_at=self.delivered_at.astimezone(UTC),
            delivery_offset_minutes=self.delivery_offset_minutes,
        )


def _pick(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class LaneWorld:
    """Lane biases and weather of one seed; `shipment()` draws one delivered parcel."""

    def __init__(self, seed: int, start: date, end: date):
        self.seed = seed
        self.start = start
        self.end = end
        self._bias: dict[tuple[str, str, str], int] = {}
        rng = random.Random(f"weather:{seed}")
        self.weather: list[WeatherEvent] = []
        span = (end - start).days + 30
        for _ in range(max(1, round(span / 45))):
            begin = start + timedelta(days=rng.randrange(span))
            self.weather.append(
                WeatherEvent(
                    region=str(rng.randrange(10)),
                    start=begin,
                    end=begin + timedelta(days=rng.randint(1, 4)),
                    extra_days=rng.choice((1, 1, 2)),
                    hit_share=rng.uniform(0.3, 0.7),
                )
            )

    def lane_bias(self, origin: Place, destination: Place, mail_class: str) -> int:
        key = (origin.zip3, destination.zip3, mail_class)
        if key not in self._bias:
            rng = random.Random(f"lane:{self.seed}:{':'.join(key)}")
            draw = rng.random()
            if destination.noncontiguous and origin.state != destination.state:
                bias = 2 if draw < 0.1 else 1 if draw < 0.4 else 0
            elif destination.rural:
                bias = 1 if draw < 0.35 else 0
            else:
                bias = 1 if draw < 0.12 else -1 if draw > 0.90 else 0
            self._bias[key] = bias
        return self._bias[key]

    def shipment(self, rng: random.Random, index: int) -> SyntheticShipment:
        mail_class = _pick(rng, CLASS_SHARES)
        origin_zip3, _, cutoff = _pick(rng, [((o, s, c), s) for o, s, c in ORIGINS])
        origin = BY_ZIP3[origin_zip3]
        destination = _pick(rng, [(p, p.weight) for p in PLACES])
        lane_zone = zone(origin, destination)
        accepted_at = self._pickup(rng, origin)
        start = edd.acceptance_day(accepted_at, cutoff)
        standard = STANDARD_DAYS[mail_class][lane_zone]

        bias = self.lane_bias(origin, destination, mail_class)
        noise = _pick(rng, NOISE[mail_class])
        transit = max(1, standard + bias + noise)
        causes = {"lane": bias, "noise": noise}
        nominal = edd.add_business_days(start, transit)
        if in_peak(nominal) and rng.random() < PEAK_EXTRA_DAY[mail_class]:
            transit += 1
            causes["peak"] = 1
        for event in self.weather:
            if (
                event.region == destination.zip3[0]
                and event.start <= nominal <= event.end
                and rng.random() < event.hit_share
            ):
                transit += event.extra_days
                causes["weather"] = event.extra_days
                break
        cause = max(causes, key=causes.get)
        delay = cause if transit > standard and causes[cause] > 0 else ""

        delivered_on = edd.add_business_days(start, transit)
        hour = _pick(rng, DELIVERY_HOUR_SHARE.items())
        if mail_class == PME:
            hour = min(hour, 17)
        delivered_at = datetime.combine(
            delivered_on, time(hour, rng.randrange(60), rng.randrange(60)), ZoneInfo(destination.tz)
        )
        serial = f"{self.seed % 1000:03d}{index:011d}"
        return SyntheticShipment(
            tracking_number=with_impb_check_digit(IMPB_PREFIX[mail_class] + serial),
            mail_class=mail_class,
            origin=origin,
            origin_zip=f"{origin.zip3}{rng.randrange(1, 100):02d}",
            destination=destination,
            destination_zip=f"{destination.zip3}{rng.randrange(1, 100):02d}",
            zone=lane_zone,
            accepted_at=accepted_at,
            delivered_at=delivered_at,
            expected_delivery=edd.add_business_days(start, standard),
            standard_days=standard,
            transit_days=transit,
            delay=delay,
        )

    def _pickup(self, rng: random.Random, origin: Place) -> datetime:
        days = (self.end - self.start).days + 1
        while True:
            day = self.start + timedelta(days=rng.randrange(days))
            share = WEEKDAY_SHARE[day.weekday()] / max(WEEKDAY_SHARE)
            if day in edd.holidays(day.year):
                share *= 0.1
            if rng.random() < share:
                break
        hour = _pick(rng, PICKUP_HOUR_SHARE.items())
        clock = time(hour, rng.randrange(60), rng.randrange(60))
        return datetime.combine(day, clock, ZoneInfo(origin.tz))


def generate(
    count: int = 20_000,
    *,
    seed: int = 0,
    start: date = date(2025, 1, 1),
    end: date = date(2025, 12, 31),
) -> list[SyntheticShipment]:
    """`count` delivered shipments picked up between `start` and `end`, oldest first."""
    world = LaneWorld(seed, start, end)
    rng = random.Random(f"parcels:{seed}")
    shipments = [world.shipment(rng, i) for i in range(count)]
    shipments.sort(key=lambda s: s.accepted_at)
    return shipments
