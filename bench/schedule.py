"""24 simulated hours of background refresh for 100,000 active shipments on a 60/h budget.

A simulated clock drives the product's own `refresh_due(clock=..., carriers=...)`, as the
worker's refresh task would call it every minute. The carrier is a stand-in that takes a
real budget slot (`tracking.carriers.budget.take_slot`, `now=` the simulated clock) for every
request - plus a token call whenever its ~8 h token is about to expire, as the USPS client
does - and answers with the sandbox carrier's USPS-shaped items (time_scale 1) run through
the real mapper. Shipments start spread over tags and ages (the sandbox scenario of each
number, created 0-100 h ago, a few 4-20 days ago), each last checked within its interval.

Baseline in the same run: a FIFO scheduler (oldest `next_check_at` first, no priority),
compared on how fresh OutForDelivery shipments stay and how soon deliveries are seen.
Each scheduler runs in its own process on its own throwaway database (PostgreSQL when
DATABASE_URL points at a server, else a temporary SQLite file).

    .venv/bin/python bench/schedule.py [--shipments 100000] [--hours 24]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import uuid
from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup
from _setup import Stopwatch, figure, progress, table

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)  # the refresh task's interval (REFRESH_INTERVAL_SECONDS)
REQUEST_TAKES = timedelta(seconds=2)  # simulated duration of one USPS call
TOKEN_LIFETIME = timedelta(seconds=28799)  # USPS expires_in
TOKEN_EARLY = timedelta(minutes=5)  # tokens.EARLY: refetch a little before expiry
TAG_ORDER = [
    "OutForDelivery",
    "AttemptFail",
    "AvailableForPickup",
    "InTransit",
    "Exception",
    "InfoReceived",
    "Pending",
    "Delivered",
    "Expired",
]
SCHEDULERS = {
    "priority": "shipdesk (most urgent first)",
    "fifo": "FIFO baseline (oldest next_check_at first)",
}


class SimClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class BudgetedSandbox:
    """Sandbox answers behind the real shared budget; token calls take slots too."""

    slug = "usps"
    name = "USPS (bench stand-in: sandbox answers, real budget)"
    simulated = True
    time_scale = 1.0

    def __init__(self, clock: SimClock, per_hour: int):
        from tracking.carriers.sandbox.carrier import SandboxCarrier
        from tracking.carriers.usps import mapper

        self.clock = clock
        self.per_hour = per_hour
        self.batch_size = mapper.BATCH_SIZE
        self.sandbox = SandboxCarrier(time_scale=1.0, clock=clock)
        self.token_until: datetime | None = None
        self.retry_at: datetime | None = None

    def _request(self, kind: str) -> None:
        from tracking.carriers.budget import BudgetExhausted, take_slot

        try:
            take_slot(carrier=self.slug, per_hour=self.per_hour, kind=kind, now=self.clock())
        except BudgetExhausted as exc:
            self.retry_at = exc.retry_at
            raise
        self.clock.advance(REQUEST_TAKES)

    def track(self, requests):
        from tracking.carriers.usps.mapper import parse_tracking_response

        if self.token_until is None or self.clock() >= self.token_until - TOKEN_EARLY:
            self._request("token")
            self.token_until = self.clock() + TOKEN_LIFETIME
        self._request("tracking")
        now = self.clock()
        items = [self.sandbox.usps_item(r, now) for r in requests]
        return parse_tracking_response(items, [r.tracking_number for r in requests])


# --- the starting population ----------------------------------------------------------------


def _state_at(number: str, created: datetime, when: datetime):
    """(tag, subtag, label, last event time, delivered at) the sandbox shows at `when`."""
    from tracking.carriers.base import TrackRequest
    from tracking.carriers.sandbox.carrier import SandboxCarrier
    from tracking.carriers.usps.mapper import map_code

    journey = SandboxCarrier(time_scale=1.0).plan_for(
        TrackRequest(number, created_at=created), created_at=created
    )
    steps = [p for p in journey.events if p.at <= when]
    delivered = next((p for p in journey.events if p.step.code in ("01", "17")), None)
    delivered_at = delivered.at if delivered else None
    if not steps:
        return "Pending", "Pending_001", "No information yet", None, delivered_at
    subtag = map_code(steps[-1].step.code, steps[-1].step.text)
    return subtag.tag.value, subtag.value, subtag.label, steps[-1].at, delivered_at


def population(count: int, seed: int = 24) -> list[dict]:
    """Active shipments at START: numbers, ages, tags as the sandbox shows them then."""
    from tracking.choices import REFRESH_PRIORITY, Tag
    from tracking.schedule import next_check_delay

    rng = random.Random(seed)
    rows, serial = [], 0
    while len(rows) < count:
        serial += 1
        number = f"9400{serial:018d}"
        age = rng.uniform(0, 100) if rng.random() < 0.85 else rng.uniform(100, 480)
        created = START - timedelta(hours=age)
        tag, subtag, label, last_event, delivered_at = _state_at(number, created, START)
        if tag == Tag.DELIVERED or subtag in ("Exception_011", "Exception_013"):
            continue  # finished before the day starts: not an active shipment
        since = START - last_event if last_event else None
        interval = next_check_delay(tag=tag, since_last_event=since)
        checked = START - interval * rng.random()
        rows.append(
            {
                "number": number,
                "created": created,
                "tag": tag,
                "subtag": subtag,
                "label": label,
                "last_event": last_event,
                "checked": checked,
                "next": checked + interval,
                "priority": REFRESH_PRIORITY.get(Tag(tag), 9),
                "delivered_at": delivered_at,
            }
        )
    return rows


def create_shipments(rows: list[dict]) -> None:
    from shipdesk.models import Partner
    from tracking.models import Shipment

    partner = Partner.objects.create(name="bench schedule", slug="bench-schedule")
    _setup.insert_rows(
        Shipment,
        {"partner": partner, "slug": "usps", "tracked_count": 1},
        [
            {
                "tracking_number": r["number"],
                "public_id": f"bench{i:019d}",
                "uuid": uuid.UUID(int=random.getrandbits(128), version=4),
                "tag": r["tag"],
                "subtag": r["subtag"],
                "subtag_message": r["label"],
                "last_event_at": r["last_event"],
                "last_checked_at": r["checked"],
                "next_check_at": r["next"],
                "refresh_priority": r["priority"],
                "created_at": r["created"],
                "updated_at": r["checked"],
            }
            for i, r in enumerate(rows)
        ],
    )


# --- one simulated day (child process) ------------------------------------------------------


def use_fifo() -> None:
    """Swap the product's due ordering for plain FIFO (this process only)."""
    from django.db import connection, models
    from django.db.models import Q

    from tracking.models import Shipment
    from tracking.services import refresh

    def fifo_due_queryset(*, slug, now, due_by=None):
        return (
            Shipment.objects.filter(active=True, slug=slug, next_check_at__lte=due_by or now)
            .filter(Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lt=now))
            .order_by("next_check_at", "id")
        )

    refresh.due_queryset = fifo_due_queryset
    # The index a FIFO scheduler would have (same partial condition as shipment_due_idx).
    index = models.Index(
        fields=["next_check_at", "id"], condition=Q(active=True), name="bench_fifo_due"
    )
    with connection.schema_editor() as editor:
        editor.add_index(Shipment, index)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def simulate(backend: str, scheduler: str, count: int, hours: int) -> dict:
    with _setup.throwaway_database(backend) as label:
        from django.conf import settings
        from django.db.models import Count

        from tracking.models import CarrierRequest, Shipment
        from tracking.services.refresh import refresh_due

        per_hour = settings.USPS_REQUESTS_PER_HOUR
        progress(f"[{scheduler}] creating {count:,} shipments …")
        rows = population(count)
        with Stopwatch() as setup:
            create_shipments(rows)
        if scheduler == "fifo":
            use_fifo()

        clock = SimClock(START)
        carrier = BudgetedSandbox(clock, per_hour)
        end = START + timedelta(hours=hours)
        checked_per_hour: Counter[int] = Counter()
        snapshots = []  # hourly: median hours since last check of stored-OutForDelivery rows
        next_hour = START + timedelta(hours=1)
        calls = 0
        progress(f"[{scheduler}] simulating {hours} h …")
        with Stopwatch() as sim:
            while clock() < end:
                tick = clock()
                carrier.retry_at = None
                report = refresh_due(clock=clock, carriers={"usps": carrier})
                calls += 1
                checked_per_hour[int((tick - START) / timedelta(hours=1))] += report.shipments
                # The task runs every minute; a minute with the budget spent does nothing,
                # so jump straight to the first minute the budget allows a request again.
                wake = tick + STEP
                if report.budget_exhausted and carrier.retry_at and carrier.retry_at > wake:
                    wake = carrier.retry_at
                wake = START + STEP * -(-(wake - START) // STEP)  # on a minute boundary
                clock.now = max(wake, clock())
                while clock() >= next_hour and next_hour <= end:
                    snapshots.append(ofd_staleness(next_hour))
                    progress(
                        f"[{scheduler}] {int((next_hour - START) / timedelta(hours=1)):>2} h "
                        f"simulated ({sim_elapsed(sim):.0f} s)"
                    )
                    next_hour += timedelta(hours=1)

        sent = sorted(CarrierRequest.objects.filter(carrier="usps").values_list("sent_at", "kind"))
        per_hour_rows = defaultdict(Counter)
        for when, kind in sent:
            per_hour_rows[int((when - START) / timedelta(hours=1))][kind] += 1
        times = [w for w, _ in sent]
        window_max = max(
            (i + 1 - bisect_right(times, t - timedelta(hours=1)) for i, t in enumerate(times)),
            default=0,
        )

        by_tag = defaultdict(list)
        for tag, checked in Shipment.objects.filter(active=True).values_list(
            "tag", "last_checked_at"
        ):
            by_tag[tag].append((end - checked) / timedelta(hours=1))
        finished = dict(
            Shipment.objects.filter(active=False)
            .values_list("tag")
            .annotate(n=Count("id"))
            .values_list("tag", "n")
        )

        # Deliveries that happened during the day: how long until shipdesk knew?
        seen = dict(
            Shipment.objects.filter(tag="Delivered").values_list(
                "tracking_number", "last_checked_at"
            )
        )
        lags = []
        for r in rows:
            at = r["delivered_at"]
            if at and START <= at < end:
                lags.append(((seen.get(r["number"]) or end) - at) / timedelta(hours=1))
        return {
            "scheduler": scheduler,
            "label": label,
            "per_hour": per_hour,
            "hours": hours,
            "requests": {h: dict(c) for h, c in per_hour_rows.items()},
            "checked": dict(checked_per_hour),
            "window_max": window_max,
            "by_tag": {t: _stats(v) for t, v in by_tag.items()},
            "finished": finished,
            "start_tags": dict(Counter(r["tag"] for r in rows)),
            "deliveries": len(lags),
            "deliveries_seen": sum(
                1
                for r in rows
                if r["delivered_at"] and START <= r["delivered_at"] < end and r["number"] in seen
            ),
            "delivery_lag_median": statistics.median(lags) if lags else 0.0,
            "ofd_hourly": snapshots,
            "refresh_calls": calls,
            "setup_seconds": setup.seconds,
            "sim_seconds": sim.seconds,
        }


def sim_elapsed(sw: Stopwatch) -> float:
    import time

    return time.perf_counter() - sw.start


def ofd_staleness(at: datetime) -> float:
    from tracking.models import Shipment

    ages = [
        (at - c) / timedelta(hours=1)
        for c in Shipment.objects.filter(active=True, tag="OutForDelivery").values_list(
            "last_checked_at", flat=True
        )
    ]
    return statistics.median(ages) if ages else 0.0


def _stats(values: list[float]) -> dict:
    values.sort()
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p90": values[int(0.9 * (len(values) - 1))],
    }


