"""Print queue: how fast a batch's print-ready PDF is written, and how much memory it takes.

    .venv/bin/python bench/printqueue.py

On a throwaway SQLite database, letters are made as the API makes them, but in bulk: twenty
distinct letter PDFs are rendered by `mailorders.pdf.render_order` and stored, and the letters
(each with its own recipient) point at them in turn. A batch of them is made by
`print_batch_create` and its PDF written by `mailorders.batch_pdf.batch_pdf_write` (cover sheet,
each piece with its IMb and piece line) to a temporary file.

- `print_batch_pages_per_s`: pages written a second for a 1,000-letter batch, the median of
  three runs. Baseline in the same runs: a 10-letter batch (fixed costs, the cover sheet).
- `print_batch_peak_mb`: the peak resident memory of a fresh process that makes 10,000 letters
  and writes their batch's PDF (run in a child process, so nothing else counts).

- `provider_orders_lost` and `provider_orders_duplicated`: PROVIDER_FORWARDS letters forwarded
  to an upstream print-mail provider (the fake PostGrid of the tests, over real HTTP) that fails
  every third call (500, 429, a timeout after making the order, 401, 503 in turn), retried by
  two workers at once until every one is taken: orders the provider never got, and orders it
  got more than once. Both must be 0.

Each figure is one function (`figure_*`); add another the same way. `--only NAME` runs the
figures whose function name contains NAME.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import sys
import tempfile
import threading
import time

from _setup import figure, progress, run_child, table, throwaway_database

LETTERS = 1000
BASELINE_LETTERS = 10
PEAK_PIECES = 10_000
ROUNDS = 3
DISTINCT_PDFS = 20
PROVIDER_FORWARDS = 500
PROVIDER_TIMEOUT_SECONDS = 0.2


def _partner():
    from shipdesk.models import Partner

    partner, _ = Partner.objects.get_or_create(name="Bench print", slug="bench-print")
    return partner


def _letter_pdfs(partner) -> list[tuple[str, int]]:
    """(stored name, pages) of DISTINCT_PDFS rendered letters."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from mailorders import pdf
    from mailorders.models import Contact, Letter

    stored = []
    for n in range(DISTINCT_PDFS):
        to = Contact(
            partner=partner,
            first_name=f"Reader {n}",
            address_line1=f"{n} Main St",
            city="Springfield",
            province_or_state="IL",
            postal_or_zip="62701",
        )
        letter = Letter(partner=partner, to=to, html=f"<p>Letter {n}: hello.</p>" * 12)
        rendered = pdf.render_order(letter)
        name = default_storage.save(f"bench/letter-{n}.pdf", ContentFile(rendered.data))
        stored.append((name, rendered.page_count))
    return stored


def letters_make(count: int, *, chunk: int = 1000) -> None:
    """`count` live, ready letters with distinct recipients across ZIP codes, in bulk."""
    from mailorders.models import Contact, Letter

    partner = _partner()
    pdfs = _letter_pdfs(partner)
    for start in range(0, count, chunk):
        contacts = [
            Contact(
                partner=partner,
                live=True,
                first_name="Reader",
                last_name=str(n),
                address_line1=f"{n} Elm St",
                city="Town",
                province_or_state="NY",
                postal_or_zip=f"{10000 + (n * 7919) % 89999:05d}",
            )
            for n in range(start, min(count, start + chunk))
        ]
        Contact.objects.bulk_create(contacts)
        Letter.objects.bulk_create(
            [
                Letter(
                    partner=partner,
                    live=True,
                    to=contact,
                    html="<p>bench</p>",
                    pdf=pdfs[n % DISTINCT_PDFS][0],
                    page_count=pdfs[n % DISTINCT_PDFS][1],
                )
                for n, contact in enumerate(contacts, start=start)
            ]
        )


def batch_write(count: int) -> tuple[float, int]:
    """Batch the next `count` ready letters and write the PDF: (seconds, pages)."""
    from mailorders.batch_pdf import batch_pdf_write
    from mailorders.print_selectors import queue_groups
    from mailorders.services.print_queue import print_batch_create
    from shipdesk.audit import SYSTEM

    (group,) = queue_groups()
    batch = print_batch_create(key=group.key, actor=SYSTEM, limit=count)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        pages = batch_pdf_write(batch, out)
        return time.perf_counter() - start, pages


def figure_pages_per_s() -> None:
    letters_make((LETTERS + BASELINE_LETTERS) * ROUNDS)
    rates: dict[int, list[float]] = {BASELINE_LETTERS: [], LETTERS: []}
    pages: dict[int, int] = {}
    for round_number in range(1, ROUNDS + 1):
        progress(f"round {round_number}/{ROUNDS}")
        for count in rates:
            seconds, pages[count] = batch_write(count)
            rates[count].append(pages[count] / seconds)
    medians = {count: statistics.median(values) for count, values in rates.items()}
    print(f"batch PDF of letters, {ROUNDS} rounds (pages include the cover sheet)")
    print()
    print(
        table(
            ["letters", "pages", "median pages/s", "min", "max"],
            [[c, pages[c], medians[c], min(v), max(v)] for c, v in rates.items()],
        )
    )
    print()
    figure("print_batch_pages_per_s", medians[LETTERS], "pages/s")
    figure("print_batch_10_letters_pages_per_s", medians[BASELINE_LETTERS], "pages/s")


def peak_child(json_path: str) -> None:
    """In a fresh process: make PEAK_PIECES letters, write their batch's PDF, report peak RSS."""
    with throwaway_database("sqlite"):
        letters_make(PEAK_PIECES)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        seconds, pages = batch_write(PEAK_PIECES)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(json_path, "w") as out:
        json.dump({"peak_mb": peak, "before_mb": before, "seconds": seconds, "pages": pages}, out)


