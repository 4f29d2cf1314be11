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

Each figure is one function (`figure_*`); add another the same way.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time

from _setup import figure, progress, run_child, table, throwaway_database

LETTERS = 1000
BASELINE_LETTERS = 10
PEAK_PIECES = 10_000
ROUNDS = 3
DISTINCT_PDFS = 20


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


FIGURES = [figure_pages_per_s]
CHILD_FIGURES = [figure_peak_mb]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--json")
    parser.add_argument("--peak", action="store_true")
    args = parser.parse_args()
    if args.peak:
        peak_child(args.json)
        return
    with throwaway_database(args.backend):
        for run in FIGURES:
            run()
    for run in CHILD_FIGURES:
        run()


if __name__ == "__main__":
    sys.exit(main())
