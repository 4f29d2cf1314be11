"""A label's PDF: one 4x6 or 4x8 page drawn by WeasyPrint, offline.

The IMpb barcode is GS1-128 drawn by python-barcode (SVG, embedded as a `data:` URL). It encodes
FNC1 followed by the tracking number itself: the number starts with `92`, a GS1 company-internal
application identifier, so a scanner reads back exactly the tracking number. The `420` + ZIP
routing element is printed beside it as text ("USPS TRACKING #" line and the ZIP box), not put in
the barcode, so the number partners and scanners see is always the one shipdesk tracks.
"""

from __future__ import annotations

import base64
import io
from functools import cache

from barcode import Gs1_128
from barcode.writer import SVGWriter
from django.template.loader import render_to_string
from weasyprint import HTML

from mailorders.choices import LabelServiceType
from mailorders.models import Label
from mailorders.pdf import OfflineFetcher

BARCODE_OPTIONS = {"write_text": False, "module_width": 0.33, "module_height": 22, "quiet_zone": 4}


@cache
def _fetcher() -> OfflineFetcher:
    """One fetcher per process: building one costs more than laying a label out (≈ 40 ms)."""
    return OfflineFetcher()


def barcode_data_url(number: str) -> str:
    """The GS1-128 barcode of `number` as an SVG `data:` URL (the page fetches nothing else)."""
    out = io.BytesIO()
    Gs1_128(number, writer=SVGWriter()).write(out, options=BARCODE_OPTIONS)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def human_readable(number: str) -> str:
    """The number in groups of four, as USPS prints it under the barcode."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def label_pdf_render(*, label: Label) -> bytes:
    number = label.tracking_number
    html = render_to_string(
        "pdf/label.html",
        {
            "label": label,
            "service_name": LabelServiceType(label.service_type).label,
            "ship_from": label.return_to or label.ship_from,
            "ship_to": label.ship_to,
            "barcode": barcode_data_url(number),
            "human_readable": human_readable(number),
            "weight_lb": label.charge_weight_value,
        },
    )
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf()
