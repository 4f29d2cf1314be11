"""Partner API under gunicorn: requests per second and latency beside a bare Django view,
and list latency on the first and a deep page of 1,000,000 trackings.

    .venv/bin/python bench/api.py [--runs 3] [--seconds 4] [--connections 8] [--workers N]
                                  [--archive 1000000] [--load auto|wrk|python]

What it does, with no arguments:

1. A throwaway database: a temporary SQLite file, or - when DATABASE_URL (environment or .env)
   points at PostgreSQL - a database `shipdesk_bench_api_<pid>` on that server; migrated here,
   deleted or dropped at the end. The developer's database is never touched.
2. Partner "Bench Shop" with an API key and 1,000 trackings of 5 checkpoints and a subscriber
   each (bulk_create). Partner "Bench Archive" with 1,000,000 trackings of 2 checkpoints each:
   1,000 are bulk-created, the rest copied from them inside the database in one statement.
3. gunicorn (sync workers, 2 per core) on 127.0.0.1 with DEBUG=false and a throttle so high it
   never refuses, serving shipdesk's own URLs plus the bare view of bench/api_server.py: plain
   Django returning, with JsonResponse, the very JSON the API answered.
4. Load with `wrk` when it is installed (else Python threads with http.client): for each
   scenario `--runs` runs of `--seconds` seconds over `--connections` connections, interleaved,
   after a warm-up; the figure is the median run (a ratio: the median of the runs' own ratios,
   each API scenario measured beside its baselines in that run). Then, one request at a time,
   list latency on page 1 and on page 5,000 (limit 200: the last page of the million).

Only 127.0.0.1 is ever contacted. Prints a table, then the `figure:` lines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _setup import plain_indexes

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))  # `python bench/api.py` puts bench/ first, not the root

HOST = "127.0.0.1"
PREFIX = "/tracking/2024-04"
SECRET_KEY = "shipdesk-bench-only-not-a-secret"
SHOP_TRACKINGS = 1_000
SHOP_CHECKPOINTS = 5
ARCHIVE_TEMPLATES = 1_000
ARCHIVE_CHECKPOINTS = 2
DEEP_LIMIT = 200
DEEP_SAMPLES = 15
GOAL_GET_BARE = 0.3
GOAL_LIST_BARE = 0.5
GOAL_PLAIN = 0.9
GOAL_DEEP = 2.0


def progress(message: str) -> None:
    print(f"[bench/api] {message}", file=sys.stderr, flush=True)


# --- the throwaway database ------------------------------------------------------------------


def configured_url() -> str:
    """DATABASE_URL as the project sees it: the environment first, then `.env`."""
    if "DATABASE_URL" in os.environ:
        return os.environ["DATABASE_URL"]
    env_file = BASE_DIR / ".env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "DATABASE_URL":
                return value.strip().strip("'\"")
    return ""


def _pg_connect(url: str, dbname: str):
    import environ
    import psycopg

    cfg = environ.Env.db_url_config(url)
    return psycopg.connect(
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
    )


@contextmanager
def throwaway_database():
    """Yield (DATABASE_URL, label) of a fresh database; remove it afterwards."""
    server = configured_url()
    if server.startswith(("postgres://", "postgresql://", "pgsql://")):
        name = f"shipdesk_bench_api_{os.getpid()}"
        with _pg_connect(server, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(server)
        url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
        try:
            yield url, f"PostgreSQL (database {name} on {parts.hostname}, dropped afterwards)"
        finally:
            _close_django_connections()
            with _pg_connect(server, "postgres") as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    tmp = tempfile.mkdtemp(prefix="shipdesk-bench-api-")
    try:
        yield f"sqlite:///{tmp}/bench.sqlite3", f"SQLite (temporary file in {tmp}, WAL)"
    finally:
        _close_django_connections()
        shutil.rmtree(tmp, ignore_errors=True)


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def server_environment(database_url: str, bare_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=f"{HOST},localhost",
        API_RATE_PER_SECOND="1000000000",
        LOG_LEVEL="WARNING",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        EMAIL_URL="memorymail://",
        USPS_CLIENT_ID="",
        USPS_CLIENT_SECRET="",
        BENCH_API_BARE_DIR=bare_dir,
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shipdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- data ------------------------------------------------------------------------------------


def seed_shop():
    """Partner, key and SHOP_TRACKINGS trackings with checkpoints and a subscriber each."""
    from django.db import transaction
    from django.utils import timezone

    from shipdesk.services import api_key_create, partner_get_or_create
    from tracking import numbers
    from tracking.models import Checkpoint, Shipment, Subscriber

    partner = partner_get_or_create(name="Bench Shop")
    _, raw_key = api_key_create(partner=partner, name="bench")
    now = timezone.now()
    with transaction.atomic():
        shipments = Shipment.objects.bulk_create(
            [
                Shipment(
                    partner=partner,
                    tracking_number=numbers.with_impb_check_digit(f"940011189922{i:09d}"),
                    title=f"Order #{10_000 + i}",
                    order_id=f"ORD-{10_000 + i}",
                    customer_name="Jane Doe",
                    custom_fields={"product_name": "iPhone Case", "product_price": "USD19.99"},
                    origin_country_iso3="USA",
                    destination_country_iso3="USA",
                    destination_city="CHICAGO",
                    destination_state="IL",
                    destination_postal_code="60607",
                    tag="InTransit",
                    subtag="InTransit_001",
                    subtag_message="In transit",
                    expected_delivery=(now + timedelta(days=2)).date(),
                    created_at=now - timedelta(minutes=i),
                    next_check_at=now + timedelta(hours=1),
                )
                for i in range(SHOP_TRACKINGS)
            ],
            batch_size=500,
        )
        Checkpoint.objects.bulk_create(
            [
                Checkpoint(
                    shipment=shipment,
                    event_key=f"e{k}",
                    checkpoint_time=shipment.created_at + timedelta(hours=6 * k),
                    utc_offset_minutes=-300,
                    message=message,
                    tag=tag,
                    subtag=f"{tag}_001",
                    subtag_message=tag,
                    raw_tag=code,
                    city="CHICAGO",
                    state="IL",
                    zip="60607",
                    country_iso3="USA",
                )
                for shipment in shipments
                for k, (code, message, tag) in enumerate(CHECKPOINTS[:SHOP_CHECKPOINTS])
            ],
            batch_size=2_000,
        )
        Subscriber.objects.bulk_create(
            [Subscriber(shipment=s, channel="email", address="jane@example.com") for s in shipments]
        )
    return raw_key, shipments[SHOP_TRACKINGS // 2].public_id, partner.pk


CHECKPOINTS = [
    ("MA", "Shipping Label Created, USPS Awaiting Item", "InfoReceived"),
    ("03", "USPS in possession of item", "InTransit"),
    ("10", "Processed through USPS Facility", "InTransit"),
    ("A1", "Arrived at USPS Regional Facility", "InTransit"),
    ("07", "Arrived at Post Office", "InTransit"),
]


def seed_archive(total: int) -> str:
    """A partner with `total` trackings: ARCHIVE_TEMPLATES bulk-created, the rest copied from
    them by one INSERT … SELECT (each copy gets its own ids, number and creation time), then
    ARCHIVE_CHECKPOINTS checkpoints per tracking copied the same way. Returns the raw key."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shipdesk.services import api_key_create, partner_get_or_create
    from tracking.models import Checkpoint, Shipment

    partner = partner_get_or_create(name="Bench Archive")
    _, raw_key = api_key_create(partner=partner, name="bench")
    base = timezone.now() - timedelta(days=1)
    templates = min(ARCHIVE_TEMPLATES, total)
    postgres = connection.vendor == "postgresql"
    clock = time.perf_counter()
    with transaction.atomic():
        created = Shipment.objects.bulk_create(
            [
                Shipment(
                    partner=partner,
                    tracking_number=f"ARC{i:07d}",
                    title=f"Archived order {i}",
                    order_id=f"A-{i}",
                    customer_name="John Roe",
                    destination_country_iso3="USA",
                    tag="Delivered",
                    subtag="Delivered_001",
                    subtag_message="Delivered",
                    active=False,
                    created_at=base - timedelta(seconds=i),
                )
                for i in range(templates)
            ],
            batch_size=500,
        )
        first = min(s.pk for s in created)
        Checkpoint.objects.bulk_create(
            Checkpoint(
                shipment_id=first,
                event_key=f"e{k}",
                checkpoint_time=base + timedelta(hours=k),
                utc_offset_minutes=-360,
                message=message,
                tag=tag,
                subtag=f"{tag}_001",
                subtag_message=tag,
                raw_tag=code,
                city="CHICAGO",
                state="IL",
                zip="60607",
                country_iso3="USA",
            )
            for k, (code, message, tag) in enumerate(CHECKPOINTS[-ARCHIVE_CHECKPOINTS:])
        )
        columns = [f.column for f in Shipment._meta.concrete_fields if f.column != "id"]
        if postgres:
            numbers_from = f"generate_series({templates}, {total - 1}) AS n(i)"
            varied = {
                "public_id": "'b' || lpad(n.i::text, 23, '0')",
                "uuid": "lpad(to_hex(n.i), 32, '0')::uuid",
                "tracking_number": "'ARC' || lpad(n.i::text, 7, '0')",
                "created_at": "%s::timestamptz - make_interval(secs => n.i)",
            }
        else:
            numbers_from = (
                f"(WITH RECURSIVE c(i) AS (SELECT {templates} UNION ALL "
                f"SELECT i + 1 FROM c WHERE i < {total - 1}) SELECT i FROM c) AS n"
            )
            varied = {
                "public_id": "printf('b%%023d', n.i)",
                "uuid": "printf('%%032x', n.i)",
                "tracking_number": "printf('ARC%%07d', n.i)",
                "created_at": "datetime(%s, '-' || n.i || ' seconds')",
            }
        varied["updated_at"] = varied["created_at"]
        when = base if postgres else base.strftime("%Y-%m-%d %H:%M:%S")
        selected = ", ".join(varied.get(c, f"s.{c}") for c in columns)
        checkpoint_columns = [
            f.column
            for f in Checkpoint._meta.concrete_fields
            if f.column not in ("id", "shipment_id")
        ]
        with connection.cursor() as cursor:
            if postgres:
                # Bench seeding only: skip the row-by-row foreign-key triggers (the copies
                # reference rows of this very transaction); a superuser may, others check.
                with suppress(Exception), transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            # Bulk-load the usual way: plain (non-unique) indexes dropped, rebuilt after.
            indexes = plain_indexes(cursor, [Shipment._meta.db_table, Checkpoint._meta.db_table])
            for name in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            if total > templates:
                cursor.execute(
                    f"INSERT INTO {Shipment._meta.db_table} ({', '.join(columns)}) "
                    f"SELECT {selected} FROM {numbers_from} "
                    f"JOIN {Shipment._meta.db_table} s ON s.id = {first} + n.i %% {templates}",
                    [when, when],
                )
            progress(
                f"  {total:,} trackings in ({time.perf_counter() - clock:.0f} s); checkpoints …"
            )
            cursor.execute(
                f"INSERT INTO {Checkpoint._meta.db_table} "
                f"(shipment_id, {', '.join(checkpoint_columns)}) "
                f"SELECT s.id, {', '.join('c.' + c for c in checkpoint_columns)} "
                f"FROM {Shipment._meta.db_table} s JOIN {Checkpoint._meta.db_table} c "
                f"ON c.shipment_id = %s WHERE s.partner_id = %s AND s.id <> %s",
                [first, partner.pk, first],
            )
            progress(f"  checkpoints in ({time.perf_counter() - clock:.0f} s); committing …")
    progress(f"  committed ({time.perf_counter() - clock:.0f} s); indexing and analyzing …")
    with connection.cursor() as cursor:
        for definition in indexes.values():
            cursor.execute(definition)
        if postgres:
            cursor.execute(f"VACUUM ANALYZE {Shipment._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {Checkpoint._meta.db_table}")
        else:
            cursor.execute("ANALYZE")
    return raw_key


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log_path: Path):
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "shipdesk.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--pythonpath",
        str(BENCH_DIR),
        "--log-level",
        "warning",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
    ]
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "api_server"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=server_env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            with suppress(OSError):
                if get(port, "/bench/bare/missing")[0] == 404:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: gunicorn did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- load ------------------------------------------------------------------------------------


