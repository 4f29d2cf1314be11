"""Import trackings from a CSV file for one partner (see tracking.services.imports)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shipdesk.services import partner_get_or_create
from tracking.services.imports import (
    COLUMNS,
    ImportFileError,
    count_rows,
    csv_rows,
    trackings_import,
)


class Command(BaseCommand):
    help = (
        "Import trackings from a CSV file with a header row. Required column: tracking_number. "
        f"Optional: {', '.join(c for c in COLUMNS if c != 'tracking_number')} (emails and "
        "smses separated by ';' or ','; dates as YYYY-MM-DD). Bad rows are reported by row "
        "number, column and reason and skipped; numbers the partner already tracks are skipped, "
        "so running the import again creates nothing twice. Exits with status 1 when some rows "
        "had errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file (UTF-8).")
        parser.add_argument(
            "--partner", required=True, help="Partner name; created if it does not exist."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args, file, partner, no_progress=False, **options):
        if not partner.strip():
            raise CommandError("--partner must name a partner.")
        path = Path(file)
        try:
            stream = path.open(newline="", encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        with stream:
            try:
                total = count_rows(stream)
                ignored, rows = csv_rows(stream)
            except ImportFileError as exc:
                raise CommandError(f"{path}: {exc}") from None
            except (UnicodeDecodeError, csv.Error) as exc:
                raise CommandError(f"{path} is not a readable UTF-8 CSV file: {exc}") from None
            owner = partner_get_or_create(name=partner)
            with tqdm(
                total=total,
                unit="row",
                desc="Importing",
                file=sys.stderr,
                disable=True if no_progress or options.get("verbosity", 1) < 1 else None,
            ) as bar:
                report = trackings_import(
                    partner=owner, rows=rows, on_row=lambda _row: bar.update()
                )
        if ignored:
            self.stdout.write(f"Ignored unknown columns: {', '.join(ignored)}.")
        self.stdout.write(
            f"Imported {report.imported} of {report.rows} rows for {owner.name}: "
            f"{report.existing} already tracked, {report.invalid} with errors (skipped)."
        )
        if report.errors:
            self.stderr.write("Rows with errors:")
            for error in report.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(
                f"{report.invalid} row{'' if report.invalid == 1 else 's'} had errors and "
                "were skipped (listed above); the other rows were imported. Fix those rows and "
                "run the import again: rows already imported are skipped."
            )
