"""Shared bench plumbing: Django on a throwaway database, a small table printer, figure lines.

A bench never touches the developer's database. SQLite runs on a temporary file that is
migrated here and deleted afterwards; PostgreSQL (when DATABASE_URL points at a server) runs
on a database `shipdesk_bench_<pid>` created on that server and dropped afterwards.

Django can be set up once per process, so a script that measures both backends runs each one
in a child process (see `run_child`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    # `python bench/NAME.py` puts bench/ on sys.path, not the project root.
    sys.path.insert(0, str(BASE_DIR))

BENCH_SECRET_KEY = "shipdesk-bench-only-not-a-secret"


def configured_url() -> str:
    """DATABASE_URL as the project would see it (environment first, then `.env`)."""
    env_file = BASE_DIR / ".env"
    if "DATABASE_URL" not in os.environ and env_file.exists():
        import environ

        # What settings.py does anyway: fill os.environ from .env without overwriting.
        environ.Env.read_env(env_file, overwrite=False)
    return os.environ.get("DATABASE_URL", "")


def postgres_configured() -> bool:
    url = configured_url()
    return url.startswith(("postgres://", "postgresql://", "pgsql://", "postgis://"))


def _server_url_with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _pg_admin_connect(url: str):
    import environ
    import psycopg

    cfg = environ.Env.db_url_config(url)
    return psycopg.connect(
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        dbname=cfg.get("NAME") or "postgres",
        autocommit=True,
    )


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shipdesk.settings"
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    # DEBUG (e.g. from .env) would log every query in memory and slow the bench down.
    settings.DEBUG = False
    name = str(settings.DATABASES["default"]["NAME"])
    if Path(name).resolve() == (BASE_DIR / "db.sqlite3").resolve():
        raise SystemExit("bench: refusing to run on the developer's db.sqlite3")

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def throwaway_database(backend: str) -> Iterator[str]:
    """Set Django up on a fresh, migrated database of `backend` ("sqlite" or "postgres"), with
    stored files (MEDIA_ROOT) in a temporary folder; both are removed afterwards.

    Yields a label for the output (engine and version). Must be entered once per process,
    before anything imports Django models.
    """
    # A terminated run still deletes its database (SIGTERM would skip the `finally`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if backend not in ("sqlite", "postgres"):
        raise ValueError(backend)
    tmp = tempfile.mkdtemp(prefix="shipdesk-bench-")
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    try:
        if backend == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            yield from _sqlite()
        else:
            yield from _postgres()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _sqlite() -> Iterator[str]:
    try:
        _setup_django()
        import sqlite3

        yield f"SQLite {sqlite3.sqlite_version} (temporary file, WAL)"
    finally:
        _close_connections()


def _postgres() -> Iterator[str]:
    server = configured_url()
    name = f"shipdesk_bench_{os.getpid()}"
    with _pg_admin_connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = _server_url_with_db(server, name)
    try:
        _setup_django()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        yield f"PostgreSQL {version} (database {name}, dropped afterwards)"
    finally:
        _close_connections()
        with _pg_admin_connect(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _close_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def run_children(script: str, jobs: Sequence[tuple[str, Sequence[str]]]) -> list[dict]:
    """Run `script --backend B --json F *extra` for each (B, extra) at the same time.

    Each child sets Django up on its own throwaway database; returns what each wrote.
    """
    procs = []
    with ExitStack() as files:
        outs = [
            files.enter_context(tempfile.NamedTemporaryFile(prefix="shipdesk-bench-")) for _ in jobs
        ]
        try:
            for (backend, extra), out in zip(jobs, outs, strict=True):
                command = [sys.executable, script, "--backend", backend, "--json", out.name]
                procs.append(subprocess.Popen([*command, *extra], cwd=BASE_DIR))
            codes = [p.wait() for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.terminate()
                    p.wait()
        for (backend, extra), code in zip(jobs, codes, strict=True):
            if code != 0:
                raise SystemExit(f"bench: the run {backend} {' '.join(extra)} failed (exit {code})")
        return [json.loads(Path(out.name).read_text()) for out in outs]


def run_child(script: str, backend: str, extra: Sequence[str] = ()) -> dict:
    """Run `script --backend BACKEND` alone in a fresh interpreter; return the JSON it wrote."""
    return run_children(script, [(backend, extra)])[0]


# --- data -------------------------------------------------------------------------------------


def insert_rows(model, common: dict, rows: Sequence[dict], chunk: int = 5_000) -> None:
    """Insert many rows of `model` fast: `common` values shared by all, `rows` per row.

    What `bulk_create` writes (every concrete field, prepared by the field itself), without
    its per-value SQL compilation: for 100,000 wide shipment rows that compilation alone takes
    minutes on this machine. COPY on PostgreSQL, executemany on SQLite.
    """
    from django.db import connection, transaction

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    template = model(**common)
    base = {}
    for f in fields:
        value = f.pre_save(template, add=True)  # defaults and auto_now, as a save would
        base[f.attname] = f.get_db_prep_save(value, connection)
    by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
    qn = connection.ops.quote_name
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            params = []
            for row in rows[start : start + chunk]:
                values = dict(base)
                for name, value in row.items():
                    field = by_name[name]
                    values[field.attname] = field.get_db_prep_save(value, connection)
                params.append([values[f.attname] for f in fields])
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)


# --- output -------------------------------------------------------------------------------


def progress(message: str) -> None:
    """Progress for the person watching; stderr, so stdout stays the report."""
    print(message, file=sys.stderr, flush=True)


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table; numbers right-aligned, text left-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h))
        for i, h in enumerate(headers)
    ]
    numeric = [
        all(isinstance(row[i], int | float) for row in rows) if rows else False
        for i in range(len(headers))
    ]

    def line(values):
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line([str(h) for h in headers]), rule, *(line(r) for r in cells)])


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def figure(name: str, value: float, unit: str) -> None:
    """The machine-readable line: `figure: <name> = <number> <unit>`."""
    whole = float(value).is_integer() or abs(value) >= 100
    number = f"{value:.0f}" if whole else f"{value:.2f}"
    print(f"figure: {name} = {number} {unit}", flush=True)


def plain_indexes(cursor, tables: list[str]) -> dict[str, str]:
    """{name: CREATE INDEX statement} of the tables' non-unique indexes."""
    quoted = ", ".join(f"'{table}'" for table in tables)
    if cursor.db.vendor == "postgresql":
        cursor.execute(
            f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({quoted}) "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
    else:
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
            f"({quoted}) AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'"
        )
    return dict(cursor.fetchall())
