"""The agents' search on 1,000,000 shipments, beside Django admin's own changelist search.

What it does, with no arguments:

1. A database of its own: on PostgreSQL (when DATABASE_URL, environment or .env, points at a
   server) `shipdesk_bench_search`, kept between runs and reused when it already holds the
   same seed (migrated first, so a new index is built on the rows already there; `--fresh`
   seeds it again); else a temporary SQLite file. The developer's database is never touched.
2. 1,000,000 shipments over three partners, each with two checkpoints and an e-mail subscriber
   (three shipments per address), about 6,000 distinct customer names: one template shipment
   made through the ORM, copied inside the database by INSERT ... SELECT (plain indexes
   dropped meanwhile and rebuilt after, as a bulk load does), then ANALYZE.
3. Server time of a request - Django's test client in this process: URL resolution,
   middleware, session, view, queries and template, no network - for
   - our search page (/shipments/): an exact tracking number typed in groups with spaces, an
     e-mail address, a name prefix ("Grace Ho"), and page 1 and page 5,000 of the unfiltered
     list at 100 a page (the deep page reached by its Next link's cursor);
   - the baseline: a plain ModelAdmin on an AdminSite of its own, search_fields over the same
     fields (tracking number, order id and number, customer name, title, subscriber address),
     Django's default paginator (a full COUNT(*), OFFSET pages); the number without spaces
     (admin cannot ignore them), the same e-mail and name, and ?p=1 and ?p=5000.
   Each search uses a different shipment each time; our page is measured in `--rounds` rounds
   (every scenario in turn, then again), each of `--samples` requests per scenario after a
   warm-up; for admin's, `--admin-search-samples` per search (each takes seconds on a million
   rows, so no warm-up) and `--admin-samples` per list.

While our page is measured, `--load` processes (1 by default) keep a core busy with plain
Python arithmetic, so the tail is measured on a loaded machine; admin's baseline runs without.

Prints a table of medians (of every request) and p95 (the median of the rounds' p95, each
round's beside it), then the figure lines. Goal on PostgreSQL: every search p95 <= 50 ms,
admin's deep page >= 20x slower than ours. `--profile N` then prints where the time of N more
name-prefix searches went (cProfile, by cumulative time, the top 30 entries).

    .venv/bin/python bench/search.py [--shipments 1000000] [--samples 30] [--rounds 3]
                                     [--admin-samples 5] [--admin-search-samples 2] [--load 1]
                                     [--fresh] [--profile N]

For a quicker look: `--shipments 100000` (the deep page is then the last page there is).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import statistics
import sys
import time
import types
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup
from _setup import Stopwatch, figure, plain_indexes, progress, table

PAGE_SIZE = 100  # Django admin's default list_per_page, used on our page too
DEEP_PAGE = 5_000
GOAL_SEARCH_P95_MS = 50
GOAL_DEEP_RATIO = 20
KEPT_DATABASE = "shipdesk_bench_search"
# Bump when seed() changes what it writes: a kept database with another version is seeded again.
SEED_VERSION = 1
FIRST_NAMES = (  # noqa: SIM905 (a list literal would take a line a name)
    "Ada Alan Alice Amara Ana Ben Bruno Carla Chen Chloe Dana David Diego Elena Emma Farah "
    "Felix Grace Hana Hugo Ines Ivan Jack Jane Jonas Karim Kate Lena Leo Lucia Maria Mateo "
    "Mia Nadia Noah Nora Olga Omar Paula Pedro Priya Quinn Rosa Ruth Sam Sara Sofia Tariq Tom "
    "Uma Victor Wanda Xavier Yara Yusuf Zoe Zane Ruby Oscar"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list literal would take a line a name)
    "Abbott Adams Alvarez Baker Barnes Becker Bell Brooks Bryant Carter Castro Chavez Cole "
    "Cook Cooper Cruz Daniels Diaz Dixon Duncan Edwards Ellis Evans Fisher Flores Ford Foster "
    "Garcia Gibson Gomez Gordon Graham Grant Gray Green Griffin Hall Hamilton Harris Hayes "
    "Henderson Hopper Howard Hughes Hunt Jackson James Jenkins Johnson Jordan Kelly Kennedy "
    "Kim Knight Lee Lewis Long Lopez Lovelace Marshall Martin Mason Meyer Miller Mills Moore "
    "Morgan Murphy Myers Nelson Nguyen Olson Ortiz Owens Palmer Parker Patel Perry Porter "
    "Powell Price Ramos Reed Reyes Rice Rivera Roberts Rose Russell Ryan Sanders Santos "
    "Schmidt Scott Shaw Silva Simmons"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument(
        "--samples", type=int, default=30, help="requests per scenario and round, ours"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of our page's scenarios")
    parser.add_argument("--admin-samples", type=int, default=5, help="per list, admin's")
    parser.add_argument(
        "--admin-search-samples", type=int, default=2, help="per search, admin's (slow)"
    )
    parser.add_argument(
        "--load", type=int, default=1, help="busy processes beside our page's requests (1)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="seed the kept PostgreSQL database again"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile N name-prefix searches"
    )
    options = parser.parse_args()
    backend = "postgres" if _setup.postgres_configured() else "sqlite"
    database = kept_postgres() if backend == "postgres" else _setup.throwaway_database(backend)
    with database as label:
        progress(f"bench/search: {label}")
        with Stopwatch() as seeding:
            reused = not options.fresh and seeded(options.shipments)
            if not reused:
                seed(options.shipments)
                seed_mark(options.shipments)
        how = "reused the seeded rows" if reused else f"seeded in {seeding.seconds:.0f} s"
        progress(f"  {how}; measuring …")
        results = measure(options)
        urls = results["profile_urls"]
        profiled = profile(results["client"], urls, options.load) if urls else ""
    report(label, options, how, results)
    if profiled:
        print(f"\nWhere {options.profile} name-prefix searches spent their time (cProfile):\n")
        print(profiled)


# --- the database -----------------------------------------------------------------------------


@contextmanager
def kept_postgres():
    """Django on KEPT_DATABASE (created if missing, never dropped), migrated."""
    import tempfile

    server = _setup.configured_url()
    with _setup._pg_admin_connect(server) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [KEPT_DATABASE]
        ).fetchone()
        if not found:
            admin.execute(f'CREATE DATABASE "{KEPT_DATABASE}"')
    os.environ["DATABASE_URL"] = _setup._server_url_with_db(server, KEPT_DATABASE)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="shipdesk-bench-")
    try:
        _setup._setup_django()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        yield f"PostgreSQL {version} (database {KEPT_DATABASE}, kept for the next run)"
    finally:
        _setup._close_connections()


def seeded(total: int) -> bool:
    """The database already holds this seed (same size and version)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if "bench_search_seed" not in connection.introspection.table_names(cursor):
            return False
        cursor.execute("SELECT shipments, version FROM bench_search_seed")
        return cursor.fetchone() == (total, SEED_VERSION)


