"""shipdesk's POD letter: a WeasyPrint PDF that carries its own signed POD passport.

The letter states the delivery (date, local time with its zone, place, recipient, signature)
and ends with a verification block: a QR code of the public POD URL, a short fingerprint of the
passport and the URL itself. The signed POD JSON is embedded in the PDF as a file attachment,
so the letter can be verified offline (`python -m tracking.verify LETTER.pdf`).

Rendering never touches the network: fonts are local and the URL fetcher refuses anything but
`data:` and `file:` URLs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from tracking.models import Checkpoint, Shipment
from tracking.pod.document import pod_document
from tracking.pod.eligibility import delivery_checkpoint, service_labels
from tracking.zones import offset_label, us_state, zone_for_event

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "pdf" / "pod_letter.css"
# The name the verifier looks for first (tracking.verify).
ATTACHMENT_NAME = "pod.json"
LANGUAGE = "en"

TITLES = {"pod": "Proof of Delivery", "rre": "Return Receipt (Electronic)"}


class LetterUnavailable(Exception):
    """The shipment has no delivery to put in a letter."""


@dataclass(frozen=True)
class Letter:
    pdf: bytes
    filename: str
    document: dict  # the signed POD JSON embedded in the PDF


@cache
def offline_fetcher() -> URLFetcher:
    """WeasyPrint's fetcher limited to data: and file: URLs (http and https are refused).

    Made once: building one sets up an HTTPS context, which costs more than a page layout.
    """
    return URLFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


@cache
def font_config() -> FontConfiguration:
    """One font configuration per process: a fresh one loads fontconfig's configuration and
    every face again for each letter (about a tenth of a letter's time)."""
    return FontConfiguration()


@cache
def stylesheet() -> CSS:
    return CSS(filename=STYLESHEET, url_fetcher=offline_fetcher(), font_config=font_config())


def verification_url(shipment: Shipment) -> str:
    """The public POD URL anyone can check the letter against (built from SITE_URL)."""
    path = reverse("pod-document", kwargs={"shipment_uuid": shipment.uuid})
    return settings.SITE_URL.rstrip("/") + path


def passport_fingerprint(passport: dict) -> str:
    """16 hex digits of SHA-256 over the passport's signed payload and signature, in fours."""
    signed = f"{passport.get('payload_b64', '')}.{passport.get('signature_b64', '')}"
    digest = hashlib.sha256(signed.encode()).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


@lru_cache(maxsize=1024)
def qr_src(text: str) -> str:
    """The QR code of `text` as an SVG `data:` URL for an <img>, kept per URL: encoding one
    (trying each mask) takes about a tenth of a letter's time, and a shipment's URL never
    changes. Vector (one path, scaled by its viewBox), so it prints sharp at any size."""
    return segno.make_qr(text, error="m").svg_data_uri(
        xmldecl=False, svgclass=None, lineclass=None, omitsize=True, nl=False
    )


def letter_filename(shipment: Shipment, letter_type: str) -> str:
    kind = "return-receipt" if letter_type == "rre" else "proof-of-delivery"
    return f"{kind}-{shipment.tracking_number}.pdf"


def letter_context(
    *,
    shipment: Shipment,
    delivery: Checkpoint,
    document: dict,
    letter_type: str,
    signature_image: bytes | None,
    now: datetime,
) -> dict:
    url = verification_url(shipment)
    passport = document.get("passport") or {}
    local = delivery.local_time
    signature_src = ""
    if signature_image:
        signature_src = "data:image/png;base64," + base64.b64encode(signature_image).decode()
    return {
        "shipment": shipment,
        "delivery": delivery,
        "letter_type": letter_type,
        "title": TITLES[letter_type],
        # Formatted here: the template's date filter would move them to the site's zone.
        "delivered_date": dateformat.format(local, "F j, Y"),
        "delivered_time": dateformat.format(local, "g:i A"),
        "zone": _zone_label(delivery),
        "place": _place(delivery),
        "recipient_name": delivery.recipient_name or shipment.signed_by,
        "address": _destination(shipment),
        "services": service_labels(shipment),
        "signature_src": signature_src,
        "verification_url": url,
        "qr_src": qr_src(url),
        "fingerprint": passport_fingerprint(passport),
        "kid": passport.get("kid", ""),
        "attachment_name": ATTACHMENT_NAME,
        "generated_on": dateformat.format(timezone.localtime(now), "F j, Y"),
        "mailing_date": (
            dateformat.format(shipment.mailing_date, "F j, Y") if shipment.mailing_date else ""
        ),
    }


def pod_letter(
    *,
    shipment: Shipment,
    letter_type: str = "pod",
    document: dict | None = None,
    signature_image: bytes | None = None,
    now: datetime | None = None,
) -> Letter:
    """Render the letter; `document` is the signed POD JSON (made by pod_document if not given).

    `signature_image` is a PNG of the recipient's signature for carriers that return one
    (USPS Tracking v3r2 does not: its letters say no signature was captured).
    """
    if letter_type not in TITLES:
        raise ValueError(f"letter_type must be one of {', '.join(TITLES)}")
    delivery = delivery_checkpoint(shipment)
    if delivery is None:
        raise LetterUnavailable(f"{shipment} has no delivery event to prove.")
    now = now or timezone.now()
    if document is None:
        document = pod_document(shipment=shipment, now=now)
    context = letter_context(
        shipment=shipment,
        delivery=delivery,
        document=document,
        letter_type=letter_type,
        signature_image=signature_image,
        now=now,
    )
    html = render_to_string("pdf/pod_letter.html", context)
    attachment = Attachment(
        string=json.dumps(document, indent=2, sort_keys=True).encode(),
        name=context["attachment_name"],
        description="Signed proof of delivery (shipdesk POD passport)",
        created=now,
        modified=now,
        relationship="Source",
        url_fetcher=offline_fetcher(),  # its default fetcher would build an HTTPS context
    )
    rendered = HTML(
        string=html, base_url=str(STYLESHEET.parent), url_fetcher=offline_fetcher()
    ).render(stylesheets=[stylesheet()], font_config=font_config())
    # The PDF's language, set here rather than as <html lang>: an element's language makes
    # WeasyPrint set it on every text layout (about a twentieth of a letter's time), and the
    # letter's English text lays out the same without it.
    rendered.metadata.lang = LANGUAGE
    data = rendered.write_pdf(attachments=[attachment])
    return Letter(pdf=data, filename=letter_filename(shipment, letter_type), document=document)


def _zone_label(delivery: Checkpoint) -> str:
    """ "EST, UTC-05:00" (a real minus sign): the delivery's own zone and offset."""
    offset = delivery.utc_offset_minutes
    if offset is None:
        return "UTC"
    state = us_state(delivery.state, delivery.country_iso3)
    zone = zone_for_event(delivery.checkpoint_time, offset, state)
    label = offset_label(offset)
    return f"{delivery.checkpoint_time.astimezone(zone).tzname()}, {label}" if zone else label


def _place(delivery: Checkpoint) -> str:
    state_zip = f"{delivery.state} {delivery.zip}".strip()
    parts = [delivery.city, state_zip]
    if delivery.country_iso3 and delivery.country_iso3 != "USA":
        parts.append(delivery.country_name or delivery.country_iso3)
    return ", ".join(p for p in parts if p) or delivery.location


def _destination(shipment: Shipment) -> str:
    state_zip = f"{shipment.destination_state} {shipment.destination_postal_code}".strip()
    parts = [shipment.destination_city, state_zip]
    return ", ".join(p for p in parts if p) or shipment.destination_raw_location
