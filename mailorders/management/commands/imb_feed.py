"""Apply a USPS IMb scan feed (JSON or CSV) to print-mail orders: `manage.py imb_feed FILE`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mailorders.services.imb import IMbFeedError, imb_feed_parse, imb_scans_apply
from shipdesk.audit import Actor


class Command(BaseCommand):
    help = (
        "Set imbStatus, imbDate and imbZIPCode of orders from a feed of IMb scans: a JSON array "
        '(or {"scans": [...]}) or a CSV file with the header id,imbStatus,imbDate,imbZIPCode. '
        "Older scans than an order's latest are ignored."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The feed file; `-` reads standard input.")
        parser.add_argument(
            "--format", choices=["json", "csv"], help="Default: from the file name (.csv or not)."
        )

    def handle(self, *args, path: str, format: str | None = None, **options):
        if path == "-":
            text = sys.stdin.read()
        else:
            try:
                text = Path(path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
        fmt = format or ("csv" if path.lower().endswith(".csv") else "json")
        try:
            scans = imb_feed_parse(text, fmt=fmt)
        except IMbFeedError as exc:
            raise CommandError(str(exc)) from exc
        report = imb_scans_apply(scans=scans, actor=Actor.system("imb_feed command"))
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"{report.applied} scans applied, {report.ignored} older scans ignored, "
            f"{len(report.errors)} refused."
        )