def seed_mark(total: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_search_seed (shipments integer, version integer)"
        )
        cursor.execute("DELETE FROM bench_search_seed")
        cursor.execute("INSERT INTO bench_search_seed VALUES (%s, %s)", [total, SEED_VERSION])


def _busy() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    n = 0
    while True:
        n = (n * 7919 + 1) % 1_000_003


@contextmanager
def background_load(processes: int):
    """`processes` children spinning on arithmetic until the block ends."""
    children = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(processes)]
    for child in children:
        child.start()
    try:
        yield
    finally:
        for child in children:
            child.terminate()
            child.join()


# --- data -------------------------------------------------------------------------------------


def seed(total: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from shipdesk.services import partner_get_or_create
    from tracking.models import Checkpoint, Shipment, Subscriber

    if connection.vendor == "postgresql":  # a kept database seeded before: start again
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_search_seed")
            for model in (Subscriber, Checkpoint, Shipment):
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")

    partners = [partner_get_or_create(name=f"Bench Partner {i}").pk for i in range(3)]
    template_partner = partner_get_or_create(name="Bench Template")
    now = timezone.now()
    # Whole seconds: SQLite keeps datetimes as text, and Django writes none with a fraction.
    base = (now - timedelta(hours=1)).replace(microsecond=0)
    template = Shipment.objects.create(
        partner=template_partner,
        tracking_number="TEMPLATE",
        title="Bench order",
        customer_name="Template",
        destination_country_iso3="USA",
        destination_city="CHICAGO",
        destination_state="IL",
        tag="InTransit",
        subtag="InTransit_001",
        subtag_message="In transit",
        order_promised_delivery_date=(now + timedelta(days=3)).date(),
    )
    for key, hours, message, tag in (
        ("e0", 6, "USPS in possession of item", "InTransit"),
        ("e1", 0, "Arrived at USPS Regional Facility", "InTransit"),
    ):
        Checkpoint.objects.create(
            shipment=template,
            event_key=key,
            checkpoint_time=base - timedelta(hours=hours),
            utc_offset_minutes=-360,
            message=message,
            tag=tag,
            subtag=f"{tag}_001",
            subtag_message="In transit",
            city="CHICAGO",
            state="IL",
            zip="60607",
            country_iso3="USA",
        )
    postgres = connection.vendor == "postgresql"
    shipments, checkpoints, subscribers = (
        m._meta.db_table for m in (Shipment, Checkpoint, Subscriber)
    )
    tags = ["InTransit", "Delivered", "Delivered", "OutForDelivery", "Exception", "AttemptFail"]
    if postgres:
        numbers = f"generate_series(0, {total - 1}) AS n(i)"
        text = {
            "public_id": "'b' || lpad(n.i::text, 23, '0')",
            "uuid": "lpad(to_hex(n.i), 32, '0')::uuid",
            "tracking_number": "'94001118992' || lpad(n.i::text, 11, '0')",
            "order_id": "'ORD-' || n.i",
            "order_number": "'#' || (1000000 + n.i)",
            "created_at": "BASE::timestamptz - make_interval(secs => n.i * 2)",
            "updated_at": (
                "BASE::timestamptz - make_interval(secs => (n.i::bigint * 7919) %% 2000000)"
            ),
        }
        last_event = (
            "s.updated_at - make_interval(hours => CASE c.event_key WHEN 'e0' THEN 6 ELSE 0 END)"
        )
    else:
        numbers = (
            f"(WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c "
            f"WHERE i < {total - 1}) SELECT i FROM c) AS n"
        )
        text = {
            "public_id": "printf('b%%023d', n.i)",
            "uuid": "printf('%%032x', n.i)",
            "tracking_number": "printf('94001118992%%011d', n.i)",
            "order_id": "'ORD-' || n.i",
            "order_number": "'#' || (1000000 + n.i)",
            "created_at": "datetime(BASE, '-' || (n.i * 2) || ' seconds')",
            "updated_at": "datetime(BASE, '-' || ((n.i * 7919) %% 2000000) || ' seconds')",
        }
        last_event = (
            "CASE c.event_key WHEN 'e0' THEN datetime(s.updated_at, '-6 hours') "
            "ELSE s.updated_at END"
        )
    text["customer_name"] = "f.name || ' ' || l.name"
    text["partner_id"] = (
        f"CASE n.i %% 3 WHEN 0 THEN {partners[0]} WHEN 1 THEN {partners[1]} ELSE {partners[2]} END"
    )
    text["tag"] = "t.name"
    text["subtag"] = "t.name || '_001'"
    text["active"] = "t.name <> 'Delivered'"
    text["last_event_at"] = text["updated_at"]
    columns = [f.column for f in Shipment._meta.concrete_fields if f.column != "id"]
    selected = ", ".join(text.get(c, f"s.{c}") for c in columns)
    checkpoint_columns = [
        f.column for f in Checkpoint._meta.concrete_fields if f.column not in ("id", "shipment_id")
    ]
    copied = ", ".join(
        last_event if c == "checkpoint_time" else f"c.{c}" for c in checkpoint_columns
    )
    when = base if postgres else base.strftime("%Y-%m-%d %H:%M:%S")
    clock = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:  # bench seeding only: skip the row-by-row foreign-key triggers
            cursor.execute("SET LOCAL session_replication_role = replica")
        for name, values in (
            ("bench_first", FIRST_NAMES),
            ("bench_last", LAST_NAMES),
            ("bench_tag", tags),
        ):
            cursor.execute(f"CREATE TEMPORARY TABLE {name} (k integer PRIMARY KEY, name text)")
            cursor.executemany(f"INSERT INTO {name} VALUES (%s, %s)", list(enumerate(values)))
        indexes = plain_indexes(cursor, [shipments, checkpoints, subscribers])
        for name in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            f"INSERT INTO {shipments} ({', '.join(columns)}) "
            f"SELECT {selected.replace('BASE', '%s')} FROM {numbers} "
            f"JOIN {shipments} s ON s.id = {template.pk} "
            f"JOIN bench_first f ON f.k = n.i %% {len(FIRST_NAMES)} "
            f"JOIN bench_last l ON l.k = (n.i / {len(FIRST_NAMES)}) %% {len(LAST_NAMES)} "
            f"JOIN bench_tag t ON t.k = (n.i / 7) %% {len(tags)}",
            [when] * selected.count("BASE"),
        )
        progress(f"  {total:,} shipments in ({time.perf_counter() - clock:.0f} s); checkpoints …")
        cursor.execute(
            f"INSERT INTO {checkpoints} (shipment_id, {', '.join(checkpoint_columns)}) "
            f"SELECT s.id, {copied} FROM {shipments} s JOIN {checkpoints} c "
            f"ON c.shipment_id = %s WHERE s.id <> %s",
            [template.pk, template.pk],
        )
        progress(f"  checkpoints in ({time.perf_counter() - clock:.0f} s); subscribers …")
        cursor.execute(
            f"INSERT INTO {subscribers} (shipment_id, channel, address) "
            f"SELECT s.id, 'email', 'customer' || (s.id / 3) || '@example.com' "
            f"FROM {shipments} s WHERE s.id <> %s",
            [template.pk],
        )
        cursor.execute(f"DELETE FROM {checkpoints} WHERE shipment_id = %s", [template.pk])
        cursor.execute(f"DELETE FROM {shipments} WHERE id = %s", [template.pk])
    progress(f"  committed ({time.perf_counter() - clock:.0f} s); indexing and analyzing …")
    with connection.cursor() as cursor:
        for definition in indexes.values():
            cursor.execute(definition)
        if postgres:
            for name in (shipments, checkpoints, subscribers):
                cursor.execute(f"VACUUM ANALYZE {name}")
        else:
            cursor.execute("ANALYZE")
    progress(f"  indexed ({time.perf_counter() - clock:.0f} s)")


