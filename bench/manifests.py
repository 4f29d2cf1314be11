"""Manifests: how long `manifest_create` takes for a full manifest of 1,000 labels.

    .venv/bin/python bench/manifests.py

On a throwaway SQLite database, 1,000 created labels are written straight to the table (no label
PDFs: a manifest reads only the rows). Then `mailorders.services.manifests.manifest_create` hands
them over, rendering the letter-size manifest PDF (a table of every label, its header repeated on
each page, the manifest id as a Code 128 barcode) inside its transaction, three times over fresh
labels; the median is the figure. The transaction holds SQLite's write lock that long, so it must
stay well under the 20 s busy timeout. Baseline, measured in the same rounds: a 10-label
manifest (one page), so the ratio shows how the cost grows with the labels (100 would be linear).
"""

from __future__ import annotations

import io
import statistics
import time

from _setup import figure, progress, table, throwaway_database

LABELS = 1000
BASELINE_LABELS = 10
ROUNDS = 3


def main() -> None:
    with throwaway_database("sqlite") as database:
        run(database)


def run(database: str) -> None:
    from pypdf import PdfReader

    from mailorders.models import ShipperAccount
    from mailorders.services.manifests import manifest_create
    from mailorders.tests.label_rows import labels_bulk_create
    from shipdesk.models import Partner

    partner = Partner.objects.create(name="Bench", slug="bench")
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    seconds: dict[int, list[float]] = {BASELINE_LABELS: [], LABELS: []}
    pages: dict[int, int] = {}
    for round_number in range(1, ROUNDS + 1):
        progress(f"round {round_number}/{ROUNDS}")
        for count in seconds:
            labels_bulk_create(account, count)
            start = time.perf_counter()
            manifest = manifest_create(partner=partner, shipper_account_id=account.pk)
            seconds[count].append(time.perf_counter() - start)
            with manifest.file.open("rb") as stored:
                pages[count] = len(PdfReader(io.BytesIO(stored.read())).pages)
    medians = {count: statistics.median(values) for count, values in seconds.items()}
    print(f"manifest_create, {database}, {ROUNDS} rounds")
    print()
    print(
        table(
            ["labels", "pages", "median s", "min s", "max s"],
            [
                [count, pages[count], medians[count], min(values), max(values)]
                for count, values in seconds.items()
            ],
        )
    )
    figure("manifest_1000_s", medians[LABELS], "s")
    figure(
        "manifest_1000_over_10",
        medians[LABELS] / medians[BASELINE_LABELS],
        "ratio",
    )


if __name__ == "__main__":
    main()
