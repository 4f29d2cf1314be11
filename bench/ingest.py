"""Checkpoints ingested per second: parse, map and upsert synthetic USPS v3r2 answers.

Default run: 10,000 shipments x 10 events = 100,000 events, built in memory as the JSON bodies
USPS would send (batches of 35 numbers), then timed through the real path: `json.loads`,
`mapper.parse_tracking_response` and `shipments_ingest` per batch. Each run ingests into fresh
shipments; the figure is the median of the runs. Baseline, in the same run: a naive loop that
stores each event with `get_or_create` and saves each shipment, on a smaller sample.

On SQLite always, and also on PostgreSQL when DATABASE_URL points at a server (a database
`shipdesk_bench_<pid>` is created there and dropped). Each database runs in its own process.

    .venv/bin/python bench/ingest.py [--runs 3] [--shipments 10000] [--naive-shipments 175]
                                     [--profile N]

`--profile N` then ingests N more shipments under cProfile (CPU time) on each database and
prints the top entries by cumulative and by own time: where the path spends its time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup
from _setup import Stopwatch, figure, progress, table

EVENTS_PER_SHIPMENT = 10
BATCH = 35  # numbers per USPS tracking request (mapper.BATCH_SIZE, checked below)
GOALS = {"sqlite": 5_000, "postgres": 10_000}  # checkpoints/s (issue 15)
REINGEST_SHIPMENTS = 1_000  # re-ingested after the first run: 10,000 events seen again

# (city, state, ZIP, UTC offset in hours)
PLACES = [
    ("SEATTLE", "WA", "98108", -8),
    ("PORTLAND", "OR", "97218", -8),
    ("LOS ANGELES", "CA", "90052", -8),
    ("PHOENIX", "AZ", "85026", -7),
    ("DENVER", "CO", "80266", -7),
    ("DALLAS", "TX", "75260", -6),
    ("CHICAGO", "IL", "60607", -6),
    ("MINNEAPOLIS", "MN", "55401", -6),
    ("ATLANTA", "GA", "30320", -5),
    ("MIAMI", "FL", "33152", -5),
    ("NEW YORK", "NY", "10001", -5),
    ("BOSTON", "MA", "02205", -5),
]
# (code, text, where, hours after the label) - ten events, the last two vary per shipment.
JOURNEY = [
    ("MA", "Shipping Label Created, USPS Awaiting Item", "origin", 0.0),
    ("03", "USPS in possession of item", "origin", 5.0),
    ("10", "Processed through USPS Facility", "origin", 8.0),
    ("SF", "Departed USPS Regional Facility", "origin", 10.0),
    ("A1", "Arrived at USPS Regional Facility", "hub", 22.0),
    ("SF", "Departed USPS Regional Facility", "hub", 25.0),
    ("A1", "Arrived at USPS Regional Destination Facility", "destination", 36.0),
    ("07", "Arrived at Post Office", "destination", 40.0),
]
ENDINGS = [
    (0.70, [("OF", "Out for Delivery", 42.0), ("01", "Delivered, In/At Mailbox", 47.0)]),
    (
        0.15,
        [
            ("OF", "Out for Delivery", 42.0),
            ("02", "Notice Left (No Authorized Recipient Available)", 47.0),
        ],
    ),
    (
        0.10,
        [
            ("02", "Notice Left (No Authorized Recipient Available)", 43.0),
            ("16", "Available for Pickup", 44.0),
        ],
    ),
    (0.05, [("OF", "Out for Delivery", 42.0), ("05", "Undeliverable as Addressed", 47.0)]),
]
MAIL_CLASSES = ["Priority Mail", "Ground Advantage", "Priority Mail Express", "First-Class Mail"]


# --- the synthetic carrier answers -------------------------------------------------------


def impb(serial: int) -> str:
    """A 22-digit IMpb-shaped number (9400 1…) with a valid mod-10 check digit."""
    body = f"94001{serial:016d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def usps_item(number: str, rng: random.Random, now: datetime) -> dict:
    origin, hub, destination = rng.sample(PLACES, 3)
    places = {"origin": origin, "hub": hub, "destination": destination}
    start = now - timedelta(days=rng.uniform(3, 30), minutes=rng.randrange(60))
    pick, ending = rng.random(), ENDINGS[-1][1]
    for share, steps in ENDINGS:
        if pick < share:
            ending = steps
            break
        pick -= share
    steps = JOURNEY + [(code, text, "destination", hour) for code, text, hour in ending]
    events = []
    for code, text, where, hour in steps:
        city, state, zip_code, offset = places[where]
        when = (start + timedelta(hours=hour + rng.uniform(0, 1.5))).replace(microsecond=0)
        local = when.astimezone(timezone(timedelta(hours=offset)))
        delivered = code == "01"
        events.append(
            {
                "eventType": text,
                "eventTimestamp": local.isoformat(),
                "GMTTimestamp": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventCode": code,
                "eventCity": city,
                "eventState": state,
                "eventZIPCode": zip_code,
                "eventCountry": "",
                "firm": "",
                "name": "",
                "authorizedAgent": False,
                "recipientName": rng.choice(["J SMITH", "A GARCIA", "M CHEN"]) if delivered else "",
            }
        )
    events.reverse()  # USPS lists the newest event first
    last = events[0]
    return {
        "trackingNumber": number,
        "uniqueTrackingID": f"{rng.getrandbits(64):X}",
        "mailClass": rng.choice(MAIL_CLASSES),
        "mailType": "DOMESTIC_MAIL",
        "status": last["eventType"],
        "statusCategory": last["eventType"].split(",")[0],
        "statusSummary": f"Your item's status: {last['eventType'].lower()} in "
        f"{last['eventCity'].title()}, {last['eventState']} {last['eventZIPCode']}.",
        "originCity": origin[0],
        "originState": origin[1],
        "originZIPCode": origin[2],
        "destinationCity": destination[0],
        "destinationState": destination[1],
        "destinationZIPCode": destination[2],
        "deliveryDateExpectation": {
            "expectedDeliveryDate": (start + timedelta(days=2)).date().isoformat(),
            "predictedDeliveryDate": (start + timedelta(days=2)).date().isoformat(),
            "predictedDeliveryWindowStartTime": "09:00",
            "predictedDeliveryWindowEndTime": "17:00",
        },
        "servicesEligibility": {"proofOfDeliveryEnabled": True, "RREEnabled": rng.random() < 0.2},
        "trackingEvents": events,
    }


def build_bodies(numbers: list[str], seed: int) -> list[tuple[list[str], str]]:
    """The carrier's answers: one JSON body per batch of 35 numbers."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    bodies = []
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        bodies.append((chunk, json.dumps([usps_item(n, rng, now) for n in chunk])))
    return bodies


