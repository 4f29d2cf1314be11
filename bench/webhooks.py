"""Webhook events delivered per second by two task workers, and how many were lost.

Default run: 10,000 `letter.created` events, each recorded with `event_record` in its own
transaction (so each queues its own dispatch task, as one change does), delivered by two
`manage.py db_worker` processes to a receiver on 127.0.0.1 (a small threaded HTTP server in
this process) that checks every JWT with PyJWT. Time runs from the workers' start until the
receiver has acknowledged every event; lost = events the receiver never got. Each run starts
from an empty outbox; the figure is the median of the runs.

Baseline, measured in the same run: the raw HTTP POST rate of the same receiver from one
process (one keep-alive connection, the same signed body), i.e. what sending alone costs.

On the database DATABASE_URL names (PostgreSQL: a database `shipdesk_bench_<pid>` is created
there and dropped afterwards), SQLite otherwise; `--backend` picks one.

    .venv/bin/python bench/webhooks.py [--events 10000] [--workers 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup
from _setup import Stopwatch, figure, progress, table

GOAL_PER_S = 200
BASELINE_POSTS = 3_000
SECRET = "bench-webhook-secret-0123456789abcdef"
TIMEOUT_S = 300


class Receiver(BaseHTTPRequestHandler):
    """Acknowledges a POST once its JWT verifies; counts the event ids it saw."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a real endpoint would
    seen: set[str] = set()
    posts = 0
    bad = 0
    lock = threading.Lock()
    verify = True

    def do_POST(self):
        import jwt

        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        event_id = None
        if self.verify:
            try:
                claims = jwt.decode(json.loads(body)["payload"], SECRET, algorithms=["HS256"])
                event_id = claims["id"]
            except (ValueError, KeyError, jwt.InvalidTokenError):
                pass
        with Receiver.lock:
            Receiver.posts += 1
            if event_id:
                Receiver.seen.add(event_id)
            elif self.verify:
                Receiver.bad += 1
        status = 200 if event_id or not self.verify else 400
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass

    @classmethod
    def reset(cls):
        with cls.lock:
            cls.seen, cls.posts, cls.bad = set(), 0, 0


def start_receiver() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def baseline(url: str, body: bytes, posts: int) -> float:
    """Raw POSTs per second to the receiver from one process, one keep-alive connection."""
    import requests

    session = requests.Session()
    headers = {"Content-Type": "application/json"}
    Receiver.verify = False
    try:
        with Stopwatch() as watch:
            for _ in range(posts):
                session.post(url, data=body, headers=headers, timeout=10).close()
    finally:
        Receiver.verify = True
    return posts / watch.seconds


def record_events(partner, count: int) -> list[str]:
    from django.db import transaction

    from shipdesk.webhooks import event_record

    ids = []
    for i in range(count):
        letter = {"id": f"letter_bench{i:08d}", "object": "letter", "live": True, "status": "ready"}
        with transaction.atomic():
            ids.append(event_record(partner=partner, type="letter.created", data=letter).public_id)
    return ids


def run_workers(workers: int, expected: set[str]) -> tuple[float, int]:
    """Start the workers, wait until the receiver has every event or they all stopped."""
    env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
    command += ["--no-reload", "--interval", "0.1", "--verbosity", "0"]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, cwd=_setup.BASE_DIR, env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        while time.perf_counter() - started < TIMEOUT_S:
            with Receiver.lock:
                done = expected <= Receiver.seen
            if done or all(p.poll() is not None for p in procs):
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
    finally:
        for p in procs:  # in --batch mode a worker stops by itself once the queue is empty
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.terminate()
                p.wait()
    return seconds, sum(p.returncode not in (0, -15) for p in procs)


def one_run(partner, events: int, workers: int) -> dict:
    from django_tasks_db.models import DBTaskResult

    from shipdesk.webhooks.models import WebhookDelivery, WebhookEvent, WebhookInvocation

    WebhookInvocation.objects.all().delete()
    WebhookDelivery.objects.all().delete()
    WebhookEvent.objects.all().delete()
    DBTaskResult.objects.all().delete()
    Receiver.reset()
    with Stopwatch() as recording:
        ids = set(record_events(partner, events))
    seconds, crashed = run_workers(workers, ids)
    with Receiver.lock:
        acknowledged = len(ids & Receiver.seen)
        posts, bad = Receiver.posts, Receiver.bad
    delivered = WebhookDelivery.objects.filter(status="delivered").count()
    return {
        "record_per_s": events / recording.seconds,
        "seconds": seconds,
        "per_s": acknowledged / seconds,
        "lost": events - acknowledged,
        "posts": posts,
        "bad": bad,
        "delivered": delivered,
        "crashed": crashed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if min(args.events, args.workers, args.runs) < 1:
        parser.error("--events, --workers and --runs must be at least 1")
    backend = args.backend or ("postgres" if _setup.postgres_configured() else "sqlite")
    if backend == "postgres" and not _setup.postgres_configured():
        parser.error("--backend postgres needs DATABASE_URL to point at a PostgreSQL server")
    os.environ["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "true"  # the receiver is on 127.0.0.1

    with _setup.throwaway_database(backend) as label:
        from django.utils import timezone

        from shipdesk.services import partner_get_or_create
        from shipdesk.webhooks.models import Webhook, WebhookEvent
        from shipdesk.webhooks.signing import event_sign

        server, url = start_receiver()
        partner = partner_get_or_create(name="Bench Mail")
        webhook = Webhook.objects.create(
            partner=partner, live=True, url=url, enabled_events=["letter.created"], secret=SECRET
        )
        sample = WebhookEvent(partner=partner, type="letter.created", live=True, data={"id": "x"})
        sample.created_at = timezone.now()
        body = event_sign(event=sample, webhook=webhook, now=sample.created_at).body
        results = []
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}: {args.events:,} events, {args.workers} workers")
            results.append(one_run(partner, args.events, args.workers))
        progress(f"baseline: {BASELINE_POSTS:,} raw POSTs from one process")
        raw_per_s = statistics.median(baseline(url, body, BASELINE_POSTS) for _ in range(3))
        server.shutdown()

    per_s = statistics.median(r["per_s"] for r in results)
    lost = max(r["lost"] for r in results)
    print()
    print(
        f"shipdesk webhooks bench: {args.events:,} letter.created events, {args.workers} "
        f"db_worker processes, JWT payloads, receiver on 127.0.0.1"
    )
    print(f"database: {label}")
    print()
    rows = [
        [
            i + 1,
            r["seconds"],
            r["per_s"],
            r["lost"],
            r["posts"],
            r["delivered"],
            r["bad"],
            r["record_per_s"],
        ]
        for i, r in enumerate(results)
    ]
    print(
        table(
            [
                "run",
                "seconds",
                "events/s",
                "lost",
                "POSTs",
                "delivered",
                "bad sigs",
                "recorded/s",
            ],
            rows,
        )
    )
    print()
    print(f"baseline: raw POSTs to the same receiver, one process: {raw_per_s:,.0f} /s")
    print(
        f"delivered: {per_s:,.0f} events/s (median), {per_s / raw_per_s:.2f} of the raw POST "
        f"rate; goal {GOAL_PER_S}/s and 0 lost: "
        f"{'met' if per_s >= GOAL_PER_S and lost == 0 else 'NOT met'}"
    )
    figure("webhook_events_per_s", per_s, "events/s")
    figure("webhook_events_lost", lost, "events")
    figure("webhook_events_vs_raw_post_ratio", per_s / raw_per_s, "x")


if __name__ == "__main__":
    main()
