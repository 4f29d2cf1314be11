"""A manifest's PDF: the hand-over form for a set of labels, on letter paper, drawn offline.

The shipper account, the manifest id (also as a Code 128 barcode), its date, the piece count and
total weight head the first page; a table lists every label (tracking number, service, weight,
destination ZIP, reference) over as many pages as it needs, its header repeated on each. The
fetcher and fonts are built once per process (mailorders.pdf); the stylesheet is parsed once too.

A manifest may name 1,000 labels, and WeasyPrint spends most of its time per table cell (≈ 10 s
for 1,000 rows of six cells here). So a row has two cells: the fixed-width columns set as one
monospaced line, and the reference, which may wrap. Same table, its header still repeated by
WeasyPrint on every page, about four times faster.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from barcode import Code128
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

from mailorders.label_pdf import barcode_image
from mailorders.models import Label, Manifest
from mailorders.pdf import font_config, offline_fetcher

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "pdf" / "manifest.css"
# Fixed-width columns: #, tracking number (IMpb is up to 26), service, weight, ZIP (ZIP+4 fits).
COLUMNS = "{:>5}  {:<26}  {:<21}  {:>9}  {:<10}"
HEADER = COLUMNS.format("#", "Tracking number", "Service", "Wt (lb)", "ZIP")
# 3 pixels a module at 300 dpi (10 mil): a 31-character id fits the page's width with room.
MANIFEST_MODULE_PX = 3


@cache
def _stylesheet() -> CSS:
    return CSS(
        string=STYLESHEET.read_text(), font_config=font_config(), url_fetcher=offline_fetcher()
    )


def manifest_pdf_render(*, manifest: Manifest, labels: list[Label]) -> bytes:
    account = manifest.shipper_account
    rows = [
        {
            "columns": COLUMNS.format(
                number,
                label.tracking_number,
                label.service_name,
                label.charge_weight_value,
                (label.ship_to or {}).get("postal_code", ""),
            ),
            "reference": ", ".join(label.references),
        }
        for number, label in enumerate(labels, start=1)
    ]
    html = render_to_string(
        "pdf/manifest.html",
        {
            "manifest": manifest,
            "account": account,
            "date": timezone.localdate(manifest.created_at),
            "pieces": len(rows),
            "total_weight_lb": sum((label.charge_weight_value for label in labels), Decimal(0)),
            "header": HEADER,
            "rows": rows,
            "barcode": barcode_image(manifest.id, symbology=Code128, module_px=MANIFEST_MODULE_PX),
        },
    )
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf(
        stylesheets=[_stylesheet()], font_config=font_config()
    )