# --- measuring --------------------------------------------------------------------------------


def baseline_admin_urls():
    """Our URLs plus /baseline-admin/: Django's stock ModelAdmin over the same fields."""
    from django.contrib import admin

    from shipdesk import urls
    from tracking.models import Shipment

    class BaselineShipmentAdmin(admin.ModelAdmin):
        list_display = ["tracking_number", "tag", "customer_name", "order_id", "partner"]
        search_fields = [
            "tracking_number",
            "order_id",
            "order_number",
            "customer_name",
            "title",
            "subscribers__address",
        ]

    site = admin.AdminSite(name="baseline")
    site.register(Shipment, BaselineShipmentAdmin)
    from django.urls import path

    module = types.ModuleType("bench_search_urls")
    module.urlpatterns = [path("baseline-admin/", site.urls), *urls.urlpatterns]
    sys.modules[module.__name__] = module
    return module.__name__


def measure(options) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import clear_url_caches

    from tracking.models import Shipment, Subscriber
    from tracking.selectors import SORTS

    settings.ROOT_URLCONF = baseline_admin_urls()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clear_url_caches()
    user = get_user_model().objects.filter(username="bench").first()
    user = user or get_user_model().objects.create_superuser("bench", password="bench-only")
    client = Client()
    client.force_login(user)

    rng = random.Random(20261127)
    low, high = (
        Shipment.objects.order_by("id").values_list("id", flat=True)[:1][0],
        (Shipment.objects.order_by("-id").values_list("id", flat=True)[:1][0]),
    )
    ours_count = options.samples * options.rounds
    count = ours_count + options.profile + max(options.admin_samples, options.admin_search_samples)
    count += 4
    ids = rng.sample(range(low, high + 1), count)
    rows = {
        s.id: s
        for s in Shipment.objects.filter(id__in=ids).only("tracking_number", "customer_name")
    }
    emails = dict(
        Subscriber.objects.filter(shipment_id__in=ids).values_list("shipment_id", "address")
    )
    picks = [rows[i] for i in ids if i in rows and i in emails]

    def spaced(number: str) -> str:
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))

    def name_prefix(name: str) -> str:
        first, last = name.split(" ", 1)
        return f"{first} {last[:2]}"

    total = high - low + 1
    deep = min(DEEP_PAGE, max(1, (total - 1) // PAGE_SIZE + 1))
    key = SORTS["created"].key
    before_deep = (
        Shipment.objects.order_by(*key.ordering())[(deep - 1) * PAGE_SIZE - 1] if deep > 1 else None
    )
    ours_deep = f"/shipments/?sort=created&size={PAGE_SIZE}" + (
        f"&after={key.cursor(before_deep)}&page={deep}" if before_deep else ""
    )
    admin = "/baseline-admin/tracking/shipment/"
    scenarios = {
        "search_tracking_number": (
            lambda s: f"/shipments/?q={quote(spaced(s.tracking_number))}",
            lambda s: f"{admin}?q={quote(s.tracking_number)}",
        ),
        "search_email": (
            lambda s: f"/shipments/?q={quote(emails[s.id])}",
            lambda s: f"{admin}?q={quote(emails[s.id])}",
        ),
        "search_name_prefix": (
            lambda s: f"/shipments/?q={quote(name_prefix(s.customer_name))}",
            lambda s: f"{admin}?q={quote(name_prefix(s.customer_name))}",
        ),
        "list_page1": (
            lambda s: f"/shipments/?sort=created&size={PAGE_SIZE}",
            lambda s: f"{admin}?p=1",
        ),
        "list_page5000": (lambda s: ours_deep, lambda s: f"{admin}?p={deep}"),
    }
    results = {"deep_page": deep, "total": total, "client": client}
    rounds = {name: [] for name in scenarios}
    for number in range(options.rounds):
        progress(f"  ours, round {number + 1} of {options.rounds} …")
        shown = picks[number * options.samples : (number + 1) * options.samples]
        for name, (ours, _) in scenarios.items():
            with background_load(options.load):
                rounds[name].append(timed(client, [ours(s) for s in shown], "<tbody>"))
    profiled = picks[ours_count : ours_count + options.profile]
    results["profile_urls"] = [scenarios["search_name_prefix"][0](s) for s in profiled]
    for name, (_, theirs) in scenarios.items():
        progress(f"  admin's {name} …")
        results[name] = {
            "ours": rounds[name],
            "admin": timed(
                client,
                [theirs(s) for s in picks[-admin_samples(options, name) :]],
                'id="result_list"',
                # Admin's searches take seconds each on a million rows: no warm-up for them.
                warm=0 if name.startswith("search") else 1,
            ),
        }
    return results


def admin_samples(options, scenario: str) -> int:
    if scenario.startswith("search"):
        return options.admin_search_samples
    return options.admin_samples


def quote(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)


def timed(client, urls: list[str], results_mark: str, *, warm: int = 3) -> list[float]:
    """Milliseconds per request, after `warm` untimed ones; each must answer 200 with results."""
    for url in urls[:warm]:
        check(client.get(url), url, results_mark)
    samples = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        check(response, url, results_mark)
    return samples


def check(response, url: str, results_mark: str) -> None:
    if response.status_code != 200 or results_mark not in response.content.decode():
        raise SystemExit(f"bench/search: {url} answered {response.status_code} with no results")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def rounds_p95(rounds: list[list[float]]) -> float:
    """The median of the rounds' p95: one burst of other work on the machine moves one round."""
    return statistics.median(p95(samples) for samples in rounds)


def every(rounds: list[list[float]]) -> list[float]:
    return [sample for samples in rounds for sample in samples]


def profile(client, urls: list[str], load: int, top: int = 30) -> str:
    """cProfile (CPU time) of `urls` requested in turn beside `load` busy processes: the top
    entries by cumulative time."""
    import cProfile
    import io
    import pstats

    with background_load(load):
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for url in urls:
            client.get(url)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    return out.getvalue().strip()


def report(label: str, options, how: str, results: dict) -> None:
    deep = results["deep_page"]
    print(
        f"\nAgents' search vs Django admin's changelist, {results['total']:,} shipments "
        f"(x2 checkpoints, 1 subscriber each) on {label}; {how}. Ours measured with "
        f"{options.load} busy process(es) beside it."
    )
    print(
        f"Server time per request (Django test client, in process), ms: {options.rounds} rounds "
        f"of {options.samples} requests per scenario for ours (p95: the median of the rounds' "
        f"p95); for admin's, {options.admin_search_samples} per search (each takes seconds) and "
        f"{options.admin_samples} per list. Lists at {PAGE_SIZE} a page; the deep page is page "
        f"{deep:,}.\n"
    )
    rows = []
    for name in (
        "search_tracking_number",
        "search_email",
        "search_name_prefix",
        "list_page1",
        "list_page5000",
    ):
        ours, theirs = results[name]["ours"], results[name]["admin"]
        rows.append(
            [
                name.replace("5000", f"{deep}") if deep != DEEP_PAGE else name,
                statistics.median(every(ours)),
                rounds_p95(ours),
                " ".join(f"{p95(samples):.0f}" for samples in ours),
                statistics.median(theirs),
                p95(theirs),
                statistics.median(theirs) / statistics.median(every(ours)),
            ]
        )
    headers = ["scenario", "ours median", "ours p95", "rounds' p95", "admin median", "admin p95"]
    print(table([*headers, "admin/ours"], rows))
    searches = [
        rounds_p95(results[n]["ours"])
        for n in ("search_tracking_number", "search_email", "search_name_prefix")
    ]
    ratio = statistics.median(results["list_page5000"]["admin"]) / statistics.median(
        every(results["list_page5000"]["ours"])
    )
    print(
        f"\nGoal (PostgreSQL): every search p95 <= {GOAL_SEARCH_P95_MS} ms: "
        f"{'met' if max(searches) <= GOAL_SEARCH_P95_MS else 'NOT met'}; deep page >= "
        f"{GOAL_DEEP_RATIO}x faster than admin (ratio of medians): "
        f"{'met' if ratio >= GOAL_DEEP_RATIO else 'NOT met'} ({ratio:.0f}x).\n"
    )
    for name in (
        "search_tracking_number",
        "search_email",
        "search_name_prefix",
        "list_page1",
        "list_page5000",
    ):
        figure(f"{name}_p95_ms", rounds_p95(results[name]["ours"]), "ms")
    figure("admin_page5000_over_ours", ratio, "x")


if __name__ == "__main__":
    main()
