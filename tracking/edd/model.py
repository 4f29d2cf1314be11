"""The estimate model: transit records, per-level histograms, cutoffs, estimates and confidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from tracking.edd.calendar import (
    CUTOFF,
    acceptance_day,
    add_business_days,
    business_days_between,
    is_business_day,
    next_business_day,
)
from tracking.edd.places import DEFAULT_TZ, normalize_mail_class, zip3, zip_timezone
from tracking.edd.zone_table import Standard, table_standard

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
# Lanes with no history at all: USPS's own standard, else the zone table (tracking.edd.zone_table).
# Both below the carrier's date for the same shipment, and answered with CODE_FEW_DATA.
STANDARD_CONFIDENCE = {"usps_standards": 25, "zone_table": 15}
# AfterShip's confidence codes (enum "Confidence Codes").
CODE_HIGHEST = 10000
CODE_HIGH = 10001
CODE_RANGE_HIGH = 20001
CODE_VOLATILE = 30001
CODE_FEW_DATA = 30002
CODE_IMPRECISE_ADDRESS = 30004


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
    level: str  # a LEVELS entry, "carrier", "usps_standards" or "zone_table"
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
    standard: Standard | None = None,
    origin_state: str | None = None,
    destination_state: str | None = None,
) -> Estimate | None:
    """Earliest / likely / latest delivery for a parcel picked up at local time `accepted_at`.

    `mail_class` may be a raw USPS name or a normalized key. `not_before` (e.g. today, for a
    shipment not delivered yet) drops the history that would already have arrived and keeps
    every date on or after it.

    Without history for the lane: the carrier's expected date, else `standard` (USPS Service
    Standards, fetched by the caller), else the zone table for the ZIP codes (or states).
    None only when the lane is not a US one (or nothing says when the parcel leaves).
    """
    dist = None
    if model is not None and accepted_at is not None:
        dist = model.distribution(origin_zip, destination_zip, mail_class)
    if dist is None:
        found = _carrier_estimate(expected_delivery, not_before)
        if found is None and accepted_at is not None:
            standard = standard or table_standard(
                origin_zip=origin_zip,
                destination_zip=destination_zip,
                mail_class=mail_class,
                origin_state=origin_state,
                destination_state=destination_state,
            )
            if standard is not None:
                cutoff = model.cutoff_for(origin_zip) if model is not None else CUTOFF
                found = _standard_estimate(standard, accepted_at, cutoff, not_before)
        return found
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


def _standard_estimate(
    standard: Standard, accepted_at: datetime, cutoff: time, not_before: date | None
) -> Estimate:
    start = acceptance_day(accepted_at, cutoff)
    low, likely, high = standard.transit_days
    dates = [add_business_days(start, days) for days in (likely, low, high)]
    if not_before is not None:
        floor = not_before if is_business_day(not_before) else next_business_day(not_before)
        dates = [max(day, floor) for day in dates]
    return Estimate(
        *dates,
        confidence=STANDARD_CONFIDENCE[standard.source],
        confidence_code=CODE_FEW_DATA,
        level=standard.source,
        samples=0,
        accepted_on=start,
        transit_days=standard.transit_days,
    )


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
    origin_state: str | None = None,
    destination_state: str | None = None,
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
        origin_state=origin_state,
        destination_state=destination_state,
    )
