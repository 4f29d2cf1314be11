"""Run one refresh pass by hand: what the background worker does every cycle."""

from __future__ import annotations

import argparse
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from tracking.carriers import registry
from tracking.services.refresh import count_due, refresh_due


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more (got {value!r})")
    return number


class Command(BaseCommand):
    help = (
        "Track the shipments that are due now, most urgent first, in carrier batches, then "
        "expire those with no update for TRACKING_EXPIRE_DAYS. Stops when none is due, the "
        "carrier's request budget is spent, or --max-batches is reached."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-batches",
            type=_positive_int,
            default=None,
            help="Stop after this many carrier batches (default: until none is due).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args, max_batches=None, no_progress=False, **options):
        carriers = {slug: registry.get_carrier(slug) for slug in registry.SUPPORTED_SLUGS}
        names = ", ".join(c.name for c in carriers.values())
        due = count_due()
        self.stdout.write(f"{due} shipment{_s(due)} due; carrier: {names}.")
        with tqdm(
            total=due,
            unit="shipment",
            desc="Refreshing",
            file=sys.stderr,
            disable=True if no_progress or not due or options.get("verbosity", 1) < 1 else None,
        ) as bar:
            report = refresh_due(max_batches=max_batches, on_batch=bar.update, carriers=carriers)
        self.stdout.write(
            f"Refreshed {report.shipments} shipment{_s(report.shipments)} in {report.batches} "
            f"batch{'es' if report.batches != 1 else ''}: {report.events} carrier "
            f"event{_s(report.events)} ({report.new_checkpoints} new checkpoint"
            f"{_s(report.new_checkpoints)}), {len(report.tag_changes)} tag "
            f"change{_s(len(report.tag_changes))}, {report.errors} error{_s(report.errors)}."
        )
        self.stdout.write(
            f"Expired {report.expired} shipment{_s(report.expired)} with no update for "
            f"{settings.TRACKING_EXPIRE_DAYS} days."
        )
        if report.budget_exhausted:
            self.stdout.write(
                self.style.WARNING(
                    "Carrier request budget: spent. The shipments still due wait for the next "
                    "cycle."
                )
            )
        else:
            self.stdout.write("Carrier request budget: not exhausted.")
        if report.errors:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.errors} shipment{_s(report.errors)} got a carrier error; "
                    "see each shipment's last error."
                )
            )
        if report.failed_batches:
            self.stdout.write(
                self.style.ERROR(
                    f"{report.failed_batches} batch{'es' if report.failed_batches != 1 else ''} "
                    "failed (the log has the traceback); their shipments are tried again once "
                    "their claim lapses."
                )
            )
        left = count_due()
        if left:
            self.stdout.write(f"{left} shipment{_s(left)} still due.")


def _s(count: int) -> str:
    return "" if count == 1 else "s"