def figure_peak_mb() -> None:
    progress(f"peak memory: {PEAK_PIECES:,} pieces in a child process")
    result = run_child(__file__, "sqlite", ["--peak"])
    print(
        f"{PEAK_PIECES:,}-letter batch: {result['pages']:,} pages in {result['seconds']:.1f} s; "
        f"peak RSS {result['before_mb']:.0f} MB after making the letters, "
        f"{result['peak_mb']:.0f} MB after writing the PDF"
    )
    figure("print_batch_peak_mb", result["peak_mb"], "MB")


def provider_forwards(count: int) -> dict:
    """Forward `count` new letters to a provider failing every third call; what came of it."""
    from django.conf import settings
    from django.db import connection
    from pytest_httpserver import HTTPServer

    from mailorders import pdf
    from mailorders.models import Letter, PrintJob, PrintRoute
    from mailorders.printhouse import PROVIDER
    from mailorders.services.orders import OrderContent, order_create
    from mailorders.services.print_provider import provider_forwards_due
    from mailorders.tests.fake_print_provider import FakePrintProvider
    from shipdesk.models import Partner

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake's request log
    fake = FakePrintProvider(fail_every=3, delay_seconds=PROVIDER_TIMEOUT_SECONDS * 1.5)
    server = HTTPServer(threaded=True)
    server.start()
    settings.PRINT_PROVIDERS = {
        "bench": {
            "BASE_URL": fake.install(server),
            "API_KEY": fake.api_key,
            "WEBHOOK_SECRET": "",
            "TIMEOUT_SECONDS": PROVIDER_TIMEOUT_SECONDS,
        }
    }
    settings.PRINT_PROVIDER_RETRY_BASE_SECONDS = 0  # every retry due at once: no waiting here
    settings.PRINT_PROVIDER_MAX_ATTEMPTS = 50
    partner, _ = Partner.objects.get_or_create(name="Bench provider", slug="bench-provider")
    PrintRoute.objects.create(partner=partner, house=PROVIDER, provider="bench")
    to = {"first_name": "Ada", "address_line1": "145 Mulberry St", "postal_or_zip": "10013"}
    letter = Letter(partner=partner, to=Letter.to.field.related_model(**to), html="<p>Hi</p>")
    content = pdf.render_order(letter).data
    start = time.perf_counter()
    try:
        for n in range(count):  # each create makes its first attempt when it commits
            order_create(
                object_name="letter",
                partner=partner,
                live=True,
                to=dict(to, last_name=str(n)),
                from_=dict(to, company_name="Bench"),
                content=OrderContent(uploaded_pdf=content),
            )
        progress(f"provider: {count} letters created, retrying the failed forwards")

        def worker() -> None:
            try:
                while provider_forwards_due(limit=50):
                    pass
            finally:
                connection.close()

        rounds = 0
        while PrintJob.objects.filter(house=PROVIDER, state="pending").exists() and rounds < 100:
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rounds += 1
            time.sleep(PROVIDER_TIMEOUT_SECONDS)  # let leases of timed-out attempts lapse
    finally:
        server.stop()
    seconds = time.perf_counter() - start
    jobs = {j.order_id: j for j in PrintJob.objects.filter(partner=partner)}
    lost = sum(
        1
        for order_id, job in jobs.items()
        if job.state != "submitted"
        or job.external_id not in fake.orders
        or fake.orders[job.external_id]["metadata"].get("shipdeskOrderId") != order_id
    )
    per_order: dict[str, int] = {}
    for order in fake.orders.values():
        shipdesk_id = order["metadata"].get("shipdeskOrderId", "")
        per_order[shipdesk_id] = per_order.get(shipdesk_id, 0) + 1
    duplicated = sum(n - 1 for n in per_order.values()) + sum(
        n for shipdesk_id, n in per_order.items() if shipdesk_id not in jobs
    )
    failed = [s for s in fake.seen if s.answered != 200]
    return {
        "orders": len(jobs),
        "calls": fake.calls,
        "by_answer": {a: sum(1 for s in failed if s.answered == a) for a in (401, 429, 500, 503)},
        "late": sum(1 for s in fake.seen if s.late),
        "attempts_max": max(j.attempts for j in jobs.values()),
        "seconds": seconds,
        "lost": lost,
        "duplicated": duplicated,
    }


def figure_provider_forwards() -> None:
    progress(f"provider: {PROVIDER_FORWARDS} forwards, the provider failing every third call")
    r = provider_forwards(PROVIDER_FORWARDS)
    failures = ", ".join(f"{n} with {answer}" for answer, n in r["by_answer"].items())
    print(
        f"{r['orders']} letters forwarded in {r['seconds']:.1f} s with {r['calls']} calls to the "
        f"provider: failed {failures}, and {r['late']} timed out after the provider made the "
        f"order; at most {r['attempts_max']} attempts for one letter"
    )
    figure("provider_orders_lost", r["lost"], "orders")
    figure("provider_orders_duplicated", r["duplicated"], "orders")


FIGURES = [figure_pages_per_s, figure_provider_forwards]
CHILD_FIGURES = [figure_peak_mb]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--json")
    parser.add_argument("--peak", action="store_true")
    parser.add_argument("--only", default="", help="only the figures whose name contains this")
    args = parser.parse_args()
    if args.peak:
        peak_child(args.json)
        return
    with throwaway_database(args.backend):
        for run in FIGURES:
            if args.only in run.__name__:
                run()
    for run in CHILD_FIGURES:
        if args.only in run.__name__:
            run()


if __name__ == "__main__":
    sys.exit(main())
