"""Estimated delivery dates learnt from delivered shipments (pure: no database, no clock).

The model
---------
* Transit is counted in **USPS business days** from the acceptance day to the delivery day.
  A business day is any day but Sunday and US federal holidays (including the day a federal
  holiday is observed: the Friday before a Saturday holiday, the Monday after a Sunday one).
  Saturdays count: USPS delivers Monday to Saturday. This is one calendar for every class, a
  simplification: Priority Mail Express also delivers on some Sundays and holidays.
* The **acceptance day** is the pickup (acceptance scan) day if that is a business day and the
  pickup is not after the cutoff; otherwise the next business day. The cutoff is 17:00 local
  by default (accepted at 17:00:00 counts that day, at 17:00:01 the next); an origin ZIP3 with
  enough history gets its own, learnt: the half hour between 14:00 and 19:30 that makes its
  lanes' transit times most regular (post offices' last trucks leave at different times).
* History is kept as a histogram of transit days per key, at five levels, most specific first
  (`LEVELS`): the lane (origin ZIP3 → destination ZIP3, mail class); the region (origin ZIP3 →
  destination ZIP first digit, same class); the lane whatever the class; the class; everything.
  The first level with at least `min_samples` (20) shipments answers; a more specific level
  with fewer is *topped up* to `min_samples` with the shape of the level that answers (a lane
  with 5 deliveries weighs 5/20, its region the other 15/20). The region comes before the
  class-less lane because the class moves transit more than the last two ZIP digits do
  (Ground Advantage takes about two days longer than Priority Mail on the same lane). On
  synthetic history (seeds other than the bench's) the other order gave 2-3 points fewer
  exact likely dates, and a hard fallback without the top-up about 7 points fewer.
* Earliest / likely / latest are the 5th, 50th and 95th percentiles (nearest rank) of that
  distribution, added to the acceptance day in business days.
* With too little history (no level reaching `min_samples`) the carrier's own expected date
  (USPS `expectedDeliveryDate`) is used as all three dates; with neither, there is no
  estimate (None).
* Confidence is a 0-100 score that grows with every delivered shipment behind the answer (a
  lane's own history most, then its region's, ...) and with the narrowness of the range, and
  an AfterShip-style `confidence_code` follows from it (10000/10001 high, 20001 range high and
  single date medium, 30001 volatile transit, 30002 not enough qualified data, 30004 address
  not precise enough).

Predict-batch (`predict_batch`) takes AfterShip 2024-04 `estimated_delivery_dates` items and
answers the same items with `estimated_pickup.pickup_time` and the three dates filled in; a bad
item raises `EddInputError` whose `field` names the offending field.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

CUTOFF = time(17, 0)
QUANTILES = (0.05, 0.50, 0.95)
MIN_SAMPLES = 20
MAX_TRANSIT_DAYS = 60  # longer than this is a data error (or a lost parcel), never learnt
CUTOFF_CANDIDATES = tuple(time(h, m) for h in range(14, 20) for m in (0, 30))
CUTOFF_MIN_RECORDS = 200
LEVELS = ("lane", "region", "lane_any_class", "class", "global")
# How much each level's history adds to the confidence (they sum to 1), and the score of a
# carrier-date fallback.
CONFIDENCE_WEIGHTS = {
    "lane": 0.5,
    "region": 0.2,
    "lane_any_class": 0.1,
    "class": 0.1,
    "global": 0.1,
}
CARRIER_CONFIDENCE = 30
# AfterShip's confidence codes (enum "Confidence Codes").
CODE_HIGHEST = 10000
CODE_HIGH = 10001
CODE_RANGE_HIGH = 20001
CODE_VOLATILE = 30001
CODE_FEW_DATA = 30002
CODE_IMPRECISE_ADDRESS = 30004

DEFAULT_TZ = "America/Chicago"  # central: within two hours of every contiguous-US zone

# ---------------------------------------------------------------------------------------------
# Calendar


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 for the last) given weekday (Mon=0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _federal_holidays_of(year: int) -> list[date]:
    days = [
        date(year, 1, 1),  # New Year's Day
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        date(year, 7, 4),  # Independence Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        date(year, 11, 11),  # Veterans Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
        date(year, 12, 25),  # Christmas Day
    ]
    if year >= 2021:
        days.append(date(year, 6, 19))  # Juneteenth
    return days


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[date]:
    """Non-business days of `year` from federal holidays: the date and its observed day."""
    out = set()
    for y in (year - 1, year, year + 1):
        for day in _federal_holidays_of(y):
            out.add(day)
            if day.weekday() == 5:
                out.add(day - timedelta(days=1))
            elif day.weekday() == 6:
                out.add(day + timedelta(days=1))
    return frozenset(d for d in out if d.year == year)


def is_business_day(day: date) -> bool:
    return day.weekday() != 6 and day not in holidays(day.year)


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(start: date, days: int) -> date:
    """`start` moved forward by `days` business days (0 gives `start` back)."""
    for _ in range(days):
        start = next_business_day(start)
    return start


def business_days_between(start: date, end: date) -> int:
    """Business days in (start, end]; negative when `end` is before `start`."""
    if end < start:
        return -business_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_business_day(day)
    return count


def acceptance_day(when: datetime, cutoff: time = CUTOFF) -> date:
    """The business day transit counts from, for a pickup at local wall time `when`."""
    day = when.date()
    if is_business_day(day) and when.time().replace(tzinfo=None) <= cutoff:
        return day
    return next_business_day(day)


# ---------------------------------------------------------------------------------------------
# Places and classes

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
_ZIP_RE = re.compile(r"^\d{5}(?:-?\d{4})?$")


def zip3(postal_code: str | None) -> str | None:
    """The first three digits of a US ZIP code, or None when it is not one."""
    code = (postal_code or "").strip()
    if not _ZIP_RE.match(code):
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


# ---------------------------------------------------------------------------------------------
# History and model


@dataclass(frozen=True)
class TransitRecord:
    """One delivered shipment, as the model learns from it.

    `accepted_at` is the pickup in the origin's local wall time (aware or naive: only its
    date and clock are read); `delivered_on` is the delivery date at the destination.
    """

    origin_zip: str
    destination_zip: str
    mail_class: str | None
    accepted_at: datetime
    delivered_on: date


def local_time(
    when: datetime, offset_minutes: int | None = None, postal_code: str | None = None
) -> datetime:
    """An aware datetime in the event's own offset, else the ZIP's zone, else DEFAULT_TZ."""
    if when.tzinfo is None:
        return when
    if offset_minutes is not None:
        return when.astimezone(dt_timezone(timedelta(minutes=offset_minutes)))
    return when.astimezone(zip_timezone(postal_code) or ZoneInfo(DEFAULT_TZ))


def transit_record(
    *,
    origin_postal_code: str,
    destination_postal_code: str,
    mail_class: str | None,
    picked_up_at: datetime,
    delivered_at: datetime,
    pickup_offset_minutes: int | None = None,
    delivery_offset_minutes: int | None = None,
) -> TransitRecord:
    """A record from a shipment's stored fields (aware UTC datetimes plus local offsets)."""
    return TransitRecord(
        origin_zip=origin_postal_code,
        destination_zip=destination_postal_code,
        mail_class=mail_class,
        accepted_at=local_time(picked_up_at, pickup_offset_minutes, origin_postal_code),
        delivered_on=local_time(
            delivered_at, delivery_offset_minutes, destination_postal_code
        ).date(),
    )