# --- the measurements (run inside a child process, after Django is set up) ----------------


def make_shipments(label: str, numbers: list[str]):
    from shipdesk.models import Partner
    from tracking.models import Shipment

    partner = Partner.objects.create(name=f"bench {label}", slug=f"bench-{label}")
    _setup.insert_rows(
        Shipment,
        {"partner": partner, "slug": "usps"},
        [
            {"tracking_number": n, "public_id": f"b{partner.pk:05d}{i:018d}", "uuid": uuid.uuid4()}
            for i, n in enumerate(numbers)
        ],
    )
    analyze()
    by_number = {s.tracking_number: s for s in Shipment.objects.filter(partner=partner)}
    return [by_number[n] for n in numbers]


def analyze() -> None:
    """Fresh statistics for the tables the ingest writes, as autovacuum keeps them on a live
    PostgreSQL (this machine's server runs without it): on tables it believes empty the
    planner checks each new checkpoint's shipment key by scanning a whole other index."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tracking_shipment, tracking_checkpoint, shipdesk_webhookevent")


def ingest_bulk(bodies, shipments) -> tuple[int, int]:
    """The product path; returns (events seen, new checkpoints)."""
    from tracking.carriers.usps.mapper import parse_tracking_response
    from tracking.services.ingest import shipments_ingest

    events = new = 0
    for i, (numbers, body) in enumerate(bodies):
        results = parse_tracking_response(json.loads(body), numbers)
        batch = shipments[i * BATCH : i * BATCH + len(numbers)]
        report = shipments_ingest(pairs=list(zip(batch, results, strict=True)))
        events += report.events
        new += report.new_checkpoints
    return events, new


def ingest_naive(bodies, shipments) -> int:
    """What the bulk upsert replaces: one get_or_create per event, one save per shipment."""
    from django.utils import timezone

    from tracking.carriers.usps.mapper import parse_tracking_response
    from tracking.derive import derive
    from tracking.models import Checkpoint

    events = 0
    for i, (numbers, body) in enumerate(bodies):
        results = parse_tracking_response(json.loads(body), numbers)
        now = timezone.now()
        for shipment, result in zip(shipments[i * BATCH :], results, strict=False):
            for e in result.events:
                Checkpoint.objects.get_or_create(
                    shipment=shipment,
                    event_key=e.key,
                    defaults={
                        "checkpoint_time": e.time,
                        "utc_offset_minutes": e.utc_offset_minutes,
                        "message": e.message,
                        "tag": e.tag,
                        "subtag": e.subtag,
                        "subtag_message": e.subtag_message,
                        "raw_tag": e.raw_tag,
                        "city": e.city,
                        "state": e.state,
                        "zip": e.zip,
                        "country_iso3": e.country_iso3,
                        "country_name": e.country_name,
                        "location": e.location,
                        "recipient_name": e.recipient_name,
                        "firm": e.firm,
                    },
                )
                events += 1
            fields = derive(
                list(shipment.checkpoints.all()),
                promised=shipment.order_promised_delivery_date,
                expected=result.expected_delivery,
                today=timezone.localdate(now),
            )
            for name, value in fields.items():
                setattr(shipment, name, value)
            shipment.last_checked_at = now
            shipment.save()
    return events


def parse_only(bodies) -> int:
    from tracking.carriers.usps.mapper import parse_tracking_response

    return sum(
        len(r.events)
        for numbers, body in bodies
        for r in parse_tracking_response(json.loads(body), numbers)
    )


def profile_ingest(bodies, label: str, top: int = 30) -> str:
    """cProfile (CPU time) of the product path over `bodies`, into fresh shipments: the top
    entries by cumulative time, then by own time."""
    import cProfile
    import io
    import pstats

    rows = make_shipments(label, [n for chunk, _ in bodies for n in chunk])
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    events, _ = ingest_bulk(bodies, rows)
    profiler.disable()
    out = io.StringIO()
    out.write(f"{events:,} events of {len(rows):,} shipments\n")
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue().strip()


def measure(
    backend: str,
    runs: int,
    shipments: int,
    naive_shipments: int,
    budget: float,
    profile: int = 0,
) -> dict:
    with _setup.throwaway_database(backend) as label:
        from tracking.carriers.usps import mapper
        from tracking.models import Checkpoint

        assert mapper.BATCH_SIZE == BATCH, mapper.BATCH_SIZE
        numbers = [impb(i) for i in range(shipments)]
        progress(f"[{backend}] building {shipments * EVENTS_PER_SHIPMENT:,} USPS events …")
        bodies = build_bodies(numbers, seed=2)
        with Stopwatch() as sw:
            parsed = parse_only(bodies)
        parse_rate = parsed / sw.seconds

        rates, cpu_rates, reingest, timed = [], [], {}, 0.0
        for run in range(1, runs + 1):
            if run > 1 and timed > budget:
                progress(f"[{backend}] time budget of {budget:.0f} s spent: {run - 1} run(s)")
                break
            rows = make_shipments(f"run-{run}", numbers)
            cpu = time.process_time()
            with Stopwatch() as sw:
                events, new = ingest_bulk(bodies, rows)
            cpu = time.process_time() - cpu
            timed += sw.seconds
            rates.append(events / sw.seconds)
            cpu_rates.append(events / cpu)
            progress(
                f"[{backend}] run {run}/{runs}: {events:,} events, {new:,} new checkpoints "
                f"in {sw.seconds:.1f} s = {rates[-1]:,.0f}/s ({cpu:.1f} s of this process's CPU "
                f"= {cpu_rates[-1]:,.0f}/CPU-s)"
            )
            if run == 1:
                # The same carrier answers again, for the first REINGEST_SHIPMENTS shipments.
                again_bodies = bodies[: -(-REINGEST_SHIPMENTS // BATCH)]
                again_rows = rows[: len(again_bodies) * BATCH]
                ids = [s.pk for s in again_rows]
                before = Checkpoint.objects.filter(shipment__in=ids).count()
                with Stopwatch() as again:
                    events2, new2 = ingest_bulk(again_bodies, again_rows)
                after = Checkpoint.objects.filter(shipment__in=ids).count()
                reingest = {
                    "shipments": len(again_rows),
                    "events": events2,
                    "new_reported": new2,
                    "rows_before": before,
                    "rows_after": after,
                    "rate": events2 / again.seconds,
                }
                progress(
                    f"[{backend}] re-ingest of {events2:,} events already stored: "
                    f"{before:,} -> {after:,} rows ({again.seconds:.1f} s)"
                )

        sample = bodies[: -(-naive_shipments // BATCH)]
        sample_numbers = [n for chunk, _ in sample for n in chunk]
        naive_rates = []
        for run in range(1, runs + 1):
            rows = make_shipments(f"naive-{run}", sample_numbers)
            with Stopwatch() as sw:
                events = ingest_naive(sample, rows)
            naive_rates.append(events / sw.seconds)
            progress(
                f"[{backend}] naive run {run}/{runs}: {events:,} events in {sw.seconds:.1f} s "
                f"= {naive_rates[-1]:,.0f}/s"
            )
        profiled = ""
        if profile:
            extra = build_bodies([impb(shipments + i) for i in range(profile)], seed=3)
            progress(f"[{backend}] profiling the ingest of {profile:,} more shipments …")
            profiled = profile_ingest(extra, "profile")
        return {
            "backend": backend,
            "label": label,
            "profile": profiled,
            "events": shipments * EVENTS_PER_SHIPMENT,
            "rates": rates,
            "median": statistics.median(rates),
            "cpu_median": statistics.median(cpu_rates),
            "parse_rate": parse_rate,
            "naive_events": len(sample_numbers) * EVENTS_PER_SHIPMENT,
            "naive_rates": naive_rates,
            "naive_median": statistics.median(naive_rates),
            "reingest": reingest,
        }


# --- the report (parent process) -----------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per database (3)")
    parser.add_argument("--shipments", type=int, default=10_000, help="x 10 events (10,000)")
    parser.add_argument("--naive-shipments", type=int, default=175, help="baseline sample (175)")
    parser.add_argument(
        "--time-budget",
        type=float,
        default=90.0,
        help="seconds of timed ingest per database after which no further run starts (90)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="then profile the ingest of N more shipments (cProfile, CPU time)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 1 or args.shipments < 1 or args.naive_shipments < 1:
        parser.error("--runs, --shipments and --naive-shipments must be at least 1")
    if args.profile < 0:
        parser.error("--profile must be 0 (none) or more")
    sizes = ["--runs", str(args.runs), "--shipments", str(args.shipments)]
    sizes += [
        "--naive-shipments",
        str(args.naive_shipments),
        "--time-budget",
        str(args.time_budget),
        "--profile",
        str(args.profile),
    ]

    if args.backend:  # child: one database, results as JSON
        result = measure(
            args.backend,
            args.runs,
            args.shipments,
            args.naive_shipments,
            args.time_budget,
            args.profile,
        )
        Path(args.json).write_text(json.dumps(result))
        return

    backends = ["sqlite"] + (["postgres"] if _setup.postgres_configured() else [])
    results = [_setup.run_child(__file__, b, sizes) for b in backends]

    events = args.shipments * EVENTS_PER_SHIPMENT
    print()
    print(
        f"shipdesk ingest bench: {events:,} synthetic USPS v3r2 events "
        f"({args.shipments:,} shipments x {EVENTS_PER_SHIPMENT}), batches of {BATCH}"
    )
    print("timed path per batch: json.loads -> mapper.parse_tracking_response -> shipments_ingest")
    print(
        f"baseline: per-event get_or_create + per-shipment save on {results[0]['naive_events']:,} "
        f"events; figures are medians of up to {args.runs} runs (fewer once a database has spent "
        f"{args.time_budget:.0f} s of timed ingest)"
    )
    print()
    rows = []
    for r in results:
        rows.append(
            [
                r["label"].split(" (")[0],
                " / ".join(f"{x:,.0f}" for x in r["rates"]),
                round(r["median"]),
                round(r["cpu_median"]),
                round(r["naive_median"]),
                f"{r['median'] / r['naive_median']:.1f}x",
                round(r["parse_rate"]),
                f"{'yes' if r['median'] >= GOALS[r['backend']] else 'NO'} "
                f"(>= {GOALS[r['backend']]:,})",
            ]
        )
    print(
        table(
            [
                "database",
                "runs (checkpoints/s)",
                "median/s",
                "per CPU-s",
                "naive/s",
                "ratio",
                "parse+map only/s",
                "goal",
            ],
            rows,
        )
    )
    print()
    for r in results:
        again = r["reingest"]
        grew = again["rows_after"] - again["rows_before"]
        print(
            f"re-ingest on {r['label'].split(' (')[0]}: {again['events']:,} events of "
            f"{again['shipments']:,} shipments ingested again -> checkpoints "
            f"{again['rows_before']:,} -> {again['rows_after']:,} "
            f"({grew:+,} rows, {again['new_reported']:,} reported new; "
            f"{again['rate']:,.0f} events/s)"
        )
    for r in results:
        print(f"database: {r['label']}")
    print()
    print(
        "per CPU-s: checkpoints per second of the bench process's own CPU time, which other "
        "work on a shared machine does not stretch (PostgreSQL's server time is not in it)"
    )
    for r in results:
        if r["profile"]:
            print(f"\nWhere the ingest spent its time on {r['label'].split(' (')[0]} (cProfile):\n")
            print(r["profile"])
    print()
    for r in results:
        figure(f"ingest_{r['backend']}_checkpoints_per_s", r["median"], "checkpoints/s")
    for r in results:
        figure(f"ingest_{r['backend']}_checkpoints_per_cpu_s", r["cpu_median"], "checkpoints/CPU-s")


if __name__ == "__main__":
    main()