class Result:
    def __init__(self, rps: float, p50: float, p99: float, requests: int, errors: int):
        self.rps, self.p50, self.p99 = rps, p50, p99
        self.requests, self.errors = requests, errors


CREATE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads, counter, prefix = {}, 0, "X"
tid = 0 -- a global: setup() sets it in each thread's own Lua state
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  prefix = args[1]
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"tracking": {"tracking_number": "%s%02d%08d", "title": "Bench order", ' ..
    '"order_id": "B-%d", "emails": ["buyer@example.com"]}}', prefix, tid, counter, counter)
  return wrk.format(nil, nil, nil, body)
end
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, key: str | None, seconds: float, connections: int, lua: Path | None, args):
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "30s",  # a slow answer on a busy machine is slow (p99), not a failure
        "--latency",
    ]
    if key:
        command += ["-H", f"as-api-key: {key}"]
    if lua:
        command += ["-s", str(lua)]
    command.append(url)
    if args:
        command += ["--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def percentile(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * _UNITS[unit]

    error_count = int(errors.group(1)) if errors else 0
    if socket_errors and re.search(r"(connect|read|write|timeout) [1-9]", socket_errors.group(1)):
        error_count += 1
        progress(f"wrk: {socket_errors.group(0)}")
    return Result(rps, percentile(50), percentile(99), requests, error_count)


def run_threads(port, path, key, seconds, connections, create_prefix=None):
    """Python fallback: `connections` threads with keep-alive HTTP/1.1 connections."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start = time.perf_counter()
    deadline = start + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = {"as-api-key": key} if key else {}
        counter = 0
        while time.perf_counter() < deadline:
            method, body = "GET", None
            if create_prefix:
                counter += 1
                method = "POST"
                number = f"{create_prefix}{index:02d}{counter:08d}"
                body = json.dumps({"tracking": {"tracking_number": number, "title": "Bench"}})
                headers["Content-Type"] = "application/json"
            sent = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 300:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
                continue
            latencies[index].append((time.perf_counter() - sent) * 1000)
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    samples = sorted(x for per in latencies for x in per)
    if not samples:
        return Result(0.0, 0.0, 0.0, 0, sum(errors))
    p50 = samples[len(samples) // 2]
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return Result(len(samples) / elapsed, p50, p99, len(samples), sum(errors))


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--archive", type=int, default=1_000_000)
    parser.add_argument("--load", choices=["auto", "wrk", "python"], default="auto")
    options = parser.parse_args()
    # Stopped from outside: still stop gunicorn and remove the database (the `finally`s).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load = options.load
    if load == "auto":
        load = "wrk" if shutil.which("wrk") else "python"
    deep_page = max(1, options.archive // DEEP_LIMIT)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shipdesk-bench-api-files-") as files:
        files = Path(files)
        with throwaway_database() as (database_url, label):
            env = server_environment(database_url, str(files))
            progress(f"database: {label}; migrating")
            setup_django(env)
            progress(f"seeding {SHOP_TRACKINGS:,} shop trackings")
            shop_key, tracking_id, shop_partner = seed_shop()
            progress(f"seeding {options.archive:,} archive trackings (about a minute)")
            seed_started = time.perf_counter()
            archive_key = seed_archive(options.archive)
            seed_seconds = time.perf_counter() - seed_started
            _close_django_connections()
            progress(f"  seeded in {seed_seconds:.0f} s; starting gunicorn")
            with gunicorn(env, options.workers, files / "gunicorn.log") as port:
                report = measure(
                    port, options, load, shop_key, shop_partner, archive_key, tracking_id, files
                )
    report.update(
        database=label,
        load=load,
        seed_seconds=seed_seconds,
        deep_page=deep_page,
        total_seconds=time.perf_counter() - started,
    )
    print_report(report, options)


def measure(
    port, options, load, shop_key, shop_partner, archive_key, tracking_id, files: Path
) -> dict:
    headers = {"as-api-key": shop_key}
    api_paths = {
        "get": f"{PREFIX}/trackings/{tracking_id}",
        "list": f"{PREFIX}/trackings?limit=100",
    }
    reads_paths = {
        "get": f"/bench/reads/get?id={tracking_id}",
        "list": f"/bench/reads/list?partner={shop_partner}",
    }
    # The bare and plain views answer exactly what the API answered.
    for name, path in api_paths.items():
        status, body = get(port, path, headers)
        if status != 200:
            raise SystemExit(f"bench: GET {path} answered {status}: {body[:300]!r}")
        (files / f"{name}.json").write_bytes(body)
        bare_status, bare_body = get(port, f"/bench/bare/{name}")
        if bare_status != 200 or json.loads(bare_body) != json.loads(body):
            raise SystemExit(f"bench: the bare {name} view does not answer the API's JSON")
    for name, path in reads_paths.items():
        reads_status, reads_body = get(port, path)
        api_body = (files / f"{name}.json").read_bytes()
        if reads_status != 200 or json.loads(reads_body) != json.loads(api_body):
            raise SystemExit(f"bench: the plain {name} view does not answer the API's JSON")
    listed = json.loads((files / "list.json").read_text())["data"]["trackings"]
    if len(listed) != 100 or len(listed[0]["checkpoints"]) != SHOP_CHECKPOINTS:
        raise SystemExit("bench: list 100 did not answer 100 trackings with their checkpoints")

    lua = files / "create.lua"
    lua.write_text(CREATE_LUA)
    scenarios = {
        "bare GET one": ("/bench/bare/get", None, None),
        "API GET one tracking": (api_paths["get"], shop_key, None),
        "plain Django GET one": (reads_paths["get"], None, None),
        "bare GET list": ("/bench/bare/list", None, None),
        "API list 100": (api_paths["list"], shop_key, None),
        "plain Django list 100": (reads_paths["list"], None, None),
        "API create": (f"{PREFIX}/trackings", shop_key, "create"),
        # What every API request pays before its view runs: key lookup and throttle counter.
        "API GET couriers (floor)": (f"{PREFIX}/couriers", shop_key, None),
    }

    def once(name: str, seconds: float, run: int) -> Result:
        path, key, kind = scenarios[name]
        prefix = f"BN{run}{int(time.time()) % 100000:05d}"
        if load == "wrk":
            return run_wrk(
                f"http://{HOST}:{port}{path}",
                key,
                seconds,
                options.connections,
                lua if kind else None,
                [prefix] if kind else None,
            )
        return run_threads(port, path, key, seconds, options.connections, prefix if kind else None)

    results: dict[str, list[Result]] = {name: [] for name in scenarios}
    progress(f"warming up ({load}, {options.connections} connections)")
    for name in scenarios:
        once(name, 1, 9)
    for run in range(options.runs):
        progress(f"run {run + 1}/{options.runs}")
        for name in scenarios:
            result = once(name, options.seconds, run)
            if result.errors:
                log = (files / "gunicorn.log").read_text()[-4000:]
                raise SystemExit(f"bench: {name} had {result.errors} failed requests\n{log}")
            results[name].append(result)

    progress(f"list latency, page 1 and page {options.archive // DEEP_LIMIT:,}")
    deep = deep_pages(port, archive_key, options.archive)
    ratio_2026 = get_2026_over_2024(port, options, load, shop_key, tracking_id)
    return {"results": results, "deep": deep, "get_2026_over_2024": ratio_2026}


def get_2026_over_2024(port, options, load, key: str, tracking_id: str) -> float:
    """GET one tracking: req/s on API 2026-07 over 2024-04 (the same tracking in each version's
    shape). The median of per-round ratios, the two measured back to back in alternating order,
    so that a busy machine's drift falls on both."""
    paths = {version: f"/tracking/{version}/trackings/{tracking_id}" for version in VERSIONS}
    progress("GET one tracking, 2026-07 beside 2024-04")
    ratios = []
    for run in range(2 * options.runs + 1):
        rps = {}
        for version in VERSIONS if run % 2 else VERSIONS[::-1]:
            path = paths[version]
            if load == "wrk":
                url = f"http://{HOST}:{port}{path}"
                result = run_wrk(url, key, options.seconds, options.connections, None, None)
            else:
                result = run_threads(port, path, key, options.seconds, options.connections)
            if result.errors:
                raise SystemExit(f"bench: GET {path} had {result.errors} failed requests")
            rps[version] = result.rps
        if run:  # the first round warms up
            ratios.append(rps["2026-07"] / rps["2024-04"])
    return statistics.median(ratios)


VERSIONS = ("2024-04", "2026-07")


def deep_pages(port: int, key: str, total: int) -> dict:
    """Median latency of list page 1 and of the last page, one request at a time."""
    last = max(1, total // DEEP_LIMIT)
    headers = {"as-api-key": key}
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    timings: dict[int, list[float]] = {1: [], last: []}
    try:
        for sample in range(DEEP_SAMPLES + 2):
            for page in (1, last):
                path = f"{PREFIX}/trackings?limit={DEEP_LIMIT}&page={page}"
                sent = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - sent) * 1000
                if response.status != 200:
                    raise SystemExit(f"bench: {path} answered {response.status}")
                data = json.loads(body)["data"]
                if len(data["trackings"]) != DEEP_LIMIT or data["count"] != total:
                    raise SystemExit(f"bench: {path} did not answer a full page of {total:,}")
                if sample >= 2:  # two warm-up rounds
                    timings[page].append(elapsed)
    finally:
        connection.close()
    return {page: statistics.median(values) for page, values in timings.items()}


def print_report(report: dict, options) -> None:
    results = report["results"]

    def median(name: str) -> Result:
        runs = sorted(results[name], key=lambda r: r.rps)
        return runs[len(runs) // 2]

    rows = []
    for name in results:
        m = median(name)
        rows.append(
            [
                name,
                f"{m.rps:,.0f}",
                f"{m.p50:.1f}",
                f"{m.p99:.1f}",
                " ".join(f"{r.rps:,.0f}" for r in results[name]),
            ]
        )

    def ratio(name: str, baseline: str) -> float:
        """The median of the runs' own ratios: in each run the API scenario and its baseline
        are measured one right after the other, so a busy machine's drift between runs falls
        on both (the medians of each, taken apart, may come from differently loaded runs)."""
        pairs = zip(results[name], results[baseline], strict=True)
        return statistics.median(a.rps / b.rps for a, b in pairs if b.rps > 0)

    get_ratio = ratio("API GET one tracking", "bare GET one")
    list_ratio = ratio("API list 100", "bare GET list")
    get_reads = ratio("API GET one tracking", "plain Django GET one")
    list_reads = ratio("API list 100", "plain Django list 100")
    deep = report["deep"]
    first, last = deep[1], deep[report["deep_page"]]
    deep_ratio = last / first

    print()
    print("shipdesk partner API under gunicorn")
    print(f"  database     {report['database']}")
    print(
        f"  server       gunicorn, {options.workers} sync workers, 127.0.0.1, DEBUG=false, "
        f"{os.cpu_count()} CPU cores shared with the load generator"
    )
    print(
        f"  load         {report['load']}, {options.connections} connections, "
        f"{options.runs} runs x {options.seconds:g} s per scenario (interleaved, after a warm-up)"
    )
    print(
        f"  data         {SHOP_TRACKINGS:,} shop trackings x {SHOP_CHECKPOINTS} checkpoints; "
        f"{options.archive:,} archive trackings x {ARCHIVE_CHECKPOINTS} checkpoints "
        f"(seeded in {report['seed_seconds']:.0f} s)"
    )
    print()
    print(_table(["scenario", "req/s (median run)", "p50 ms", "p99 ms", "runs req/s"], rows))
    print()
    print(f"  API GET one / bare view     {get_ratio:.2f}  (goal >= {GOAL_GET_BARE})")
    print(f"  API list 100 / bare view    {list_ratio:.2f}  (goal >= {GOAL_LIST_BARE})")
    print(f"  API GET one / plain Django  {get_reads:.2f}  (goal >= {GOAL_PLAIN}; the API layer)")
    print(f"  API list 100 / plain Django {list_reads:.2f}  (goal >= {GOAL_PLAIN}; the API layer)")
    print()
    print(
        _table(
            ["list, limit 200, one request at a time", "p50 ms"],
            [
                [f"page 1 of {options.archive:,} trackings", f"{first:.1f}"],
                [f"page {report['deep_page']:,} (the last)", f"{last:.1f}"],
            ],
        )
    )
    print(f"  deep page / first page      {deep_ratio:.2f}  (goal <= {GOAL_DEEP})")
    print()
    print(NOTE)
    print(f"  (whole run: {report['total_seconds']:.0f} s)")
    print()
    print(f"figure: api_get_rps = {median('API GET one tracking').rps:.0f} req/s")
    print(f"figure: api_get_ratio_vs_bare = {get_ratio:.2f} ratio")
    print(f"figure: api_list_ratio_vs_bare = {list_ratio:.2f} ratio")
    print(f"figure: api_get_ratio_vs_plain = {get_reads:.2f} ratio")
    print(f"figure: api_list_ratio_vs_plain = {list_reads:.2f} ratio")
    print(f"figure: api_create_rps = {median('API create').rps:.0f} req/s")
    print(f"figure: api_list_deep_over_first_page = {deep_ratio:.2f} ratio")
    print(f"figure: api_get_2026_ratio_vs_2024 = {report['get_2026_over_2024']:.2f} ratio")


NOTE = """\
Notes
  - "bare view" is plain Django (same middleware) answering the API's own JSON with
    JsonResponse: no DRF, no key lookup, no throttle, no database. The API side pays for the
    key (read from the process's memory, from the database twice a second), the per-key
    throttle (one atomic upsert in shipdesk_throttlewindow; an INCR when CACHE_URL is Redis)
    and the tracking's queries (one tracking: its row, subscribers and checkpoints; a list: count,
    page ids, rows, subscribers, checkpoints), read as column values (no model objects).
    "plain Django" does the API view's reads and representation in a plain view (no DRF,
    key, throttle): the gap between it and the bare view is the database and the
    representation, the gap between the API and it is DRF, the key lookup and the throttle.
    "couriers (floor)" answers a constant list: its rate is the most any endpoint can reach
    with the key lookup and throttle as they are. The API encodes with orjson (DRF's bytes),
    the plain and bare views with Django's JsonResponse.
  - A list of 100 reads about 700 rows (100 trackings, 500 checkpoints, 100 subscribers) and
    writes about 15,000 JSON values; the bare view only serializes a document it already
    holds. So the list ratio is bounded by reading and shaping those rows in Python, which
    "plain Django list 100" pays as well: compare the API with it for the API layer's cost.
  - The list contract is page numbers, not cursors: every page counts the partner's matches
    (`count`, `pagination.total`) and a deep page walks the (partner, -created_at, -id) index
    past its offset before fetching its 200 rows by id. Both grow with the partner's size; a
    cursor (keyset) would make deep pages as cheap as the first."""


def _table(headers, rows) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(
            str(v).ljust(w) if i == 0 else str(v).rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    return "\n".join(
        ["  " + line(headers), "  " + "  ".join("-" * w for w in widths)]
        + ["  " + line(r) for r in rows]
    )


if __name__ == "__main__":
    main()
