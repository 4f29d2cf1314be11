"""Backtest of shipdesk's estimated-delivery model on synthetic USPS history.

    .venv/bin/python bench/edd.py

Needs no database: the model learns from plain records, built from the generator's parcels by
the same function the service uses on Shipment rows (tracking.edd.transit_record), and the
estimates come from the same function the service calls for a shipment
(tracking.edd.estimate_shipment).

Each run generates a year of delivered shipments (tracking/carriers/sandbox/lanes.py, a
synthetic generator: see its docstring for what it assumes), holds out the last 20 % by pickup
time, trains on the rest (only parcels already delivered when the hold-out starts, as a live
system would see them) and estimates each held-out parcel as of its pickup. The five runs use
different seeds (different lane biases and weather) and years ending in different months, so
that the hold-outs cover every season, peak season included. Figures are the median of the
runs.

Baselines, measured in the same runs on the same parcels:
* USPS standard: the carrier's own expected date as the likely date, and the class's published
  range (Priority Mail Express 1-2, Priority Mail 1-3, Ground Advantage 2-5, First-Class Mail
  1-5 business days) as the interval.
* Global median: the median and 5th/95th percentiles of all training transit times.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipdesk.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from tracking import edd  # noqa: E402
from tracking.carriers.sandbox import lanes  # noqa: E402

COUNT = 20_000
HOLDOUT = 0.20
# (seed, last pickup day of the generated year): hold-outs end in Feb, Apr, Jul, Sep, Dec.
RUNS = [
    (1, date(2025, 2, 28)),
    (2, date(2025, 4, 30)),
    (3, date(2025, 7, 31)),
    (4, date(2025, 9, 30)),
    (5, date(2025, 12, 31)),
]
CLASS_RANGE = {lanes.PME: (1, 2), lanes.PM: (1, 3), lanes.GA: (2, 5), lanes.FCM: (1, 5)}
GOAL_INSIDE, GOAL_ERROR = 0.90, 0.5


@dataclass
class Score:
    inside: list[bool] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)

    def add(self, low: date, likely: date, high: date, actual: date) -> None:
        self.inside.append(low <= actual <= high)
        self.errors.append(abs((likely - actual).days))
        self.widths.append((high - low).days)

    @property
    def inside_share(self) -> float:
        return sum(self.inside) / len(self.inside)

    @property
    def median_error(self) -> float:
        return statistics.median(self.errors)

    @property
    def mean_error(self) -> float:
        return statistics.fmean(self.errors)

    @property
    def exact_share(self) -> float:
        return sum(e == 0 for e in self.errors) / len(self.errors)

    @property
    def mean_width(self) -> float:
        return statistics.fmean(self.widths)

    def line(self) -> str:
        return (
            f"inside {self.inside_share:6.1%}  median err {self.median_error:3.1f} d  "
            f"mean err {self.mean_error:4.2f} d  exact {self.exact_share:6.1%}  "
            f"width {self.mean_width:4.2f} d  (n={len(self.errors)})"
        )


def backtest(seed: int, end: date) -> dict:
    started = time.perf_counter()
    parcels = lanes.generate(COUNT, seed=seed, start=end - timedelta(days=364), end=end)
    split = int(len(parcels) * (1 - HOLDOUT))
    holdout_starts = parcels[split].accepted_at
    train = [p for p in parcels[:split] if p.delivered_at <= holdout_starts]
    test = parcels[split:]

    model = edd.EddModel.learn(p.record() for p in train)
    global_hist = model.histograms[("global", "", "", "")]
    g_min, g_likely, g_max = (edd.hist_quantile(global_hist, q) for q in edd.QUANTILES)

    ours, usps, overall = Score(), Score(), Score()
    by_class: dict[str, tuple[Score, Score]] = defaultdict(lambda: (Score(), Score()))
    levels: dict[str, int] = defaultdict(int)
    by_code: dict[int, Score] = defaultdict(Score)
    for p in test:
        actual = p.delivered_at.date()
        est = edd.estimate_shipment(
            model,
            origin_postal_code=p.origin_zip,
            destination_postal_code=p.destination_zip,
            mail_class=p.mail_class,
            picked_up_at=p.accepted_at,
            pickup_offset_minutes=p.pickup_offset_minutes,
            created_at=p.accepted_at,
            expected_delivery=p.expected_delivery,
            now=p.accepted_at,
        )
        levels[est.level] += 1
        args = (est.estimated_delivery_date_min, est.estimated_delivery_date)
        ours.add(*args, est.estimated_delivery_date_max, actual)
        by_class[p.mail_class][0].add(*args, est.estimated_delivery_date_max, actual)
        by_code[est.confidence_code].add(*args, est.estimated_delivery_date_max, actual)

        start = edd.acceptance_day(p.accepted_at)  # the default 17:00 cutoff
        low, high = CLASS_RANGE[p.mail_class]
        usps_args = (
            edd.add_business_days(start, low),
            p.expected_delivery,
            edd.add_business_days(start, high),
            actual,
        )
        usps.add(*usps_args)
        by_class[p.mail_class][1].add(*usps_args)
        overall.add(
            edd.add_business_days(start, g_min),
            edd.add_business_days(start, g_likely),
            edd.add_business_days(start, g_max),
            actual,
        )
    truth = {zip3: cutoff for zip3, _, cutoff in lanes.ORIGINS}
    return {
        "seed": seed,
        "window": f"{parcels[0].accepted_at.date()} .. {parcels[-1].accepted_at.date()}",
        "holdout": f"{test[0].accepted_at.date()} .. {test[-1].accepted_at.date()}",
        "train": len(train),
        "test": len(test),
        "ours": ours,
        "usps": usps,
        "global": overall,
        "by_class": by_class,
        "levels": dict(levels),
        "by_code": by_code,
        "cutoffs_right": sum(model.cutoff_for(z + "01") == c for z, c in truth.items()),
        "origins": len(truth),
        "seconds": time.perf_counter() - started,
    }


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a (baseline 0)"


def main() -> None:
    print(__doc__.split("\n\n")[0].strip())
    print()
    print("DATA: synthetic (tracking/carriers/sandbox/lanes.py), not measured from USPS.")
    print(
        f"  {len(lanes.PLACES)} real ZIP3 areas; {len(lanes.ORIGINS)} warehouse origins with "
        "unpublished 16:00-18:00 cutoffs;"
    )
    print("  zones by distance; USPS service standards per class and zone; fixed lane biases;")
    print("  per-parcel noise with a delay tail; peak season; regional weather; calendar")
    print("  Mon-Sat without federal holidays.")
    print(f"  {COUNT:,} delivered parcels per run, last {HOLDOUT:.0%} by pickup time held out.")
    print("  Caveat: each lane's transit is stationary apart from peak season and weather, which")
    print("  is what the model assumes; real USPS history (network changes, trends, outages,")
    print("  mis-scans) will score lower. Only a backtest on real deliveries can say how much.")
    print()

    results = []
    for seed, end in RUNS:
        r = backtest(seed, end)
        results.append(r)
        print(
            f"run seed={r['seed']}  year {r['window']}  hold-out {r['holdout']}  "
            f"train {r['train']:,} / test {r['test']:,}  ({r['seconds']:.1f} s)"
        )
        print(f"  shipdesk model   {r['ours'].line()}")
        print(f"  USPS standard    {r['usps'].line()}")
        print(f"  global median    {r['global'].line()}")
        levels = ", ".join(f"{k} {v}" for k, v in sorted(r["levels"].items(), key=lambda i: -i[1]))
        print(f"  answered from: {levels}")
        print(f"  learnt cutoffs matching the generator's: {r['cutoffs_right']}/{r['origins']}")
    print()

    print("per confidence_code, all runs pooled (does the confidence mean something?):")
    for code in sorted({c for r in results for c in r["by_code"]}):
        pooled = Score()
        for r in results:
            source = r["by_code"].get(code)
            if source:
                pooled.inside += source.inside
                pooled.errors += source.errors
                pooled.widths += source.widths
        print(f"  {code}  {pooled.line()}")
    print()

    print("per class, all runs pooled:")
    for mail_class in (lanes.PME, lanes.PM, lanes.GA, lanes.FCM):
        ours, usps = Score(), Score()
        for r in results:
            o, u = r["by_class"][mail_class]
            for target, source in ((ours, o), (usps, u)):
                target.inside += source.inside
                target.errors += source.errors
                target.widths += source.widths
        print(f"  {mail_class:22} model {ours.line()}")
        print(f"  {'':22} USPS  {usps.line()}")
    print()

    def median_of(name: str, attr: str) -> float:
        return statistics.median(getattr(r[name], attr) for r in results)

    inside = median_of("ours", "inside_share")
    error = median_of("ours", "median_error")
    print(f"median of {len(results)} runs:")
    for label, name in (
        ("shipdesk model", "ours"),
        ("USPS standard", "usps"),
        ("global", "global"),
    ):
        print(
            f"  {label:15} inside {median_of(name, 'inside_share'):6.1%}  "
            f"median err {median_of(name, 'median_error'):.1f} d  "
            f"mean err {median_of(name, 'mean_error'):.2f} d  "
            f"exact {median_of(name, 'exact_share'):6.1%}  "
            f"width {median_of(name, 'mean_width'):.2f} d"
        )
    print(
        "  model / USPS standard: inside "
        f"{ratio(inside, median_of('usps', 'inside_share'))}, median error "
        f"{ratio(error, median_of('usps', 'median_error'))}, mean error "
        f"{ratio(median_of('ours', 'mean_error'), median_of('usps', 'mean_error'))}, exact "
        f"{ratio(median_of('ours', 'exact_share'), median_of('usps', 'exact_share'))}"
    )
    print(
        "  model / global median: inside "
        f"{ratio(inside, median_of('global', 'inside_share'))}, mean error "
        f"{ratio(median_of('ours', 'mean_error'), median_of('global', 'mean_error'))}"
    )
    print(
        f"  goal: inside >= {GOAL_INSIDE:.0%} ({'met' if inside >= GOAL_INSIDE else 'NOT met'}), "
        f"median error <= {GOAL_ERROR} day ({'met' if error <= GOAL_ERROR else 'NOT met'})"
    )
    print("  note: errors are whole days, so a median error of 0 means more than half the likely")
    print("  dates were exact; the mean error and exact share say how far from that edge it is.")
    print()
    print(f"figure: edd_inside_interval_share = {inside:.3f} ratio")
    print(f"figure: edd_median_error_days = {error:.1f} days")


if __name__ == "__main__":
    main()