def level_keys(
    origin_zip3: str | None,
    destination_zip3: str | None,
    mail_class: str | None,
    levels: tuple[str, ...] = LEVELS,
) -> list[tuple[str, str, str, str]]:
    """(level, origin, destination, class) keys a shipment belongs to, most specific first."""
    o, d, c = origin_zip3 or "", destination_zip3 or "", mail_class or ""
    candidates = {
        "lane": (o and d and c) and ("lane", o, d, c),
        "region": (o and d and c) and ("region", o, d[0], c),
        "lane_any_class": (o and d) and ("lane_any_class", o, d, ""),
        "class": c and ("class", "", "", c),
        "global": ("global", "", "", ""),
    }
    return [candidates[level] for level in levels if candidates[level]]


def hist_quantile(hist: Mapping[int, float], q: float) -> int:
    """Nearest-rank quantile of a histogram {value: weight}: the smallest value whose
    cumulative weight reaches q of the total."""
    total = sum(hist.values())
    if total <= 0:
        raise ValueError("empty histogram")
    seen = 0.0
    for value in sorted(v for v, w in hist.items() if w > 0):
        seen += hist[value]
        if seen >= q * total - 1e-9:
            return value
    return max(v for v, w in hist.items() if w > 0)


def _abs_deviation(values: list[int]) -> int:
    values = sorted(values)
    middle = values[(len(values) - 1) // 2]
    return sum(abs(v - middle) for v in values)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def learn_cutoffs(records: Iterable[TransitRecord], *, default: time = CUTOFF) -> dict[str, time]:
    """Each origin ZIP3's acceptance cutoff: the candidate that makes its lanes most regular.

    For origins with at least CUTOFF_MIN_RECORDS shipments, every candidate (14:00-19:30 by
    half hours) is tried; the one with the smallest total absolute deviation of transit days
    from each lane's median wins, ties going to the one nearest `default`.
    """
    by_origin: dict[str, list[TransitRecord]] = {}
    for record in records:
        origin = zip3(record.origin_zip)
        if origin:
            by_origin.setdefault(origin, []).append(record)
    cutoffs = {}
    candidates = sorted(CUTOFF_CANDIDATES, key=lambda c: abs(_minutes(c) - _minutes(default)))
    for origin, rows in by_origin.items():
        if len(rows) < CUTOFF_MIN_RECORDS:
            continue
        prepared = []
        for r in rows:
            day = r.accepted_at.date()
            same = business_days_between(day, r.delivered_on) if is_business_day(day) else None
            later = business_days_between(next_business_day(day), r.delivered_on)
            lane = (zip3(r.destination_zip), normalize_mail_class(r.mail_class))
            prepared.append((r.accepted_at.time().replace(tzinfo=None), same, later, lane))
        best: tuple[int, time] | None = None
        for candidate in candidates:
            lanes: dict[tuple, list[int]] = {}
            for clock, same, later, lane in prepared:
                transit = same if same is not None and clock <= candidate else later
                if 0 <= transit <= MAX_TRANSIT_DAYS:
                    lanes.setdefault(lane, []).append(transit)
            cost = sum(_abs_deviation(v) for v in lanes.values())
            if best is None or cost < best[0]:
                best = (cost, candidate)
        cutoffs[origin] = best[1]
    return cutoffs


@dataclass(frozen=True)
class Distribution:
    """Transit-day weights for one query and how much each level contributed."""

    weights: dict[int, float]
    shares: dict[str, float]  # level → its share of the weights (levels that contributed)
    samples: dict[str, int]  # level → its sample count (every level with history)

    @property
    def level(self) -> str:
        return max(self.shares, key=lambda level: (self.shares[level], -LEVELS.index(level)))


@dataclass
class EddModel:
    """Transit-day histograms per (level, origin, destination, class) key."""

    histograms: dict[tuple[str, str, str, str], Counter] = field(default_factory=dict)
    cutoffs: dict[str, time] = field(default_factory=dict)  # origin ZIP3 → learnt cutoff
    min_samples: int = MIN_SAMPLES
    cutoff: time = CUTOFF
    quantiles: tuple[float, float, float] = QUANTILES
    levels: tuple[str, ...] = LEVELS
    learnt: int = 0
    skipped: int = 0

    @classmethod
    def learn(
        cls, records: Iterable[TransitRecord], *, learn_cutoff: bool = True, **options
    ) -> EddModel:
        records = list(records)
        model = cls(**options)
        if learn_cutoff:
            model.cutoffs = learn_cutoffs(records, default=model.cutoff)
        for record in records:
            model.add(record)
        return model

    def cutoff_for(self, origin_zip: str | None) -> time:
        return self.cutoffs.get(zip3(origin_zip) or "", self.cutoff)

    def add(self, record: TransitRecord) -> bool:
        """Count one delivered shipment; False (and skipped) when it cannot be used."""
        start = acceptance_day(record.accepted_at, self.cutoff_for(record.origin_zip))
        transit = business_days_between(start, record.delivered_on)
        if not 0 <= transit <= MAX_TRANSIT_DAYS:
            self.skipped += 1
            return False
        keys = level_keys(
            zip3(record.origin_zip),
            zip3(record.destination_zip),
            normalize_mail_class(record.mail_class),
        )
        for key in keys:
            self.histograms.setdefault(key, Counter())[transit] += 1
        self.learnt += 1
        return True

    def distribution(
        self, origin_zip: str | None, destination_zip: str | None, mail_class: str | None
    ) -> Distribution | None:
        """The transit distribution for a query, None when no level has `min_samples`.

        The first level (most specific first) with `min_samples` answers; a more specific
        level with fewer samples is topped up to `min_samples` with the shape of the level
        below it, so a young lane already counts without being trusted alone.
        """
        keys = level_keys(
            zip3(origin_zip), zip3(destination_zip), normalize_mail_class(mail_class), self.levels
        )
        chain = [(key[0], self.histograms[key]) for key in keys if self.histograms.get(key)]
        end = next((i for i, (_, h) in enumerate(chain) if h.total() >= self.min_samples), None)
        if end is None:
            return None
        level, hist = chain[end]
        weights = {t: n / hist.total() for t, n in hist.items()}
        shares = {level: 1.0}
        for level, hist in reversed(chain[:end]):
            n = hist.total()
            k = self.min_samples - n
            weights = {
                t: (hist.get(t, 0) + k * weights.get(t, 0.0)) / (n + k)
                for t in set(weights) | set(hist)
            }
            shares = {lv: s * k / (n + k) for lv, s in shares.items()} | {level: n / (n + k)}
        return Distribution(weights, shares, {lv: h.total() for lv, h in chain})

    def to_dict(self) -> dict:
        """A JSON-able snapshot (for a cache or a snapshot table); see from_dict."""
        return {
            "version": 1,
            "min_samples": self.min_samples,
            "cutoff": self.cutoff.strftime("%H:%M"),
            "quantiles": list(self.quantiles),
            "levels": list(self.levels),
            "learnt": self.learnt,
            "skipped": self.skipped,
            "cutoffs": {o: c.strftime("%H:%M") for o, c in sorted(self.cutoffs.items())},
            "histograms": [
                [list(key), {str(t): n for t, n in sorted(hist.items())}]
                for key, hist in sorted(self.histograms.items())
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> EddModel:
        def clock(text: str) -> time:
            return datetime.strptime(text, "%H:%M").time()

        return cls(
            histograms={
                tuple(key): Counter({int(t): n for t, n in hist.items()})
                for key, hist in data["histograms"]
            },
            cutoffs={o: clock(c) for o, c in data["cutoffs"].items()},
            min_samples=data["min_samples"],
            cutoff=clock(data["cutoff"]),
            quantiles=tuple(data["quantiles"]),
            levels=tuple(data["levels"]),
            learnt=data["learnt"],
            skipped=data["skipped"],
        )


@dataclass(frozen=True)
class Estimate:
    estimated_delivery_date: date
    estimated_delivery_date_min: date
    estimated_delivery_date_max: date
    confidence: int  # 0-100
    confidence_code: int  # AfterShip-style
    level: str  # a LEVELS entry, or "carrier"
    samples: int
    accepted_on: date | None = None
    transit_days: tuple[int, int, int] | None = None  # business days: min, likely, max

    def as_aftership(self) -> dict:
        """AfterShip's `aftership_estimated_delivery_date` object."""
        return {
            "confidence_code": self.confidence_code,
            "estimated_delivery_date": self.estimated_delivery_date.isoformat(),
            "estimated_delivery_date_min": self.estimated_delivery_date_min.isoformat(),
            "estimated_delivery_date_max": self.estimated_delivery_date_max.isoformat(),
        }


def confidence_score(dist: Distribution, *, spread: int) -> int:
    """0-100: the history behind a query, weighted by level, and the range's narrowness.

    Each level the query has history at adds CONFIDENCE_WEIGHTS[level] x n / (n + 10), so any
    extra delivered shipment raises it, a lane's own history most; the sum is multiplied by
    1 / (1 + 0.15 x spread), spread being (latest - earliest) in business days.
    """
    history = sum(CONFIDENCE_WEIGHTS[level] * n / (n + 10) for level, n in dist.samples.items())
    return round(100 * history / (1 + 0.15 * max(spread, 0)))


def confidence_code(
    *, score: int, level: str, exact_share: float, spread: int, address_precise: bool
) -> int:
    """AfterShip's confidence code for an estimate (see the module docstring)."""
    if level == "carrier":
        return CODE_FEW_DATA
    if not address_precise and level in {"class", "global"}:
        return CODE_IMPRECISE_ADDRESS
    if score >= 80 and exact_share >= 0.8:
        return CODE_HIGHEST
    if score >= 70:
        return CODE_HIGH
    if score >= 50:
        return CODE_RANGE_HIGH
    if spread >= 3:
        return CODE_VOLATILE
    return CODE_FEW_DATA


def estimate(
    model: EddModel | None,
    *,
    origin_zip: str | None,
    destination_zip: str | None,
    mail_class: str | None,
    accepted_at: datetime | None,
    expected_delivery: date | None = None,
    not_before: date | None = None,
) -> Estimate | None:
    """Earliest / likely / latest delivery for a parcel picked up at local time `accepted_at`.

    `mail_class` may be a raw USPS name or a normalized key. `not_before` (e.g. today, for a
    shipment not delivered yet) drops the history that would already have arrived and keeps
    every date on or after it.
    """
    dist = None
    if model is not None and accepted_at is not None:
        dist = model.distribution(origin_zip, destination_zip, mail_class)
    if dist is None:
        return _carrier_estimate(expected_delivery, not_before)
    level = dist.level
    weights = dist.weights
    start = acceptance_day(accepted_at, model.cutoff_for(origin_zip))
    if not_before is not None and not_before > start:
        elapsed = business_days_between(start, not_before)
        if not is_business_day(not_before):
            elapsed += 1
        weights = {t: w for t, w in weights.items() if t >= elapsed and w > 0}
        if not weights:
            day = not_before if is_business_day(not_before) else next_business_day(not_before)
            return Estimate(day, day, day, 10, CODE_VOLATILE, level, 0, start, None)
    q_min, q_likely, q_max = (hist_quantile(weights, q) for q in model.quantiles)
    score = confidence_score(dist, spread=q_max - q_min)
    code = confidence_code(
        score=score,
        level=level,
        exact_share=weights[q_likely] / sum(weights.values()),
        spread=q_max - q_min,
        address_precise=zip3(origin_zip) is not None and zip3(destination_zip) is not None,
    )
    return Estimate(
        estimated_delivery_date=add_business_days(start, q_likely),
        estimated_delivery_date_min=add_business_days(start, q_min),
        estimated_delivery_date_max=add_business_days(start, q_max),
        confidence=score,
        confidence_code=code,
        level=level,
        samples=dist.samples[level],
        accepted_on=start,
        transit_days=(q_min, q_likely, q_max),
    )


def _carrier_estimate(expected: date | None, not_before: date | None) -> Estimate | None:
    if expected is None:
        return None
    if not_before is not None and expected < not_before:
        expected = not_before if is_business_day(not_before) else next_business_day(not_before)
    return Estimate(expected, expected, expected, CARRIER_CONFIDENCE, CODE_FEW_DATA, "carrier", 0)


def estimate_shipment(
    model: EddModel | None,
    *,
    origin_postal_code: str,
    destination_postal_code: str,
    mail_class: str | None,
    picked_up_at: datetime | None,
    pickup_offset_minutes: int | None,
    created_at: datetime | None,
    expected_delivery: date | None,
    now: datetime,
    delivered: bool = False,
) -> Estimate | None:
    """The estimate for a tracked shipment, from its stored fields (aware datetimes).

    Transit counts from the pickup; before pickup, from the later of its creation and `now`
    (it cannot be accepted in the past). Until delivered, no date falls before today.
    """
    if picked_up_at is not None:
        accepted = local_time(picked_up_at, pickup_offset_minutes, origin_postal_code)
    elif created_at is not None:
        accepted = local_time(max(created_at, now), None, origin_postal_code)
    else:
        accepted = None
    today = None if delivered else local_time(now, None, destination_postal_code).date()
    return estimate(
        model,
        origin_zip=origin_postal_code,
        destination_zip=destination_postal_code,
        mail_class=mail_class,
        accepted_at=accepted,
        expected_delivery=expected_delivery,
        not_before=today,
    )


# ---------------------------------------------------------------------------------------------
# Predict-batch (AfterShip 2024-04 POST /estimated-delivery-date/predict-batch)

MAX_BATCH = 5
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TIME_FORMAT = "%H:%M:%S"
DEFAULT_BUSINESS_DAYS = [1, 2, 3, 4, 5]
MAX_PROCESSING_DAYS = 30
MIN_YEAR, MAX_YEAR = 2000, 2100
ADDRESS_KEYS = ("country", "state", "city", "postal_code", "raw_location")
WEIGHT_UNITS = {"kg", "lb", "g", "oz"}


class EddInputError(ValueError):
    """A predict-batch item that cannot be read; `field` names the culprit (dotted path)."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"Invalid {field or 'item'}: {reason}")

    def within(self, prefix: str) -> EddInputError:
        """The same error for an item nested under `prefix` ("" names the item itself)."""
        return EddInputError(f"{prefix}.{self.field}" if self.field else prefix, self.reason)


@dataclass(frozen=True)
class PickupPlan:
    order_time: datetime
    order_cutoff_time: time
    business_days: list[int]
    processing_days: int


@dataclass(frozen=True)
class PredictRequest:
    item: dict  # the item as sent, defaults not filled
    slug: str
    mail_class: str | None
    origin_address: dict
    destination_address: dict
    pickup_time: datetime | None
    estimated_pickup: PickupPlan | None


def _datetime(value, name: str) -> datetime:
    if not isinstance(value, str):
        raise EddInputError(name, "must be a string formatted YYYY-MM-DD HH:MM:SS.")
    try:
        parsed = datetime.strptime(value, DATETIME_FORMAT)
    except ValueError:
        raise EddInputError(name, "must be formatted YYYY-MM-DD HH:MM:SS.") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise EddInputError(name, f"must be in the years {MIN_YEAR} to {MAX_YEAR}.")
    return parsed


def _time(value, name: str) -> time:
    if not isinstance(value, str):
        raise EddInputError(name, "must be a string formatted HH:MM:SS.")
    try:
        return datetime.strptime(value, TIME_FORMAT).time()
    except ValueError:
        raise EddInputError(name, "must be formatted HH:MM:SS.") from None


def _address(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise EddInputError(name, "is required and must be an object.")
    for key in ADDRESS_KEYS:
        if value.get(key) is not None and not isinstance(value[key], str):
            raise EddInputError(f"{name}.{key}", "must be a string.")
    country = (value.get("country") or "").strip().upper()
    if country and country not in {"USA", "US"}:
        raise EddInputError(f"{name}.country", "only USA addresses are supported (USPS).")
    postal = value.get("postal_code")
    if postal not in (None, "") and zip3(postal) is None:
        raise EddInputError(f"{name}.postal_code", "must be a US ZIP code (12345 or 12345-6789).")
    return {key: value.get(key) for key in ADDRESS_KEYS} | {
        k: v for k, v in value.items() if k not in ADDRESS_KEYS
    }


def _int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EddInputError(name, f"must be an integer from {low} to {high}.")
    return value


def _pickup_plan(value) -> PickupPlan:
    name = "estimated_pickup"
    if not isinstance(value, dict):
        raise EddInputError(name, "must be an object.")
    if value.get("order_time") is None:
        raise EddInputError(f"{name}.order_time", "is required.")
    order_time = _datetime(value["order_time"], f"{name}.order_time")
    cutoff = value.get("order_cutoff_time")
    cutoff = CUTOFF if cutoff is None else _time(cutoff, f"{name}.order_cutoff_time")
    days = value.get("business_days")
    if days is None:
        days = DEFAULT_BUSINESS_DAYS
    if not isinstance(days, list) or not days or len(days) > 7:
        raise EddInputError(f"{name}.business_days", "must be a list of 1 to 7 ISO weekdays.")
    for day in days:
        _int(day, f"{name}.business_days", 1, 7)
    if len(set(days)) != len(days):
        raise EddInputError(f"{name}.business_days", "must not repeat a weekday.")
    processing = value.get("order_processing_time")
    processing_days = 0
    if processing is not None:
        if not isinstance(processing, dict):
            raise EddInputError(f"{name}.order_processing_time", "must be an object.")
        if not isinstance(processing.get("unit"), str) or processing["unit"] != "day":
            raise EddInputError(f"{name}.order_processing_time.unit", 'must be "day".')
        processing_days = _int(
            processing.get("value"),
            f"{name}.order_processing_time.value",
            0,
            MAX_PROCESSING_DAYS,
        )
    return PickupPlan(order_time, cutoff, sorted(days), processing_days)


def parse_predict_item(item) -> PredictRequest:
    """Validate one `estimated_delivery_dates` item; raises EddInputError naming the field."""
    if not isinstance(item, dict):
        raise EddInputError("", "must be an object.")
    slug = item.get("slug")
    if not isinstance(slug, str) or not slug.strip():
        raise EddInputError("slug", "is required.")
    if slug.strip().lower() != "usps":
        raise EddInputError("slug", 'only "usps" is supported.')
    service = item.get("service_type_name")
    if service is not None and not isinstance(service, str):
        raise EddInputError("service_type_name", "must be a string or null.")
    origin = _address(item.get("origin_address"), "origin_address")
    destination = _address(item.get("destination_address"), "destination_address")
    weight = item.get("weight")
    if weight is not None:
        if not isinstance(weight, dict):
            raise EddInputError("weight", "must be an object or null.")
        if not isinstance(weight.get("unit"), str) or weight["unit"] not in WEIGHT_UNITS:
            raise EddInputError("weight.unit", "must be one of g, kg, lb, oz.")
        value = weight.get("value")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise EddInputError("weight.value", "must be a number not below 0.")
    if item.get("package_count") is not None:
        _int(item["package_count"], "package_count", 1, 100_000)
    pickup_time = item.get("pickup_time")
    plan = item.get("estimated_pickup")
    if pickup_time is None and plan is None:
        raise EddInputError("pickup_time", "either pickup_time or estimated_pickup is required.")
    if pickup_time is not None and plan is not None:
        raise EddInputError("pickup_time", "give pickup_time or estimated_pickup, not both.")
    return PredictRequest(
        item=item,
        slug="usps",
        mail_class=normalize_mail_class(service),
        origin_address=origin,
        destination_address=destination,
        pickup_time=None if pickup_time is None else _datetime(pickup_time, "pickup_time"),
        estimated_pickup=None if plan is None else _pickup_plan(plan),
    )


def planned_pickup(plan: PickupPlan) -> datetime:
    """When the merchant hands the parcel over: the cutoff of its last processing day.

    An order counts on its own day when that is one of the merchant's `business_days` and it
    arrives by the cutoff, else on the next such day; processing days are merchant days too.
    """

    def working(day: date) -> bool:
        return day.isoweekday() in plan.business_days

    def next_working(day: date) -> date:
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
        return day

    day = plan.order_time.date()
    if not working(day) or plan.order_time.time() > plan.order_cutoff_time:
        day = next_working(day)
    for _ in range(plan.processing_days):
        day = next_working(day)
    return datetime.combine(day, plan.order_cutoff_time)


def predict(request: PredictRequest, *, model: EddModel | None) -> dict:
    """The predict-batch answer item for a parsed request."""
    item = request.item
    pickup = request.pickup_time
    estimated_pickup = None
    if request.estimated_pickup is not None:
        plan = request.estimated_pickup
        pickup = planned_pickup(plan)
        estimated_pickup = {
            **item["estimated_pickup"],
            "order_time": plan.order_time.strftime(DATETIME_FORMAT),
            "order_cutoff_time": plan.order_cutoff_time.strftime(TIME_FORMAT),
            "business_days": plan.business_days,
            "order_processing_time": {"unit": "day", "value": plan.processing_days},
            "pickup_time": pickup.strftime(DATETIME_FORMAT),
        }
    result = estimate(
        model,
        origin_zip=request.origin_address.get("postal_code"),
        destination_zip=request.destination_address.get("postal_code"),
        mail_class=request.mail_class,
        accepted_at=pickup,
    )
    return {
        **item,
        "slug": request.slug,
        "service_type_name": item.get("service_type_name"),
        "origin_address": request.origin_address,
        "destination_address": request.destination_address,
        "weight": item.get("weight"),
        "package_count": item.get("package_count"),
        "pickup_time": item.get("pickup_time"),
        "estimated_pickup": estimated_pickup,
        "estimated_delivery_date": _iso(result and result.estimated_delivery_date),
        "estimated_delivery_date_min": _iso(result and result.estimated_delivery_date_min),
        "estimated_delivery_date_max": _iso(result and result.estimated_delivery_date_max),
        "confidence_code": result.confidence_code if result else None,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def parse_predict_batch(items) -> list[PredictRequest]:
    """Validate 1-5 predict-batch items; any bad item fails the whole call (as AfterShip's).

    Raises EddInputError with `field` like "estimated_delivery_dates[1].pickup_time".
    """
    name = "estimated_delivery_dates"
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise EddInputError(name, f"must be an array of 1 to {MAX_BATCH} objects.")
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append(parse_predict_item(item))
        except EddInputError as exc:
            raise exc.within(f"{name}[{index}]") from None
    return parsed


def predict_batch(items, *, model: EddModel | None) -> list[dict]:
    """The predict-batch answer items for the request's `estimated_delivery_dates`."""
    return [predict(request, model=model) for request in parse_predict_batch(items)]