# --- the report (parent process) ------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shipments", type=int, default=100_000, help="active shipments")
    parser.add_argument("--hours", type=int, default=24, help="simulated hours (24)")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--scheduler", choices=list(SCHEDULERS), help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.shipments < 1 or args.hours < 1:
        parser.error("--shipments and --hours must be at least 1")
    sizes = ["--shipments", str(args.shipments), "--hours", str(args.hours)]

    if args.backend:  # child: one scheduler on its own database
        result = simulate(args.backend, args.scheduler, args.shipments, args.hours)
        Path(args.json).write_text(json.dumps(result, default=str))
        return

    backend = "postgres" if _setup.postgres_configured() else "sqlite"
    # The two days are independent simulations on their own databases: run them side by side.
    jobs = [(backend, [*sizes, "--scheduler", s]) for s in SCHEDULERS]
    results = dict(zip(SCHEDULERS, _setup.run_children(__file__, jobs), strict=True))
    report(results, args)


def report(results: dict, args) -> None:
    ours, fifo = results["priority"], results["fifo"]
    budget = ours["per_hour"]
    print()
    print(
        f"shipdesk schedule bench: {args.shipments:,} active shipments, {args.hours} simulated "
        f"hours, budget {budget} requests/hour (token calls included)"
    )
    print(f"database: {ours['label']}")
    start = ", ".join(
        f"{t} {ours['start_tags'][t]:,}" for t in TAG_ORDER if t in ours["start_tags"]
    )
    print(f"at the start: {start}")
    print()
    rows = []
    for h in range(args.hours):
        mine = ours["requests"].get(str(h), {})
        theirs = fifo["requests"].get(str(h), {})
        rows.append(
            [
                f"{h:02d}-{h + 1:02d}",
                sum(mine.values()),
                mine.get("token", 0),
                ours["checked"].get(str(h), 0),
                sum(theirs.values()),
                fifo["checked"].get(str(h), 0),
            ]
        )
    print(
        table(
            [
                "hour",
                "requests",
                "of which token",
                "shipments checked",
                "FIFO requests",
                "FIFO checked",
            ],
            rows,
        )
    )
    max_hour = max(
        (sum(c.values()) for r in results.values() for c in r["requests"].values()), default=0
    )
    max_window = max(r["window_max"] for r in results.values())
    print(
        f"most requests in one clock hour: {max_hour}; in any sliding 60 minutes: "
        f"{max_window}; budget: {budget} -> {'within budget' if max_window <= budget else 'OVER'}"
    )
    print()
    print(f"hours since last check at the end of hour {args.hours}, active shipments by stored tag")
    rows = []
    for tag in TAG_ORDER:
        a, b = ours["by_tag"].get(tag), fifo["by_tag"].get(tag)
        if not a and not b:
            continue
        a = a or {"n": 0, "median": 0.0, "p90": 0.0}
        b = b or {"n": 0, "median": 0.0, "p90": 0.0}
        rows.append([tag, a["n"], a["median"], a["p90"], b["n"], b["median"], b["p90"]])
    print(
        table(
            [
                "tag",
                "shipments",
                "median h",
                "p90 h",
                "FIFO shipments",
                "FIFO median h",
                "FIFO p90 h",
            ],
            rows,
        )
    )
    for name, r in results.items():
        done = ", ".join(f"{t} {n:,}" for t, n in sorted(r["finished"].items()))
        print(f"finished during the day ({SCHEDULERS[name]}): {done or 'none'}")
    print()
    ofd = ours["by_tag"].get("OutForDelivery", {}).get("median", 0.0)
    ofd_fifo = fifo["by_tag"].get("OutForDelivery", {}).get("median", 0.0)
    day_ours = statistics.mean(ours["ofd_hourly"]) if ours["ofd_hourly"] else 0.0
    day_fifo = statistics.mean(fifo["ofd_hourly"]) if fifo["ofd_hourly"] else 0.0
    rows = [
        [
            "OutForDelivery: median h since check, at the end",
            ofd,
            ofd_fifo,
            _ratio(ofd_fifo, ofd),
        ],
        [
            "OutForDelivery: same, mean of the hourly medians",
            day_ours,
            day_fifo,
            _ratio(day_fifo, day_ours),
        ],
        [
            "deliveries during the day seen by shipdesk",
            f"{ours['deliveries_seen']:,} of {ours['deliveries']:,}",
            f"{fifo['deliveries_seen']:,} of {fifo['deliveries']:,}",
            "",
        ],
        [
            "median h from delivery to shipdesk knowing (unseen: to the end)",
            ours["delivery_lag_median"],
            fifo["delivery_lag_median"],
            _ratio(fifo["delivery_lag_median"], ours["delivery_lag_median"]),
        ],
        [
            "shipments checked in the day",
            sum(ours["checked"].values()),
            sum(fifo["checked"].values()),
            "",
        ],
    ]
    print(table(["", "shipdesk", "FIFO", "FIFO / shipdesk"], rows))
    print()
    for name, r in results.items():
        print(
            f"{SCHEDULERS[name]}: {r['refresh_calls']} refresh_due calls, setup "
            f"{r['setup_seconds']:.0f} s, simulation {r['sim_seconds']:.0f} s"
        )
    print()
    figure("schedule_max_requests_per_hour", ours["window_max"], "requests/h")
    figure("schedule_budget_per_hour", budget, "requests/h")
    figure("schedule_ofd_median_hours_since_check", ofd, "h")
    figure("schedule_fifo_ofd_median_hours_since_check", ofd_fifo, "h")
    figure("schedule_delivery_lag_median_hours", ours["delivery_lag_median"], "h")


def _ratio(baseline: float, ours: float) -> str:
    return f"{baseline / ours:.1f}x" if ours else "-"


if __name__ == "__main__":
    main()
