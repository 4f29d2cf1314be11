"""A label's PDF: one 4x6 or 4x8 page drawn by WeasyPrint, offline.

The IMpb barcode is GS1-128 drawn by python-barcode as a PNG one pixel high, embedded as a
`data:` URL and stretched to bar height by CSS: a 1D barcode loses nothing, and WeasyPrint paints
and embeds it far faster than an SVG of a hundred bars. It encodes FNC1 followed by the tracking
number itself: the number starts with `92`, a GS1 company-internal application identifier, so a
scanner reads back exactly the tracking number. The `420` + ZIP routing element is printed
beside it as text ("USPS TRACKING #" line and the ZIP box), not put in the barcode, so the number
partners and scanners see is always the one shipdesk tracks.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path

from barcode import Gs1_128
from barcode.base import Barcode
from barcode.writer import ImageWriter
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from mailorders.choices import PaperSize
from mailorders.models import Label
from mailorders.pdf import font_config, offline_fetcher

BARCODE_DPI = 300
PIXEL_MM = 25.4 / BARCODE_DPI
# 6 pixels a module at 300 dpi: a 20-mil bar (USPS asks 13-21 mils), every bar whole pixels.
LABEL_MODULE_PX = 6


STYLESHEET = Path(settings.BASE_DIR) / "templates" / "pdf" / "label.css"
PAGE_HEIGHT_IN = {PaperSize.SIZE_4X6: 6, PaperSize.SIZE_4X8: 8}


@cache
def _stylesheet(paper_size: str) -> CSS:
    """The label's CSS, parsed once per process and paper size rather than once a label."""
    page = f"@page {{ size: 4in {PAGE_HEIGHT_IN[paper_size]}in; margin: 0.12in; }}\n"
    return CSS(
        string=page + STYLESHEET.read_text(),
        font_config=font_config(),
        url_fetcher=offline_fetcher(),
    )


def barcode_image(
    number: str, *, symbology: type[Barcode] = Gs1_128, module_px: int = LABEL_MODULE_PX
) -> dict:
    """The barcode of `number` (GS1-128 unless told; Code 128 and GS1-128 need a quiet zone of
    ten modules each side): a PNG `data:` URL one pixel high (the page fetches nothing else) and
    its printed width in inches, for `module_px` whole pixels a module at 300 dpi."""
    options = {
        "write_text": False,
        "module_width": module_px * PIXEL_MM,
        "module_height": PIXEL_MM,
        "quiet_zone": 10 * module_px * PIXEL_MM,
        "margin_top": 0,
        "margin_bottom": 0,
        "dpi": BARCODE_DPI,
    }
    out = io.BytesIO()
    symbology(number, writer=ImageWriter(mode="1")).write(out, options=options)
    png = out.getvalue()
    width_px = int.from_bytes(png[16:20])  # the IHDR chunk's width
    return {
        "url": "data:image/png;base64," + base64.b64encode(png).decode(),
        "width_in": f"{width_px / BARCODE_DPI:.4f}",
    }


def human_readable(number: str) -> str:
    """The number in groups of four, as USPS prints it under the barcode."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def label_pdf_render(*, label: Label) -> bytes:
    number = label.tracking_number
    html = render_to_string(
        "pdf/label.html",
        {
            "label": label,
            "service_name": label.service_name,
            "ship_from": label.return_to or label.ship_from,
            "ship_to": label.ship_to,
            "barcode": barcode_image(number),
            "human_readable": human_readable(number),
            "weight_lb": label.charge_weight_value,
        },
    )
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf(
        stylesheets=[_stylesheet(label.paper_size)], font_config=font_config()
    )
