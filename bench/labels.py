"""Shipping labels: how many label PDFs WeasyPrint renders per second.

    .venv/bin/python bench/labels.py

One sandbox label is created on a throwaway SQLite database (a partner, a sandbox shipper
account, `label_create`). Then `mailorders.label_pdf.label_pdf_render` (template, GS1-128 IMpb
barcode from python-barcode, WeasyPrint PDF) is counted for a fixed time in several rounds, at
4x6 and 4x8; the median round is the figure. Floor, measured in the same run and interleaved
with it so both see the same machine load: WeasyPrint writing a one-paragraph document with the
same offline URL fetcher. Goal: >= 10 labels per second on this 2-core machine.
"""

from __future__ import annotations

import statistics
import time

from _setup import figure, progress, table, throwaway_database

ROUNDS = 5
ROUND_SECONDS = 2.0
WARM_UP = 3
GOAL_PER_S = 10
MINIMAL_HTML = "<p>A one-paragraph document: the least WeasyPrint can be asked to write.</p>"


def per_second(work) -> float:
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < ROUND_SECONDS:
        work()
        done += 1
    return done / elapsed


def main() -> None:
    with throwaway_database("sqlite") as database:
        run(database)


def run(database: str) -> None:
    from weasyprint import HTML

    from mailorders.label_pdf import label_pdf_render
    from mailorders.models import ShipperAccount
    from mailorders.pdf import offline_fetcher
    from mailorders.services.labels import label_create
    from mailorders.tests.label_bodies import label_body
    from shipdesk.models import Partner

    partner = Partner.objects.create(name="Bench", slug="bench")
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    labels = {
        size: label_create(partner=partner, data=label_body(account.pk, paper_size=size))
        for size in ("4x6", "4x8")
    }

    fetcher = offline_fetcher()  # the one label_pdf uses

    def floor():
        HTML(string=MINIMAL_HTML, url_fetcher=fetcher).write_pdf()

    work = {
        "label 4x6": lambda: label_pdf_render(label=labels["4x6"]),
        "label 4x8": lambda: label_pdf_render(label=labels["4x8"]),
        "floor: one-paragraph PDF": floor,
    }
    for job in work.values():
        for _ in range(WARM_UP):
            job()
    rates: dict[str, list[float]] = {name: [] for name in work}
    for round_number in range(1, ROUNDS + 1):
        progress(f"round {round_number}/{ROUNDS}")
        for name, job in work.items():  # interleaved: the same load for each
            rates[name].append(per_second(job))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    floor_rate = medians["floor: one-paragraph PDF"]
    print(f"Label PDFs rendered per second, {database}")
    print(f"{ROUNDS} rounds of {ROUND_SECONDS:.0f} s each, median round; goal >= {GOAL_PER_S}/s")
    print()
    print(
        table(
            ["document", "per second (median)", "min", "max", "ms each", "x floor time"],
            [
                [
                    name,
                    medians[name],
                    min(values),
                    max(values),
                    1000 / medians[name],
                    floor_rate / medians[name],
                ]
                for name, values in rates.items()
            ],
        )
    )
    labels_per_s = min(medians["label 4x6"], medians["label 4x8"])
    print()
    print(f"Slower paper size: {labels_per_s:.1f} labels/s (goal {GOAL_PER_S}/s)")
    figure("labels_per_s", labels_per_s, "labels/s")


if __name__ == "__main__":
    main()
